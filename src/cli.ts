import { main } from './command-line.js';

// no process.exit(): every request, sleep and child process of the job ends with the job
process.exitCode = await main(process.argv.slice(2));
