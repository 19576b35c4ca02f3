/** How many content-creating requests (dispatches, re-runs) may go out. */
export interface DispatchBudget {
  perMinute: number;
  perHour: number;
}

/**
 * GitHub lets an App installation create content 80 times a minute and 500 times an hour
 * (secondary limits); 10 % of each is kept as headroom for other writers of the installation.
 */
export const GITHUB_DISPATCH_BUDGET: DispatchBudget = { perMinute: 72, perHour: 450 };

/** Octokit spaces writes a second apart anyway. */
const MIN_SPACING_MS = 1000;

/** Paces content-creating requests within a budget per minute and per hour, on an injected clock. */
export class DispatchPacer {
  /** Send times within the last hour, oldest first. */
  private readonly sent: number[] = [];

  constructor(private readonly budget: DispatchBudget = GITHUB_DISPATCH_BUDGET) {}

  /** The earliest time the next request may go (`now` when it may go now). */
  nextSlot(now: number): number {
    return earliestSlot(this.sent, this.budget, now);
  }

  record(at: number): void {
    this.sent.push(at);
    while (this.sent.length > 0 && (this.sent[0] ?? 0) <= at - 3_600_000) this.sent.shift();
  }

  /** When each of `count` more requests could go at the earliest, sent as fast as the budget allows. */
  schedule(count: number, now: number): number[] {
    const sent = [...this.sent];
    const times: number[] = [];
    let t = now;
    for (let i = 0; i < count; i++) {
      t = Math.max(earliestSlot(sent, this.budget, t), (sent.at(-1) ?? -Infinity) + MIN_SPACING_MS);
      sent.push(t);
      times.push(t);
    }
    return times;
  }
}

function earliestSlot(sent: readonly number[], budget: DispatchBudget, now: number): number {
  let slot = now;
  // sent is in time order: count from the newest back
  const inWindow = (windowMs: number): number => {
    let n = 0;
    for (let i = sent.length - 1; i >= 0 && (sent[i] ?? 0) > now - windowMs; i--) n++;
    return n;
  };
  // the request that must leave the window before another may go
  if (inWindow(60_000) >= budget.perMinute) slot = Math.max(slot, (sent[sent.length - budget.perMinute] ?? now) + 60_000);
  if (inWindow(3_600_000) >= budget.perHour) slot = Math.max(slot, (sent[sent.length - budget.perHour] ?? now) + 3_600_000);
  return slot;
}
