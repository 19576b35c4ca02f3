import * as core from '@actions/core';
import { isAbsolute, resolve } from 'node:path';
import { OPTIONS, type OptionKey, type OptionSpec } from './options.js';
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
export function settingsFromInputs(env: NodeJS.ProcessEnv = process.env): Promise<Settings> {
  return readSettings(actionInputs(env), { env, helmDownload: true });
}
