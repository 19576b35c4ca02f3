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

/** A registry on a loopback address: read over plain http, as docker does (127.0.0.0/8 is an insecure registry by default). */
function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
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

/** A rewrite's target must be https, or http on a loopback address: checked when the settings are read. */
export function checkRegistryRewrite(to: string, name: string): void {
  if (!/^https?:\/\//.test(to)) return;
  const url = new URL(to);
  if (url.protocol === 'http:' && !isLoopback(url.host))
    throw new Error(`${name}: ${to} is plain http; only loopback addresses (127.0.0.1, localhost) may be read without TLS`);
}
