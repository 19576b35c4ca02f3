import * as core from '@actions/core';
import { isAbsolute, resolve } from 'node:path';
import { Inputs } from './constants.js';
import { BadInputError } from './errors.js';
import { OPTIONS, type OptionKey, type OptionSpec } from './options.js';
import { nearestName } from './suggest.js';
import { outputPath, readSettings, type OptionReader, type Settings } from './settings.js';

/** Mask every secret before anything can print it: the whole value and each line of a multi-line key. */
export function maskSecrets(values: readonly (string | undefined)[]): void {
  for (const value of values) {
    if (!value) continue;
    core.setSecret(value);
    if (value.includes('\n'))
      for (const line of value.split('\n')) if (line.trim().length >= 8 && !line.startsWith('-----')) core.setSecret(line.trim());
  }
}

/** The action's inputs, as the runner passes them (`INPUT_*`); paths are taken within GITHUB_WORKSPACE. */
export function actionInputs(env: NodeJS.ProcessEnv): OptionReader {
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const secrets = (Object.values(OPTIONS) as OptionSpec[]).filter((o) => o.input && (o.secret || o.file));
  maskSecrets(secrets.map((o) => core.getInput(o.input ?? '')));
  return {
    edge: 'action',
    read(key: OptionKey) {
      const input = (OPTIONS[key] as OptionSpec).input;
      const value = input ? core.getInput(input) : '';
      return Promise.resolve(input && value !== '' ? { value, name: `input ${input}` } : undefined);
    },
    path(value, name, use) {
      if (use === 'output') return outputPath(value, workspace, name);
      return isAbsolute(value) ? value : resolve(workspace, value);
    }
  };
}

/** Settings of the action, from its inputs and the runner's environment. */
export async function settingsFromInputs(env: NodeJS.ProcessEnv = process.env): Promise<Settings> {
  const warnings = unknownInputs(env);
  const settings = await readSettings(actionInputs(env), { env, helmDownload: true });
  return { ...settings, warnings };
}

/**
 * Inputs the action does not have (`dryrun: true` meant as `dry-run`): the runner passes every
 * `with:` key as `INPUT_<NAME>`, known or not. Each is a warning naming the nearest input; a
 * misspelt `dry-run` stops the run before anything is dispatched, since its user meant a dry run.
 */
export function unknownInputs(env: NodeJS.ProcessEnv): string[] {
  const inputs = (Object.values(OPTIONS) as OptionSpec[]).flatMap((o) => (o.input ? [o.input] : []));
  const known = new Set(inputs.map((i) => `INPUT_${i.replace(/ /g, '_').toUpperCase()}`));
  const warnings: string[] = [];
  for (const variable of Object.keys(env).sort()) {
    if (!variable.startsWith('INPUT_') || known.has(variable)) continue;
    const given = variable.slice('INPUT_'.length).toLowerCase();
    const near = nearestName(given, inputs);
    if (near === Inputs.DryRun && env[variable] !== '' && env[variable] !== 'false')
      throw new BadInputError(
        `input ${given} is not an input of this action: did you mean ${Inputs.DryRun}? Nothing was dispatched: a run meant as a dry run must never dispatch (write ${Inputs.DryRun}: true)`
      );
    warnings.push(`input ${given} is not an input of this action and was ignored${near ? `: did you mean ${near}?` : ''}`);
  }
  return warnings;
}
