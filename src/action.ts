import * as core from '@actions/core';
import { settingsFromInputs } from './action-inputs.js';
import { describeThrown } from './errors.js';
import { ActionsJobOutput } from './job-output.js';
import { runJob } from './main.js';
import { writeStoppedSummary } from './report/write-report.js';
import { cancelOnSignals } from './cancel-on-signals.js';

/**
 * The action: inputs → settings → the job; the one place where failure becomes setFailed. A
 * cancelled job (SIGINT, then SIGTERM from the runner) aborts the job's signal: the job reports what
 * it dispatched, and the action ends.
 */
export async function run(): Promise<void> {
  const output = new ActionsJobOutput();
  const cancelled = await cancelOnSignals(
    'noted',
    (message) => core.error(message),
    async (signal) => {
      try {
        const settings = await settingsFromInputs();
        const result = await runJob(settings, { output, signal });
        if (result.exitCode !== 0) core.setFailed(result.failure ?? 'the job failed');
      } catch (error) {
        if (error instanceof Error && error.stack) core.debug(error.stack);
        const message = describeThrown(error);
        core.setFailed(message);
        // runJob reports whatever fails once it has a plan; what throws out of it came before any report
        await writeStoppedSummary(output, message);
      }
      return signal.aborted;
    }
  );
  // builds left running on GitHub go on; the job's requests, sleeps and programs ended with it
  if (cancelled) process.exitCode = 1;
}
