import { jest } from '@jest/globals';
import { cancelOnSignals } from '../src/cancel-on-signals.js';

describe('SIGINT and SIGTERM, in one place for both edges', () => {
  const exits: unknown[] = [];
  beforeEach(() => {
    exits.length = 0;
    jest.spyOn(process, 'exit').mockImplementation((code) => {
      exits.push(code);
      return undefined as never;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  const runUntil = (mode: 'stops-at-once' | 'noted', said: string[], signals: NodeJS.Signals[]) =>
    cancelOnSignals(
      mode,
      (m) => said.push(m),
      async (signal) => {
        for (const s of signals) process.emit(s, s);
        await Promise.resolve();
        return signal.aborted;
      }
    );

  it('the first signal aborts the job; on the command line a second one stops the process at once', async () => {
    const said: string[] = [];
    expect(await runUntil('stops-at-once', said, ['SIGINT', 'SIGINT'])).toBe(true);
    expect(said).toEqual([
      'the job was cancelled (SIGINT): reporting what is known and stopping (a second SIGINT stops at once)',
      'SIGINT again: stopped at once'
    ]);
    expect(exits).toEqual([130]);
  });

  it("in the action the runner's SIGTERM after its SIGINT lets the report be written", async () => {
    const said: string[] = [];
    expect(await runUntil('noted', said, ['SIGINT', 'SIGTERM'])).toBe(true);
    expect(said).toEqual(['the job was cancelled (SIGINT): reporting what is known and stopping', 'SIGTERM: still writing the report']);
    expect(exits).toEqual([]);
    // the handlers are gone once the work ends
    expect(process.listeners('SIGINT')).toHaveLength(0);
  });
});
