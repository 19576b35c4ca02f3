import type { Clock } from '../../src/dispatch/clock.js';

/**
 * A clock whose sleeps pass at once, shared by the code under test and the emulator, so waits of
 * minutes take milliseconds; `onSleep` runs after each sleep (a test cancels a job there).
 */
export function fakeClock(startIso: string, onSleep: () => void = () => undefined): Clock & { slept: number } {
  let now = Date.parse(startIso);
  const clock = {
    slept: 0,
    now: () => now,
    sleep: async (ms: number) => {
      clock.slept += ms;
      now += ms;
      onSleep();
      await new Promise((r) => setImmediate(r));
    }
  };
  return clock;
}
