/** What is left of GitHub's primary rate limit (the `core` resource), as the last answer said. */
export interface RateBudget {
  remaining: number;
  /** When the budget is restored (ms since the epoch). */
  resetAt: number;
}

/** Requests kept back for what comes after the watch: cancels, the report, the failure issue. */
export const RESERVED_REQUESTS = 50;

/**
 * How long to wait before the next poll cycle: the configured interval, stretched so that the
 * cycles left before the budget resets fit in what remains of it (with a reserve). A spent budget
 * waits for the reset.
 */
export function pollIntervalFor(baseMs: number, budget: RateBudget | undefined, requestsPerCycle: number, now: number): number {
  if (!budget || requestsPerCycle <= 0) return baseMs;
  const untilReset = Math.max(0, budget.resetAt - now);
  const usable = budget.remaining - RESERVED_REQUESTS;
  if (usable < requestsPerCycle) return Math.max(baseMs, untilReset + 1000);
  const cycles = Math.floor(usable / requestsPerCycle);
  return Math.max(baseMs, Math.ceil(untilReset / cycles));
}
