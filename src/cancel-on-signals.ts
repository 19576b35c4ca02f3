/**
 * SIGINT and SIGTERM for both edges, in one place: the first aborts the job's signal (the job
 * reports what it dispatched and ends). A second one ends a command line at once (a person pressing
 * Ctrl-C again means it); in the action it is the runner's SIGTERM, sent 7.5 s after its SIGINT,
 * and the report is still being written: it is noted, and the runner's SIGKILL ends what is left.
 * The handlers are removed when the work ends.
 */
export async function cancelOnSignals<T>(
  secondSignal: 'stops-at-once' | 'noted',
  say: (message: string) => void,
  work: (signal: AbortSignal) => Promise<T>
): Promise<T> {
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cancel.signal.aborted) {
      if (secondSignal === 'noted') say(`${signal}: still writing the report`);
      else {
        say(`${signal} again: stopped at once`);
        process.exit(130);
      }
      return;
    }
    const then = secondSignal === 'stops-at-once' ? ` (a second ${signal} stops at once)` : '';
    say(`the job was cancelled (${signal}): reporting what is known and stopping${then}`);
    cancel.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(cancel.signal);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
