import { readBoundedFile } from './bounded-file.js';
import { cancelOnSignals } from './cancel-on-signals.js';

/** A PEM private key is a few KB. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean } from './suggest.js';
import { ConsoleJobOutput } from './job-output.js';
import { runJob } from './main.js';
import { OPTIONS, usageLines, type OptionKey, type OptionSpec } from './options.js';
import { readSettings, type OptionReader, type Settings } from './settings.js';
import { describeThrown, errorMessage } from './errors.js';
import { logLine } from './escape.js';

export const USAGE = `Usage: node dist/cli.js [options]

Plan the rebuild of the images a product stream ships, dispatch the build workflows and wait for them.

Options (a variable in parentheses is read when the flag is not given):
${usageLines().join('\n')}

Secrets come from the environment, never from arguments (the process list shows arguments):
GITHUB_TOKEN, CHART_REPO_PASSWORD, and the App's key from a file (--private-key-file).
--token and --chart-repo-password still work, with a warning.

Exit codes: 0 success; 1 a build or image needs a person, or planning reported errors
(see --fail-on); 2 bad input or no plan.
`;

/** parseArgs' options, from the one option table. */
function parseArgsOptions(): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const option of Object.values(OPTIONS) as OptionSpec[]) {
    if (!option.flag) continue;
    options[option.flag] = option.switch ? { type: 'boolean' } : { type: 'string', ...(option.repeatable ? { multiple: true } : {}) };
  }
  return options;
}

/** The command line's flags, then its environment variables; a file option reads its file, naming the flag when it cannot. */
function commandLineReader(values: Record<string, unknown>, env: NodeJS.ProcessEnv): OptionReader {
  return {
    edge: 'command-line',
    async read(key: OptionKey) {
      const option: OptionSpec = OPTIONS[key];
      let found: { value: string; name: string } | undefined;
      const given = option.flag ? values[option.flag] : undefined;
      if (typeof given === 'string') found = { value: given, name: `--${option.flag}` };
      else if (given === true) found = { value: 'true', name: `--${option.flag}` };
      else if (Array.isArray(given)) found = { value: given.join('\n'), name: `--${option.flag}` };
      else
        for (const variable of option.variables ?? [])
          if (env[variable]) {
            found = { value: env[variable] ?? '', name: `environment variable ${variable}` };
            break;
          }
      if (!found || !option.file) return found;
      try {
        return { value: await readBoundedFile(found.value, MAX_KEY_FILE_BYTES, found.name), name: found.name };
      } catch (error) {
        throw new Error(`${found.name} ${found.value}: cannot read it (${errorMessage(error)})`, { cause: error });
      }
    },
    path: (value) => resolve(value)
  };
}

/** parseArgs, with the nearest known flag suggested for an unknown one (`--dryrun`: did you mean --dry-run?). */
function parseFlags(
  argv: readonly string[]
): ReturnType<typeof parseArgs<{ args: string[]; strict: true; options: ReturnType<typeof parseArgsOptions> }>> {
  try {
    return parseArgs({ args: [...argv], strict: true, options: parseArgsOptions() });
  } catch (error) {
    const flag = /Unknown option '(-{1,2}[^']+)'/.exec(errorMessage(error))?.[1];
    if (!flag) throw error;
    const flags = (Object.values(OPTIONS) as OptionSpec[]).flatMap((o) => (o.flag ? [o.flag] : []));
    throw new Error(`unknown flag ${flag}${didYouMean(flag.replace(/^-+/, ''), flags, (f) => `--${f}`)}`, { cause: error });
  }
}

/** Command line arguments → the same Settings the action builds from its inputs. */
export async function settingsFromArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv
): Promise<{ settings: Settings; verbose: boolean; warnings: string[] } | 'help'> {
  const { values } = parseFlags(argv);
  if (values.help) return 'help';
  const warnings: string[] = [];
  for (const key of ['token', 'chartRepoPassword', 'registryPassword', 'packageIndexPassword'] as const) {
    const option: OptionSpec = OPTIONS[key];
    if (option.flag && values[option.flag] !== undefined)
      warnings.push(`--${option.flag} shows in the process list; set ${option.variables?.[0] ?? 'its variable'} instead`);
  }
  // outside a runner there is no tool cache: helm must be on PATH
  const settings = await readSettings(commandLineReader(values, env), { env, helmDownload: false });
  return { settings, verbose: values.verbose === true, warnings };
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = await settingsFromArgs(argv, process.env);
  } catch (error) {
    process.stderr.write(`error: ${logLine(errorMessage(error))}\nsee --help\n`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const output = new ConsoleJobOutput(parsed.verbose);
  output.problems(parsed.warnings.map((message) => ({ severity: 'warning' as const, message })));
  // Ctrl-C: the job reports what was dispatched, removes its temp folder and stops; a second Ctrl-C stops at once
  return cancelOnSignals(
    'stops-at-once',
    (message) => process.stderr.write(`\n${message}; the builds already dispatched go on\n`),
    async (signal) => {
      try {
        const result = await runJob(parsed.settings, { output, signal });
        if (result.failure) process.stderr.write(`error: ${logLine(result.failure)}\n`);
        return signal.aborted ? 130 : result.exitCode;
      } catch (error) {
        if (parsed.verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
        process.stderr.write(`error: ${logLine(describeThrown(error))}\n`);
        return 2;
      }
    }
  );
}
