import pLimit from 'p-limit';
import { MEGABYTE } from '../bytes.js';
import { errorMessage } from '../errors.js';
import { createProxyFetch, type PlainFetch } from '../proxy-fetch.js';
import { formatImageReference, originFor, type ImageReference } from './image-reference.js';
import { parseChallenge, type Challenge } from './www-authenticate.js';

/** What a registry says of one image: its digest, when it was built, and the base digest it records, if any. */
export type ImageFacts = { found: true; digest: string; created?: string; baseDigest?: string } | { found: false; reason: string };

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  /** Credentials for a registry host (as the image reference names it), sent only to that registry's origin. */
  credentialsFor(registry: string): RegistryCredentials | undefined;
  rewrites: readonly { from: string; to: string }[];
  /** Deadline of each request, the answer's body included. */
  timeoutMs: number;
  fetch?: PlainFetch;
}

/** A registry that cannot be read (silent, refusing, answering what is not a manifest): the message names the image and the registry. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

/** Requests in flight at once, across registries (bases and images are read side by side). */
const CONCURRENT_REQUESTS = 8;
/** Manifests and image configs are small (a registry refuses manifests past 4 MB). */
const MAX_DOCUMENT_BYTES = 4 * MEGABYTE;
/** Redirects followed per request (a blob is usually redirected once, to its storage). */
const MAX_REDIRECTS = 5;

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
  annotations?: Record<string, string>;
}
interface ImageConfig {
  created?: string;
  config?: { Labels?: Record<string, string> | null };
}

/**
 * A small client of the OCI distribution API, over the toolkit's proxy-aware fetch: the manifest
 * (through an index to its linux/amd64 manifest), the image config, nothing else. Basic auth and the
 * Bearer token flow; credentials go only to their registry's origin, across redirects too. Each
 * image is read once per run, however many builds name it.
 */
export class RegistryClient {
  private readonly fetch: PlainFetch;
  private readonly limit = pLimit(CONCURRENT_REQUESTS);
  private readonly facts = new Map<string, Promise<ImageFacts>>();
  /** How each origin asked to be authenticated, once it has: later requests authenticate at once. */
  private readonly challenges = new Map<string, Challenge>();
  private readonly tokens = new Map<string, Promise<string>>();
  /** One `GET /v2/` per origin, before its first read: how it authenticates, asked once rather than by every first request. */
  private readonly probes = new Map<string, Promise<void>>();
  /** Origins that did not answer in time: not asked again this run. */
  private readonly silent = new Map<string, string>();
  /** Requests sent, by kind (the bench counts them). */
  readonly requests = { probe: 0, manifest: 0, blob: 0, token: 0 };

  constructor(private readonly options: RegistryClientOptions) {
    this.fetch = options.fetch ?? createProxyFetch();
  }

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
    const top = await this.getManifest(ref, ref.reference);
    if (top === undefined) return { found: false, reason: `${formatImageReference(ref)} is not in the registry` };
    let { manifest, digest } = top;
    if (INDEX_TYPES.has(manifest.mediaType ?? '') || Array.isArray(manifest.manifests)) {
      const amd64 = manifest.manifests?.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64');
      if (!amd64?.digest) throw this.error(ref, 'its index has no linux/amd64 manifest');
      const platform = await this.getManifest(ref, amd64.digest);
      if (platform === undefined) throw this.error(ref, `its index names ${amd64.digest}, which is not in the registry`);
      manifest = platform.manifest;
      // the image's digest stays the index's: that is what a tag points at, and what a base digest records
      digest = top.digest;
    }
    const configDigest = manifest.config?.digest;
    if (!configDigest) throw this.error(ref, 'its manifest names no config');
    const config = (await this.getJson(ref, `/blobs/${configDigest}`, 'blob', 'application/json')).body as ImageConfig;
    if (typeof config !== 'object' || config === null) throw this.error(ref, 'its image config is not a JSON object');
    const labels = config.config?.Labels ?? {};
    const baseDigest = manifest.annotations?.[BASE_DIGEST] ?? labels[BASE_DIGEST];
    return {
      found: true,
      digest,
      ...(typeof config.created === 'string' ? { created: config.created } : {}),
      ...(baseDigest ? { baseDigest } : {})
    };
  }

  private async getManifest(ref: ImageReference, reference: string): Promise<{ manifest: Manifest; digest: string } | undefined> {
    const answer = await this.getJson(ref, `/manifests/${reference}`, 'manifest', MANIFEST_TYPES.join(', '));
    if (answer.status === 404) return undefined;
    const manifest = answer.body as Manifest;
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest))
      throw this.error(ref, 'its manifest is not a JSON object');
    return { manifest, digest: answer.digest ?? reference };
  }

  private error(ref: ImageReference, what: string): RegistryError {
    return new RegistryError(`${formatImageReference(ref)}: registry ${ref.registry}: ${what}`);
  }

  /** GET a JSON document of the image's repository; 404 is an answer, any other failure a RegistryError. */
  private async getJson(
    ref: ImageReference,
    path: string,
    kind: 'manifest' | 'blob',
    accept: string
  ): Promise<{ status: number; body?: unknown; digest?: string }> {
    const origin = originFor(ref.registry, this.options.rewrites);
    const silent = this.silent.get(origin);
    if (silent) throw this.error(ref, silent);
    const url = `${origin}/v2/${ref.repository}${path}`;
    const response = await this.limit(() => this.send(ref, url, origin, accept, kind));
    if (response.status === 404) return { status: 404 };
    if (response.status !== 200)
      throw this.error(ref, `GET ${new URL(url).pathname} answered ${response.status}${await describeBody(response)}`);
    const text = await this.readBounded(ref, response, url);
    try {
      return { status: 200, body: JSON.parse(text) as unknown, digest: response.headers.get('docker-content-digest') ?? undefined };
    } catch {
      throw this.error(ref, `GET ${new URL(url).pathname} answered what is not JSON`);
    }
  }

  /** One request with its auth, following redirects by hand: credentials never leave their origin. */
  private async send(ref: ImageReference, url: string, origin: string, accept: string, kind: 'manifest' | 'blob'): Promise<Response> {
    await this.probe(ref, origin);
    let target = url;
    let authorization = await this.authorizationFor(ref, origin);
    let answeredChallenge = false;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const sameOrigin = new URL(target).origin === origin;
      const response = await this.request(ref, target, {
        accept,
        ...(sameOrigin && authorization ? { authorization } : {})
      });
      this.requests[kind]++;
      // the first answer of an origin says how it authenticates; requests sent before that are sent again once, authenticated
      if (response.status === 401 && sameOrigin && !answeredChallenge) {
        answeredChallenge = true;
        const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
        await response.body?.cancel();
        if (!challenge) return response;
        if (!this.challenges.has(origin)) this.challenges.set(origin, challenge);
        const retry = await this.authorizationFor(ref, origin);
        if (!retry || retry === authorization) return response;
        authorization = retry;
        hop = -1;
        continue;
      }
      if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
        await response.body?.cancel();
        // a blob redirected to its storage is fetched there without the registry's credentials
        target = new URL(response.headers.get('location') ?? '', target).toString();
        continue;
      }
      return response;
    }
    throw this.error(ref, `more than ${MAX_REDIRECTS} redirects from ${url}`);
  }

  /** Ask an origin once how it authenticates (`GET /v2/` answers 401 with its challenge, or 200 when it needs nothing). */
  private probe(ref: ImageReference, origin: string): Promise<void> {
    let pending = this.probes.get(origin);
    if (!pending) {
      pending = (async () => {
        this.requests.probe++;
        const response = await this.request(ref, `${origin}/v2/`, {});
        const challenge = response.status === 401 ? parseChallenge(response.headers.get('www-authenticate') ?? '') : undefined;
        await response.body?.cancel();
        if (challenge && !this.challenges.has(origin)) this.challenges.set(origin, challenge);
      })();
      this.probes.set(origin, pending);
    }
    return pending;
  }

  /** The Authorization header for an origin, once it has said how it authenticates. */
  private async authorizationFor(ref: ImageReference, origin: string): Promise<string | undefined> {
    const challenge = this.challenges.get(origin);
    if (!challenge) return undefined;
    const credentials = this.options.credentialsFor(ref.registry);
    if (challenge.scheme === 'basic')
      return credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
    const scope = `repository:${ref.repository}:pull`;
    const key = `${challenge.realm} ${challenge.service ?? ''} ${scope}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = this.fetchToken(ref, challenge, scope, credentials);
      this.tokens.set(key, token);
    }
    return `Bearer ${await token}`;
  }

  /** The Bearer token flow: the realm gives a token for the scope, anonymous or with the registry's credentials. */
  private async fetchToken(
    ref: ImageReference,
    challenge: Extract<Challenge, { scheme: 'bearer' }>,
    scope: string,
    credentials: RegistryCredentials | undefined
  ): Promise<string> {
    const url = new URL(challenge.realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    url.searchParams.set('scope', scope);
    // credentials go to a token server on the registry's own host only (Artifactory, GHCR): a challenge
    // naming another host (Docker Hub's auth.docker.io) gets an anonymous request
    const sameHost = url.hostname === new URL(originFor(ref.registry, this.options.rewrites)).hostname;
    const headers: Record<string, string> =
      credentials && sameHost
        ? { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` }
        : {};
    this.requests.token++;
    // not through the limit: the request waiting for this token holds a slot already
    const response = await this.request(ref, url.toString(), headers, 'manual');
    if (response.status !== 200)
      throw this.error(ref, `its token server ${url.origin} answered ${response.status}${await describeBody(response)}`);
    const body = JSON.parse(await this.readBounded(ref, response, url.toString())) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw this.error(ref, `its token server ${url.origin} answered no token`);
    return token;
  }

  /** One fetch with the deadline; a server that does not answer in time is named, and not asked again. */
  private async request(
    ref: ImageReference,
    url: string,
    headers: Record<string, string>,
    redirect: 'manual' | 'follow' = 'manual'
  ): Promise<Response> {
    try {
      return await this.fetch(url, { headers, redirect, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (error) {
      const origin = new URL(url).origin;
      const name = (error as { name?: unknown } | null)?.name;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      const what = timedOut
        ? `${origin} gave no answer in ${this.options.timeoutMs / 1000} s`
        : `${origin} cannot be reached (${errorMessage(error)})`;
      this.silent.set(originFor(ref.registry, this.options.rewrites), what);
      throw this.error(ref, what);
    }
  }

  private async readBounded(ref: ImageReference, response: Response, url: string): Promise<string> {
    if (!response.body) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        if (size > MAX_DOCUMENT_BYTES)
          throw this.error(ref, `GET ${new URL(url).pathname} answered more than ${MAX_DOCUMENT_BYTES / MEGABYTE} MB`);
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      throw this.error(ref, `GET ${new URL(url).pathname}: ${errorMessage(error)}`);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

/** The first registry error of an answer's body, for the message. */
async function describeBody(response: Response): Promise<string> {
  try {
    const text = (await response.text()).slice(0, 2000);
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const first = body.errors?.[0];
    return first ? ` (${first.code ?? ''}: ${first.message ?? ''})` : '';
  } catch {
    return '';
  }
}
