import * as core from '@actions/core';
import { describeThrown } from './errors.js';
import { tableCell } from './escape.js';
import { ActionsJobOutput } from './job-output.js';
import { JobState, reportInterrupted, runJob } from './main.js';
import { settingsFromInputs, type Settings } from './settings.js';

/**
 * The action: inputs → settings → the job; the one place where failure becomes setFailed. A
 * cancelled job (SIGINT, then SIGTERM from the runner) still reports what it dispatched.
 */
export async function run(): Promise<void> {
  const output = new ActionsJobOutput();
  const state = new JobState();
  let settings: Settings | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    core.error(`the job was cancelled (${signal}): reporting what is known and stopping`);
    const report = settings ? reportInterrupted(state, settings, output, signal) : Promise.resolve();
    void report.finally(() => {
      output.log.finish();
      core.setFailed(`cancelled (${signal})`);
      process.exit(1);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    settings = settingsFromInputs();
    const result = await runJob(settings, output, undefined, state);
    if (result.exitCode !== 0) core.setFailed(result.failure ?? 'the job failed');
  } catch (error) {
    if (error instanceof Error && error.stack) core.debug(error.stack);
    const message = describeThrown(error);
    core.setFailed(message);
    if (!state.reported)
      await output.summary(`## Image rebuilds\n\n> ❌ The job stopped: ${tableCell(message, 2000)}\n`).catch(() => undefined);
  } finally {
    output.log.finish();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
