/** Time for loops that wait: injected so tests can run a long wait in milliseconds. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (its timer cleared: nothing keeps the process waiting). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    })
};
