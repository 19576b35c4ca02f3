import { access, constants, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, relative } from 'node:path';
import type { Configuration } from '../config/configuration.js';
import { loadConfiguration } from '../config/load.js';
import { BadInputError, errorMessage } from '../errors.js';
import type { JobDeps } from '../job-ports.js';
import type { Problem } from '../log.js';
import { optionName } from '../options.js';
import type { Settings } from '../settings.js';
import type { ModeContext } from './mode-context.js';
import { describeRun, effectiveRun } from './effective-run.js';

/**
 * The effective run: the configuration (never changed: the command line's overrides make a new one),
 * every precedence settled with its source, the output folders made; or bad input.
 */
export async function prepareJob(settings: Settings, deps: JobDeps): Promise<ModeContext> {
  const { log } = deps.output;
  const loaded = await loadConfiguration(settings.configFile);
  const warnings = [...(settings.warnings ?? []), ...loaded.warnings].map((message): Problem => ({ severity: 'warning', message }));
  if (!loaded.ok && loaded.missing) throw new BadInputError(configNotFound(settings), { details: warnings });
  if (!loaded.ok)
    throw new BadInputError(`the configuration ${settings.configFile} is invalid`, {
      details: [...warnings, ...loaded.errors.map((message): Problem => ({ severity: 'error', message }))]
    });
  const config: Configuration = { ...loaded.config, configuration: { ...loaded.config.configuration, ...settings.configOverrides } };
  log.setLevel(config.configuration['log-level']);
  log.info(`configuration: ${settings.configFile}`);
  await prepareOutputFiles(settings);
  const name = (key: 'appId' | 'privateKey' | 'token'): string => optionName(settings.edge, key);
  const run = effectiveRun(settings, config);
  if ('error' in run) throw new BadInputError(run.error);
  if (!settings.auth && settings.mode.kind !== 'merge')
    throw new BadInputError(`no GitHub credentials: set ${name('appId')} and ${name('privateKey')}, or ${name('token')}`);
  log.info(describeRun(run));
  return { run, deps, problems: warnings };
}

/** One message for a configuration file that is not there: where it was looked for, and the two usual causes. */
function configNotFound(settings: Settings): string {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const shown = relative(workspace, settings.configFile);
  const inside = shown !== '' && !shown.startsWith('..') && !isAbsolute(shown);
  const option = optionName(settings.edge, 'config');
  return settings.edge === 'action'
    ? `configuration file ${inside ? shown : settings.configFile} not found in the workspace (${workspace}): did you check out the repository first (actions/checkout), and is ${option} relative to it?`
    : `configuration file ${settings.configFile} not found: check ${option}`;
}

/** Every output file can be written: its folder is made now, so no late error costs the report. */
async function prepareOutputFiles(settings: Settings): Promise<void> {
  for (const key of ['resultsFile', 'planFile'] as const) {
    const file = settings[key];
    if (!file) continue;
    try {
      await mkdir(dirname(file), { recursive: true });
      await access(dirname(file), constants.W_OK);
    } catch (error) {
      throw new BadInputError(`${optionName(settings.edge, key)}: cannot write ${file}: ${errorMessage(error)}`, { cause: error });
    }
  }
}
