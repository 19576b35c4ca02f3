// `npm run local-action [-- ENV_FILE]`: GitHub's @github/local-action running src/action.ts from the
// sources, with the inputs of ENV_FILE; without one, .env, else the .env.demo that
// `npm run demo -- --serve` writes. @github/local-action itself exits 0 whatever the action did: this
// wrapper exits 1 when the action failed its step (it printed an error), so a script can tell.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const given = process.argv[2];
const envFile = given ?? ['.env', '.env.demo'].find((f) => existsSync(f));
if (!envFile || !existsSync(envFile)) {
  console.error(
    `local-action: ${given ? `${given} not found` : 'no .env and no .env.demo here'}: start the demo servers with ` +
      '`npm run demo -- --serve` in another terminal (it writes .env.demo), or copy .env.example to .env and fill it in'
  );
  process.exit(1);
}
console.error(`local-action: inputs from ${envFile}`);
const bin = join('node_modules', '.bin', process.platform === 'win32' ? 'local-action.cmd' : 'local-action');
const child = spawn(bin, ['run', '.', 'src/action.ts', envFile], {
  stdio: ['inherit', 'pipe', 'inherit'],
  env: { ...process.env, PATH: `${join(process.cwd(), '.tools', 'bin')}${delimiter}${process.env.PATH ?? ''}` }
});
let failed = false;
let partial = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const lines = (partial + chunk.toString()).split('\n');
  partial = lines.pop() ?? '';
  if (lines.some((line) => line.startsWith('::error::'))) failed = true;
});
child.on('close', (code) => {
  if (partial.startsWith('::error::')) failed = true;
  process.exitCode = code !== 0 ? (code ?? 1) : failed ? 1 : 0;
  if (failed) console.error('local-action: the action failed (see its ::error:: lines above)');
});
