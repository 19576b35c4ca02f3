// Loaded with `node --import` by the benchmark: prints the process's peak resident memory on exit.
// On Linux that is VmHWM of /proc/self/status: getrusage's maxRSS survives exec, so a child started
// by a large parent reports the parent's size at fork instead of its own.
import { readFileSync } from 'node:fs';

process.on('exit', () => {
  let kb = process.resourceUsage().maxRSS;
  try {
    const hwm = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
    if (hwm) kb = Number(hwm[1]);
  } catch {
    // not Linux: getrusage it is
  }
  process.stderr.write(`peak-rss-kb ${kb}\n`);
});
