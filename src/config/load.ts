import { didYouMean } from '../suggest.js';
import { readBoundedFile } from '../bounded-file.js';
import { MEGABYTE } from '../bytes.js';
import { Ajv, type ErrorObject } from 'ajv';
import schema from './configuration.schema.json' with { type: 'json' };
import { compileAnchored, type Configuration } from './configuration.js';
import { errorMessage } from '../errors.js';
import { isMapping, parseYaml, yamlProblem } from '../yaml.js';

/** A configuration is a few hundred lines; a larger file is refused before it is read. */
const MAX_CONFIGURATION_BYTES = 8 * MEGABYTE;

export type LoadResult =
  | { ok: true; config: Configuration; warnings: string[] }
  /** `missing`: the file is not there (the caller says where it was looked for). */
  | { ok: false; errors: string[]; warnings: string[]; missing?: true };

/** Key names of the original tool's first format, still accepted: old → new. */
const LEGACY_TOP_LEVEL: Record<string, string> = { 'repo-image-lookup': 'github-repo-image-lookup' };
const LEGACY_SETTINGS: Record<string, string> = {
  'manifest-repo': 'product-stream-repo',
  'targeted-csm-branches': 'targeted-branches'
};
const LEGACY_LOOKUP_ITEM: Record<string, string> = { repo: 'github-repo' };

// verbose: each error carries its schema, whose keys a misspelt key is compared with
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
const validate = ajv.compile<Configuration>(schema);

/** `/configuration/targeted-branches/2` → `configuration.targeted-branches[2]` */
export function toYamlPath(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) path += `[${part}]`;
    else if (/^[\w-]+$/.test(part)) path += path ? `.${part}` : part;
    else path += `[${JSON.stringify(part)}]`;
  }
  return path || '(top level)';
}

/** The keys a mapping of the schema may have: what a misspelt key is compared with. */
function knownKeys(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

function describeError(error: ErrorObject): string {
  const at = toYamlPath(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      return `${at}: unknown key "${key}"${didYouMean(key, knownKeys(error.parentSchema))}`;
    }
    case 'oneOf':
      return at.startsWith('acknowledged[')
        ? `${at}: give exactly one of "image" (a gap: an image a release ships) and "base" (a base image no longer republished)`
        : `${at}: ${error.message ?? 'is invalid'}`;
    case 'required':
      return `${at}: missing required key "${String(error.params.missingProperty)}"`;
    case 'enum':
      return `${at}: must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
    default:
      return `${at}: ${error.message ?? 'is invalid'}`;
  }
}

function renameKeys(target: Record<string, unknown>, renames: Record<string, string>, where: string, warnings: string[]): void {
  for (const [oldKey, newKey] of Object.entries(renames)) {
    if (!(oldKey in target)) continue;
    if (newKey in target) {
      warnings.push(`${where}${oldKey}: ignored, "${newKey}" is also set (${oldKey} is the old name of ${newKey})`);
    } else {
      target[newKey] = target[oldKey];
      warnings.push(`${where}${oldKey}: old key name, rename it to "${newKey}"`);
    }
    delete target[oldKey];
  }
}

function renameLegacyKeys(document: Record<string, unknown>, warnings: string[]): void {
  const lookupWasLegacy = 'repo-image-lookup' in document && !('github-repo-image-lookup' in document);
  renameKeys(document, LEGACY_TOP_LEVEL, '', warnings);
  if (lookupWasLegacy && Array.isArray(document['github-repo-image-lookup'])) {
    for (const item of document['github-repo-image-lookup']) {
      if (!isMapping(item)) continue;
      for (const [oldKey, newKey] of Object.entries(LEGACY_LOOKUP_ITEM)) {
        if (!(oldKey in item) || newKey in item) continue;
        item[newKey] = item[oldKey];
        delete item[oldKey];
      }
    }
  }
  if (isMapping(document.configuration)) renameKeys(document.configuration, LEGACY_SETTINGS, 'configuration.', warnings);
}

function checkRegexes(config: Configuration): string[] {
  const errors: string[] = [];
  const check = (source: string, path: string): void => {
    try {
      compileAnchored(source);
    } catch (error) {
      errors.push(
        `${path}: ${JSON.stringify(source)} is not a regular expression RE2 can run (${errorMessage(error)}); RE2 matches in linear time and has no backreferences nor lookaround`
      );
    }
  };
  check(config.configuration['target-chart-regex'], 'configuration.target-chart-regex');
  config.configuration['targeted-branch-regexes'].forEach((r, i) => check(r, `configuration.targeted-branch-regexes[${i}]`));
  config['non-manifest-images'].forEach((e, i) => check(e['tag-regex'], `non-manifest-images[${i}].tag-regex`));
  return errors;
}

/** `until` of each acknowledgement is a real day (the schema checks only its shape). */
function checkDays(config: Configuration): string[] {
  return config.acknowledged.flatMap((entry, i) => {
    const day = new Date(`${entry.until}T00:00:00Z`);
    return Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== entry.until
      ? [`acknowledged[${i}].until: ${JSON.stringify(entry.until)} is not a day (YYYY-MM-DD)`]
      : [];
  });
}

/** Parse and validate configuration text; every problem is one line with its YAML path. */
export function parseConfiguration(text: string, file: string): LoadResult {
  const warnings: string[] = [];
  let document: unknown;
  try {
    document = parseYaml(text, file);
  } catch (error) {
    return { ok: false, errors: [`${file}: ${yamlProblem(text, error)}`], warnings };
  }
  if (!isMapping(document)) {
    return { ok: false, errors: [`${file}: (top level): must be a mapping with a "configuration" section`], warnings };
  }
  renameLegacyKeys(document, warnings);
  if (!validate(document)) {
    const errors = (validate.errors ?? [])
      // anyOf and oneOf branches repeat what the anyOf or oneOf line says
      .filter((e) => !e.schemaPath.includes('/anyOf/') && !e.schemaPath.includes('/oneOf/'))
      .map((e) => `${file}: ${describeError(e)}`);
    return { ok: false, errors: [...new Set(errors)], warnings: warnings.map((w) => `${file}: ${w}`) };
  }
  const config = document;
  const regexErrors = [...checkRegexes(config), ...checkDays(config)].map((e) => `${file}: ${e}`);
  if (regexErrors.length > 0) return { ok: false, errors: regexErrors, warnings: warnings.map((w) => `${file}: ${w}`) };
  return { ok: true, config, warnings: warnings.map((w) => `${file}: ${w}`) };
}

export async function loadConfiguration(file: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readBoundedFile(file, MAX_CONFIGURATION_BYTES, 'the configuration file');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      errors: [code ? `${file}: cannot read the configuration file (${code})` : errorMessage(error)],
      warnings: [],
      ...(code === 'ENOENT' ? { missing: true } : {})
    };
  }
  return parseConfiguration(text, file);
}
