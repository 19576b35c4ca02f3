/** How a registry asks to be authenticated (its 401's `WWW-Authenticate`). */
export type Challenge = { scheme: 'basic'; realm?: string } | { scheme: 'bearer'; realm: string; service?: string; scope?: string };

/**
 * `Basic realm="Registry"` or `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"`.
 * Undefined for anything else (a Bearer challenge without a realm is not followed).
 */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const scheme = (match[1] ?? '').toLowerCase();
  const params = new Map<string, string>();
  for (const [, key = '', quoted, bare] of (match[2] ?? '').matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g))
    params.set(key.toLowerCase(), quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? ''));
  if (scheme === 'basic') return { scheme: 'basic', ...(params.get('realm') ? { realm: params.get('realm') } : {}) };
  if (scheme !== 'bearer') return undefined;
  const realm = params.get('realm');
  if (!realm || !/^https?:\/\//.test(realm)) return undefined;
  return {
    scheme: 'bearer',
    realm,
    ...(params.get('service') ? { service: params.get('service') } : {}),
    ...(params.get('scope') ? { scope: params.get('scope') } : {})
  };
}
