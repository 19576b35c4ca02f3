import { DispatchPacer, GITHUB_DISPATCH_BUDGET } from '../../src/dispatch/dispatch-pacer.js';

const t0 = Date.parse('2026-11-26T07:00:00Z');

describe('pacing content-creating requests', () => {
  it('keeps GitHub’s limits with headroom: 72 a minute, 450 an hour', () => {
    expect(GITHUB_DISPATCH_BUDGET).toEqual({ perMinute: 72, perHour: 450 });
  });

  it('lets a request go at once while the windows have room, then at the time the oldest leaves', () => {
    const pacer = new DispatchPacer({ perMinute: 2, perHour: 3 });
    expect(pacer.nextSlot(t0)).toBe(t0);
    pacer.record(t0);
    pacer.record(t0 + 1000);
    expect(pacer.nextSlot(t0 + 2000)).toBe(t0 + 60_000);
    pacer.record(t0 + 60_000);
    expect(pacer.nextSlot(t0 + 61_000)).toBe(t0 + 3_600_000);
  });

  it('schedules 1,000 dispatches over the hours GitHub’s limits need (a second apart at least)', () => {
    const times = new DispatchPacer().schedule(1000, t0);
    expect(times).toHaveLength(1000);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(1000);
    // 450 in the first hour, 450 in the second, the last 100 in the third
    expect(times.filter((t) => t < t0 + 3_600_000)).toHaveLength(450);
    expect(times.filter((t) => t < t0 + 7_200_000)).toHaveLength(900);
    expect((times.at(-1) ?? 0) - t0).toBeGreaterThan(7_200_000);
  });
});
