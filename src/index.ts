import { run } from './action.js';

await run();
// requests of a job that ended early (a silent server) may still wait on their deadlines: do not wait for them
process.exit();
