import type { JobDeps } from '../job-ports.js';
import type { Problem } from '../log.js';
import type { EffectiveRun } from './effective-run.js';

/** What every mode of a run is given: the run, every precedence settled (effective-run.ts), and the ports. */
export interface ModeContext {
  run: EffectiveRun;
  deps: JobDeps;
  /** What preparing found (the configuration's warnings): every mode's report starts with them. */
  problems: readonly Problem[];
}
