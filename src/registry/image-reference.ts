/** Where an image lives: the registry host, the repository on it, and a tag or a digest. */
export interface ImageReference {
  /** `artifactory.algol60.net`, `docker.io`, `127.0.0.1:5000` */
  registry: string;
  /** `csm-docker/stable/cray-smd`, `library/alpine` */
  repository: string;
  /** `2.24.0`, `3.15`, or `sha256:…` */
  reference: string;
}

const DOCKER_HUB = 'docker.io';

/**
 * Read an image reference as docker does: the first path component is a registry when it has a
 * `.` or a `:` or is `localhost`; otherwise the image is on Docker Hub, and a name without a slash
 * is in `library/` (`alpine:3.15` is `docker.io/library/alpine:3.15`). No tag means `latest`.
 */
export function parseImageReference(text: string): ImageReference | undefined {
  const ref = text.trim();
  if (ref === '' || /\s/.test(ref)) return undefined;
  const at = ref.indexOf('@');
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const slash = named.indexOf('/');
  const first = slash >= 0 ? named.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : DOCKER_HUB;
  let path = hasRegistry ? named.slice(slash + 1) : named;
  let tag = 'latest';
  const colon = path.lastIndexOf(':');
  if (colon > path.lastIndexOf('/')) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
  }
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  if (!/^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/.test(path)) return undefined;
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) return undefined;
  if (digest === undefined && !/^[\w][\w.-]{0,127}$/.test(tag)) return undefined;
  return { registry, repository: path, reference: digest ?? tag };
}

/** `registry/repository:tag` (or `@digest`), Docker Hub's short names written out. */
export function formatImageReference(ref: ImageReference): string {
  const separator = ref.reference.startsWith('sha256:') ? '@' : ':';
  return `${ref.registry}/${ref.repository}${separator}${ref.reference}`;
}

/** A short name for messages: `alpine:3.15`, `golang:1.23-alpine`, `cray-smd:2.24.0`. */
export function shortImageName(ref: ImageReference): string {
  const name = ref.repository.slice(ref.repository.lastIndexOf('/') + 1);
  return ref.reference.startsWith('sha256:') ? `${name}@${ref.reference.slice(0, 19)}` : `${name}:${ref.reference}`;
}

/** A host on a loopback address: a registry a person named there is read over plain http, as docker does. */
function isLoopback(host: string): boolean {
  const name = hostName(host);
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** `127.0.0.1:5000` → `127.0.0.1`, `[::1]:5000` → `::1`. */
function hostName(host: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(host);
  if (bracketed) return (bracketed[1] ?? '').toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

/**
 * A host on the runner itself or its private network: loopback, `localhost`, unspecified, RFC 1918,
 * carrier-grade NAT, link-local (cloud metadata at 169.254.169.254), IPv6 unique-local and link-local.
 */
export function isPrivateHost(host: string): boolean {
  const name = hostName(host);
  if (isLoopback(host) || name.endsWith('.localhost') || name === '0.0.0.0' || name === '::') return true;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(name);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  // an IPv4 address written as one number or in hex is a private address in disguise
  if (/^(0x[0-9a-f]+|\d+)$/.test(name)) return true;
  return /^(f[cd][0-9a-f]{2}|fe[89ab][0-9a-f]):/.test(name) || name.startsWith('::ffff:');
}

/** Docker Hub's registry API lives at registry-1.docker.io; a loopback registry is read over http. */
export function registryOrigin(registry: string): string {
  const host = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
  return `${isLoopback(host) ? 'http' : 'https'}://${host}`;
}

/**
 * The origin to read a registry from: `registry-rewrite` lines `FROM=TO` send a registry's reads
 * elsewhere (a mirror, another host name, a registry on 127.0.0.1 in tests). `http://` is allowed
 * only for loopback addresses.
 */
export function originFor(registry: string, rewrites: readonly { from: string; to: string }[]): string {
  const rewrite = rewrites.find((r) => r.from === registry);
  if (!rewrite) return registryOrigin(registry);
  const to = rewrite.to.replace(/\/+$/, '');
  return /^https?:\/\//.test(to) ? to : registryOrigin(to);
}

/**
 * Where a registry may be read. A host a person named (a `registry-rewrite` source, an entry of
 * `registry-hosts`, the chart repository's host) is read at its origin, over http on loopback. A
 * host named only by content (an image of a manifest, a Dockerfile's `FROM`) is read over https,
 * and never on the runner's own host or its private network.
 */
export function registryAccess(
  registry: string,
  rewrites: readonly { from: string; to: string }[],
  namedHosts: ReadonlySet<string>
): { ok: true; origin: string } | { ok: false; reason: string } {
  if (rewrites.some((r) => r.from === registry) || namedHosts.has(registry)) return { ok: true, origin: originFor(registry, rewrites) };
  if (isPrivateHost(registry))
    return {
      ok: false,
      reason: `${registry} is a loopback or private address named only by the repositories' content: not read (name it in registry-hosts to read it)`
    };
  const host = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
  return { ok: true, origin: `https://${host}` };
}

/** A rewrite's target must be https, or http on a loopback address: checked when the settings are read. */
export function checkRegistryRewrite(to: string, name: string): void {
  if (!/^https?:\/\//.test(to)) return;
  const url = new URL(to);
  if (url.protocol === 'http:' && !isLoopback(url.host))
    throw new Error(`${name}: ${to} is plain http; only loopback addresses (127.0.0.1, localhost) may be read without TLS`);
}
