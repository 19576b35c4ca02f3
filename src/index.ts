import { run } from './action.js';

// no process.exit(): every request, sleep and child process of the job ends with the job (src/http,
// the job's signal), so the process ends once its report is written
await run();
