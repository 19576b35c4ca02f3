import type { Configuration } from '../config/configuration.js';
import type { JobDeps } from '../job-ports.js';
import type { Settings } from '../settings.js';

/** What every mode of a run is given: the settings, the configuration as read (never changed), the org, and the ports. */
export interface ModeContext {
  settings: Settings;
  config: Readonly<Configuration>;
  org: string;
  deps: JobDeps;
}
