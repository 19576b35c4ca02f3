import type { JobDeps } from '../job-ports.js';
import type { EffectiveRun } from './effective-run.js';

/** What every mode of a run is given: the run, every precedence settled (effective-run.ts), and the ports. */
export interface ModeContext {
  run: EffectiveRun;
  deps: JobDeps;
}
