import { main } from './command-line.js';

// requests of a job that ended early (a silent server) may still wait on their deadlines: do not wait for them
process.exit(await main(process.argv.slice(2)));
