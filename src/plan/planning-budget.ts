/**
 * What one planning may spend, enforced here and only here: helm renders in one run
 * (configuration.limits.chart-renders) and the planning deadline (configuration.limits.planning-minutes).
 * Queries read; `startRender` is the one command. What is refused is said as a reason, which the
 * step that met it returns with its values (the plan is then partial).
 */
export class PlanningBudget {
  private rendersStarted = 0;

  constructor(
    private readonly limits: { maxRenders?: number; deadline?: number },
    private readonly now: () => number
  ) {}

  /** Why nothing more may be looked up (the deadline passed), or undefined. */
  deadlinePassed(): string | undefined {
    const { deadline } = this.limits;
    return deadline !== undefined && this.now() > deadline
      ? 'planning passed its deadline (configuration.limits.planning-minutes)'
      : undefined;
  }

  /** Count a render about to start; or why it may not (the deadline, or the renders spent). */
  startRender(): string | undefined {
    const late = this.deadlinePassed();
    if (late) return late;
    const { maxRenders } = this.limits;
    if (maxRenders !== undefined && this.rendersStarted >= maxRenders)
      return `the run's ${maxRenders} chart renders are spent (configuration.limits.chart-renders)`;
    this.rendersStarted++;
    return undefined;
  }
}
