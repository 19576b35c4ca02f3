import { createHash } from 'node:crypto';
import { MEGABYTE } from '../bytes.js';
import { CancelledError, errorMessage } from '../errors.js';
import {
  basicAuthorization,
  bearerAuthorization,
  HttpNoAnswer,
  type Credential,
  type OriginBoundFetch,
  type RequestPolicy
} from '../http/origin-bound-fetch.js';
import { formatImageReference, registryAccess, type ImageReference } from './image-reference.js';
import { parseChallenge, type Challenge } from './www-authenticate.js';

/** What a registry says of one image: its digest, when it was built, and the base digest it records, if any. */
export type ImageFacts = { found: true; digest: string; created?: string; baseDigest?: string } | { found: false; reason: string };

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  /** The job's network policy. */
  http: OriginBoundFetch;
  /** Credentials for a registry host (as the image reference names it), sent only to that registry's origin. */
  credentialsFor(registry: string): RegistryCredentials | undefined;
  rewrites: readonly { from: string; to: string }[];
  /**
   * Registry hosts a person named (`registry-hosts`, the chart repository's host): the only ones
   * read on a loopback or private address. Any other host, named only by content, is read over
   * https, anonymously.
   */
  namedHosts: ReadonlySet<string>;
  /** Deadline of each request, the answer's body included. */
  timeoutMs: number;
}

/** A registry that cannot be read (silent, refusing, answering what is not a manifest): the message names the image and the registry. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

/** Manifests and image configs are small (a registry refuses manifests past 4 MB). */
const MAX_DOCUMENT_BYTES = 4 * MEGABYTE;
/** Token answers are a few KB. */
const MAX_TOKEN_BYTES = 64 * 1024;
/** A content-addressed name: `sha256:` and 64 hex digits. */
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** What is kept of a date read from a registry (an RFC 3339 date with nanoseconds is 35 characters). */
const MAX_DATE_CHARS = 40;

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
];
const INDEX_TYPES = new Set(MANIFEST_TYPES.slice(0, 2));
const BASE_DIGEST = 'org.opencontainers.image.base.digest';

interface Manifest {
  mediaType?: string;
  manifests?: { digest?: string; platform?: { os?: string; architecture?: string } }[];
  config?: { digest?: string };
  layers?: { digest?: string; mediaType?: string; size?: number }[];
  annotations?: Record<string, string>;
}
interface ImageConfig {
  created?: string;
  config?: { Labels?: Record<string, string> | null };
  history?: { created_by?: string; empty_layer?: boolean }[];
}

/** The layers of an image's linux/amd64 manifest, bottom first, and its config's history. */
export interface ImageLayers {
  layers: { digest: string; mediaType: string; size?: number }[];
  history: { createdBy: string; emptyLayer: boolean }[];
}

/** The manifest (linux/amd64) and config of an image, read once a run for its facts and its layers. */
interface Resolved {
  digest: string;
  manifest: Manifest;
  config: ImageConfig;
}

/**
 * A small client of the OCI distribution API, over the job's network policy: the manifest (through
 * an index to its linux/amd64 manifest), the image config, nothing else. Basic auth and the Bearer
 * token flow; credentials go only to their registry's origin. Every content-addressed read is
 * checked against its digest. Each image is read once per run, however many builds name it.
 */
export class RegistryClient {
  private readonly facts = new Map<string, Promise<ImageFacts>>();
  private readonly resolved = new Map<string, Promise<Resolved | undefined>>();
  /** Blobs read whole (layers), by digest: a base layer forty images share is read once. */
  /** How each origin asked to be authenticated, once it has: later requests authenticate at once. */
  private readonly challenges = new Map<string, Challenge>();
  private readonly tokens = new Map<string, Promise<string>>();
  /** One `GET /v2/` per origin, before its first read: how it authenticates, asked once rather than by every first request. */
  private readonly probes = new Map<string, Promise<void>>();
  /** Origins that did not answer in time: not asked again this run. */
  private readonly silent = new Map<string, string>();
  /** Requests sent, by kind (the bench counts them). */
  readonly requests = { probe: 0, manifest: 0, blob: 0, token: 0 };

  constructor(private readonly options: RegistryClientOptions) {}

  /** The facts of one image (read once per run); a RegistryError when its registry cannot be read. */
  imageFacts(ref: ImageReference): Promise<ImageFacts> {
    const key = formatImageReference(ref);
    let pending = this.facts.get(key);
    if (!pending) {
      pending = this.readFacts(ref);
      this.facts.set(key, pending);
    }
    return pending;
  }

  private async readFacts(ref: ImageReference): Promise<ImageFacts> {
    const resolved = await this.resolve(ref);
    if (resolved === undefined) return { found: false, reason: `${formatImageReference(ref)} is not in the registry` };
    const { manifest, config, digest } = resolved;
    const labels = config.config?.Labels ?? {};
    const baseDigest = manifest.annotations?.[BASE_DIGEST] ?? labels[BASE_DIGEST];
    const created = typeof config.created === 'string' ? config.created.slice(0, MAX_DATE_CHARS) : undefined;
    return {
      found: true,
      digest,
      ...(created ? { created } : {}),
      // a recorded base digest that is not a digest is not kept (nor carried into the plan)
      ...(typeof baseDigest === 'string' && DIGEST.test(baseDigest) ? { baseDigest } : {})
    };
  }

  /** The layers and history of an image (its linux/amd64 manifest and config, read once a run), or undefined when it is not there. */
  async imageLayers(ref: ImageReference): Promise<ImageLayers | undefined> {
    const resolved = await this.resolve(ref);
    if (!resolved) return undefined;
    const layers = (resolved.manifest.layers ?? []).map((l) => {
      if (!l.digest || !DIGEST.test(l.digest)) throw this.error(ref, 'its manifest names a layer that is not a digest');
      return { digest: l.digest, mediaType: l.mediaType ?? '', ...(typeof l.size === 'number' ? { size: l.size } : {}) };
    });
    const history = (Array.isArray(resolved.config.history) ? resolved.config.history : []).map((h) => ({
      createdBy: typeof h.created_by === 'string' ? h.created_by.slice(0, 4000) : '',
      emptyLayer: h.empty_layer === true
    }));
    return { layers, history };
  }

  /**
   * A blob of the image's repository, streamed to `sink` as it comes (never held whole), at most
   * `maxBytes`; its digest is checked at its end, and a blob whose bytes are not the digest asked
   * for is an error after the sink saw them (the caller keeps nothing of a blob that fails). Answers
   * its size.
   */
  async blobInto(
    ref: ImageReference,
    digest: string,
    maxBytes: number,
    sink: (chunk: Uint8Array) => Promise<void> | void
  ): Promise<number> {
    if (!DIGEST.test(digest)) throw this.error(ref, `${digest.slice(0, 80)} is not a digest`);
    const origin = this.originOf(ref);
    const silent = this.silent.get(origin);
    if (silent) throw this.error(ref, silent);
    const url = `${origin}/v2/${ref.repository}/blobs/${digest}`;
    const hash = createHash('sha256');
    let size = 0;
    const answer = await this.send(ref, url, origin, '*/*', 'blob', maxBytes, async (chunk) => {
      hash.update(chunk);
      size += chunk.byteLength;
      await sink(chunk);
    });
    if (answer.status !== 200)
      throw this.error(ref, `GET ${new URL(url).pathname} answered ${answer.status}${describeRegistryError(answer.body)}`);
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== digest)
      throw this.error(ref, `GET ${new URL(url).pathname} answered bytes whose digest is ${actual}, not the ${digest} asked for`);
    return size;
  }

  private resolve(ref: ImageReference): Promise<Resolved | undefined> {
    const key = formatImageReference(ref);
    let pending = this.resolved.get(key);
    if (!pending) {
      pending = this.readResolved(ref);
      this.resolved.set(key, pending);
    }
    return pending;
  }

  private async readResolved(ref: ImageReference): Promise<Resolved | undefined> {
    const top = await this.getManifest(ref, ref.reference);
    if (top === undefined) return undefined;
    let { manifest, digest } = top;
    if (INDEX_TYPES.has(manifest.mediaType ?? '') || Array.isArray(manifest.manifests)) {
      const amd64 = manifest.manifests?.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64');
      if (!amd64?.digest || !DIGEST.test(amd64.digest)) throw this.error(ref, 'its index has no linux/amd64 manifest');
      const platform = await this.getManifest(ref, amd64.digest);
      if (platform === undefined) throw this.error(ref, `its index names ${amd64.digest}, which is not in the registry`);
      manifest = platform.manifest;
      // the image's digest stays the index's: that is what a tag points at, and what a base digest records
      digest = top.digest;
    }
    const configDigest = manifest.config?.digest;
    if (!configDigest || !DIGEST.test(configDigest)) throw this.error(ref, 'its manifest names no config');
    const read = await this.getJson(ref, `/blobs/${configDigest}`, 'blob', 'application/json', configDigest);
    if (read.status === 404) throw this.error(ref, `its manifest names the config ${configDigest}, which is not in the registry`);
    const config = read.body as ImageConfig;
    if (typeof config !== 'object' || config === null) throw this.error(ref, 'its image config is not a JSON object');
    return { digest, manifest, config };
  }

  private async getManifest(ref: ImageReference, reference: string): Promise<{ manifest: Manifest; digest: string } | undefined> {
    const byDigest = DIGEST.test(reference) ? reference : undefined;
    const answer = await this.getJson(ref, `/manifests/${reference}`, 'manifest', MANIFEST_TYPES.join(', '), byDigest);
    if (answer.status === 404) return undefined;
    const manifest = answer.body as Manifest;
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest))
      throw this.error(ref, 'its manifest is not a JSON object');
    return { manifest, digest: answer.digest };
  }

  private error(ref: ImageReference, what: string): RegistryError {
    return new RegistryError(`${formatImageReference(ref)}: registry ${ref.registry}: ${what}`);
  }

  /** Where a registry is read, or why it is not (a private address named only by content). */
  private originOf(ref: ImageReference): string {
    const access = registryAccess(ref.registry, this.options.rewrites, this.options.namedHosts);
    if (!access.ok) throw this.error(ref, access.reason);
    return access.origin;
  }

  /**
   * GET a JSON document of the image's repository; 404 is an answer, any other failure a
   * RegistryError. The bytes are checked against `digest` when the document is named by one; a
   * manifest's digest is the registry's `Docker-Content-Digest`, checked against the bytes.
   */
  private async getJson(
    ref: ImageReference,
    path: string,
    kind: 'manifest' | 'blob',
    accept: string,
    digest: string | undefined
  ): Promise<{ status: 404 } | { status: 200; body: unknown; digest: string }> {
    const origin = this.originOf(ref);
    const silent = this.silent.get(origin);
    if (silent) throw this.error(ref, silent);
    const url = `${origin}/v2/${ref.repository}${path}`;
    const answer = await this.send(ref, url, origin, accept, kind);
    if (answer.status === 404) return { status: 404 };
    if (answer.status !== 200)
      throw this.error(ref, `GET ${new URL(url).pathname} answered ${answer.status}${describeRegistryError(answer.body)}`);
    const actual = `sha256:${createHash('sha256').update(answer.body).digest('hex')}`;
    const claimed = answer.headers.get('docker-content-digest') ?? undefined;
    if (digest !== undefined && actual !== digest)
      throw this.error(ref, `GET ${new URL(url).pathname} answered bytes whose digest is ${actual}, not the ${digest} asked for`);
    if (claimed !== undefined && claimed !== actual)
      throw this.error(
        ref,
        `GET ${new URL(url).pathname} answered bytes whose digest is ${actual}, not the ${claimed.slice(0, 80)} it claims`
      );
    try {
      return { status: 200, body: JSON.parse(answer.body.toString('utf8')) as unknown, digest: actual };
    } catch {
      throw this.error(ref, `GET ${new URL(url).pathname} answered what is not JSON`);
    }
  }

  private policy(ref: ImageReference, maxBytes = MAX_DOCUMENT_BYTES): RequestPolicy {
    // a blob is redirected to its storage, read there without the registry's credentials
    return { service: `registry ${ref.registry}`, timeoutMs: this.options.timeoutMs, maxBytes, redirects: 'drop-credentials' };
  }

  /** One request with its auth: the first 401 of an origin says how it authenticates, and the request is sent again once. */
  private async send(
    ref: ImageReference,
    url: string,
    origin: string,
    accept: string,
    kind: 'manifest' | 'blob',
    maxBytes?: number,
    sink?: (chunk: Uint8Array) => Promise<void> | void
  ) {
    await this.probe(ref, origin);
    let credential = await this.credentialFor(ref, origin);
    for (let attempt = 0; ; attempt++) {
      const answer = await this.request(ref, origin, url, { accept }, credential, maxBytes, sink);
      this.requests[kind]++;
      if (answer.status !== 401 || attempt > 0 || new URL(answer.url).origin !== origin) return answer;
      const challenge = parseChallenge(answer.headers.get('www-authenticate') ?? '');
      if (!challenge) return answer;
      if (!this.challenges.has(origin)) this.challenges.set(origin, challenge);
      const retry = await this.credentialFor(ref, origin);
      if (!retry || retry.authorization === credential?.authorization) return answer;
      credential = retry;
    }
  }

  /** Ask an origin once how it authenticates (`GET /v2/` answers 401 with its challenge, or 200 when it needs nothing). */
  private probe(ref: ImageReference, origin: string): Promise<void> {
    let pending = this.probes.get(origin);
    if (!pending) {
      pending = (async () => {
        this.requests.probe++;
        const answer = await this.request(ref, origin, `${origin}/v2/`, {}, undefined);
        const challenge = answer.status === 401 ? parseChallenge(answer.headers.get('www-authenticate') ?? '') : undefined;
        if (challenge && !this.challenges.has(origin)) this.challenges.set(origin, challenge);
      })();
      this.probes.set(origin, pending);
    }
    return pending;
  }

  /** The credential for an origin, once it has said how it authenticates. */
  private async credentialFor(ref: ImageReference, origin: string): Promise<Credential | undefined> {
    const challenge = this.challenges.get(origin);
    if (!challenge) return undefined;
    const credentials = this.options.credentialsFor(ref.registry);
    if (challenge.scheme === 'basic')
      return credentials ? { origin, authorization: basicAuthorization(credentials.username, credentials.password) } : undefined;
    const scope = `repository:${ref.repository}:pull`;
    const key = `${challenge.realm} ${challenge.service ?? ''} ${scope}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = this.fetchToken(ref, origin, challenge, scope, credentials);
      this.tokens.set(key, token);
    }
    return { origin, authorization: bearerAuthorization(await token) };
  }

  /** The Bearer token flow: the realm gives a token for the scope, anonymous or with the registry's credentials. */
  private async fetchToken(
    ref: ImageReference,
    origin: string,
    challenge: Extract<Challenge, { scheme: 'bearer' }>,
    scope: string,
    credentials: RegistryCredentials | undefined
  ): Promise<string> {
    const url = new URL(challenge.realm);
    const registry = new URL(origin);
    // an https registry's realm is never read over plain http
    if (registry.protocol === 'https:' && url.protocol !== 'https:')
      throw this.error(ref, `its token server ${url.origin} is plain http: refused, the registry is read over https`);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    url.searchParams.set('scope', scope);
    // credentials go to the registry's own origin, or to a token server on its host over https
    // (Artifactory, GHCR); a challenge naming another host (Docker Hub's auth.docker.io) is asked anonymously
    const trusted = url.origin === registry.origin || (url.hostname === registry.hostname && url.protocol === 'https:');
    const credential =
      credentials && trusted
        ? { origin: url.origin, authorization: basicAuthorization(credentials.username, credentials.password) }
        : undefined;
    this.requests.token++;
    const answer = await this.request(ref, origin, url.toString(), {}, credential, MAX_TOKEN_BYTES);
    if (answer.status !== 200)
      throw this.error(ref, `its token server ${url.origin} answered ${answer.status}${describeRegistryError(answer.body)}`);
    let body: { token?: unknown; access_token?: unknown };
    try {
      body = JSON.parse(answer.body.toString('utf8')) as typeof body;
    } catch {
      throw this.error(ref, `its token server ${url.origin} answered what is not JSON`);
    }
    const token = body.token ?? body.access_token;
    if (typeof token !== 'string' || token === '' || /[\r\n]/.test(token))
      throw this.error(ref, `its token server ${url.origin} answered no token`);
    return token;
  }

  /** One exchange through the network policy; a registry that does not answer in time is named, and not asked again. */
  private async request(
    ref: ImageReference,
    origin: string,
    url: string,
    headers: Record<string, string>,
    credential: Credential | undefined,
    maxBytes?: number,
    sink?: (chunk: Uint8Array) => Promise<void> | void
  ) {
    try {
      return await this.options.http.request(url, this.policy(ref, maxBytes), {
        headers,
        ...(credential ? { credential } : {}),
        ...(sink ? { sink } : {})
      });
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      const what =
        error instanceof HttpNoAnswer
          ? `${new URL(url).origin} ${error.idle ? 'stopped sending' : 'gave no answer'} in ${this.options.timeoutMs / 1000} s`
          : error instanceof TypeError
            ? `${new URL(url).origin} cannot be reached (${errorMessage(error)})`
            : `${new URL(url).origin}: ${errorMessage(error)}`;
      if (error instanceof HttpNoAnswer || error instanceof TypeError) this.silent.set(origin, what);
      throw this.error(ref, what);
    }
  }
}

/** The first registry error of an answer's body (already bounded by the network policy), for the message. */
function describeRegistryError(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8').slice(0, 2000)) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = parsed.errors?.[0];
    if (!first) return '';
    const text = (value: unknown, max: number): string => (typeof value === 'string' ? value.slice(0, max) : '');
    return ` (${text(first.code, 100)}: ${text(first.message, 300)})`;
  } catch {
    return '';
  }
}
