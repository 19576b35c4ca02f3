import * as yaml from 'js-yaml';

/** Parse one YAML document; an empty file is `undefined`, not an error (js-yaml 5 throws on empty input). */
export function parseYaml(text: string, file: string, options: { allStrings?: boolean } = {}): unknown {
  const documents = yaml.loadAll(text, { filename: file, ...(options.allStrings ? { schema: yaml.FAILSAFE_SCHEMA } : {}) });
  return documents[0] ?? undefined;
}

/** Every document of a multi-document stream (helm output), empty documents left out. */
export function parseYamlDocuments(text: string, file: string): unknown[] {
  return yaml.loadAll(text, { filename: file }).filter((d) => d !== null && d !== undefined);
}

export function toYaml(value: unknown): string {
  return yaml.dump(value);
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
