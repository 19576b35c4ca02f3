// Command line entry: see `node dist/cli.js --help`. The bundle is in cli-build/.
import './cli-build/index.js';
