import pLimit, { type LimitFunction } from 'p-limit';
import { formatMegabytes } from '../bytes.js';
import { formatDuration } from '../duration.js';
import { CancelledError, ForeignOriginError, NoAnswerError } from '../errors.js';
import { createProxyFetch, type PlainFetch } from './proxy-fetch.js';

/**
 * The action's one network policy. Every HTTP request of the action (GitHub REST and GraphQL, chart
 * downloads, registries, package indexes) goes through `OriginBoundFetch.request`:
 * - a deadline on the whole exchange, the body included, and an idle deadline between body chunks;
 * - a byte bound on the body after decompression (error bodies too), and a decompression ratio bound;
 * - redirects followed by hand: within the origin, or to another origin without credentials, never
 *   from https to http;
 * - credentials sent only to their own origin (scheme, host and port);
 * - the job's signal: a cancel aborts every request in flight;
 * - a per-origin limit of requests in flight, token requests included;
 * - the proxy settings (`https_proxy`, `no_proxy`), through the toolkit's agent.
 */

/** What to do with a redirect to another origin: refuse it, or follow it without any credential. */
export type RedirectPolicy = 'same-origin' | 'drop-credentials';

/** How one kind of server is asked. */
export interface RequestPolicy {
  /** Names the server in messages: `GitHub API`, `chart repository https://charts.example`, `registry ghcr.io`. */
  service: string;
  /** Deadline of the whole exchange (redirects and body), from when the request is sent. */
  timeoutMs: number;
  /** Deadline between two chunks of a body (a server that drips a byte a second); default the smaller of 30 s and `timeoutMs`. */
  idleMs?: number;
  /** Bound on the body after decompression. */
  maxBytes: number;
  redirects: RedirectPolicy;
}

/** An Authorization header and the one origin it may go to. */
export interface Credential {
  origin: string;
  authorization: string;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | null;
  credential?: Credential;
  /** The caller's own signal (Octokit's), joined with the job's and the deadline. */
  signal?: AbortSignal | null;
  /**
   * Where a 2xx body goes as it comes, chunk by chunk, under the same deadline, idle deadline and
   * byte bound, instead of into `HttpAnswer.body` (left empty): a layer read without holding it. The
   * next chunk is read once the sink's promise settles; a sink that throws ends the exchange.
   */
  sink?: (chunk: Uint8Array) => Promise<void> | void;
}

/** An answer with its body read, within the policy's bounds. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: Headers;
  /** Where the answer came from, after redirects. */
  url: string;
  body: Buffer;
}

/** A server that did not answer, or stopped sending, within its deadline. */
export class HttpNoAnswer extends NoAnswerError {
  constructor(
    readonly service: string,
    readonly operation: string,
    readonly timeoutMs: number,
    readonly idle = false
  ) {
    super(
      idle
        ? `${service}: ${operation} sent nothing for ${formatDuration(timeoutMs)} in its answer`
        : `${service}: ${operation} gave no answer in ${formatDuration(timeoutMs)}`
    );
  }
}

/** A body past its bound (or inflating past the ratio bound): reading stopped there. */
export class HttpTooLarge extends Error {
  override readonly name = 'HttpTooLarge';
}

/** A redirect from https to plain http: refused, whatever it carries. */
export class HttpDowngrade extends Error {
  override readonly name = 'HttpDowngrade';
  constructor(service: string, operation: string, target: string) {
    super(
      `${service}: ${operation} was redirected from https to ${target}: refused, nothing is read over plain http once asked over https`
    );
  }
}

/** Redirects followed per request (a blob is usually redirected once, to its storage). */
export const MAX_REDIRECTS = 5;
/** Requests in flight at once per origin (GitHub allows 100 across a token; registries and chart servers far fewer). */
export const REQUESTS_PER_ORIGIN = 8;
/** What is read of a body that is not the answer asked for (4xx, 5xx): enough for its message. */
export const ERROR_BODY_BYTES = 64 * 1024;
/** A body that inflates more than this many times its sent size is a decompression bomb. */
export const MAX_INFLATION_RATIO = 200;
/** Inflation below this size is not judged by its ratio (a small JSON compresses well). */
const RATIO_FLOOR_BYTES = 1024 * 1024;
const DEFAULT_IDLE_MS = 30_000;

/** `GET /repos/o/r/tags`: the method and the path of a request, without the query or the host. */
export function describeRequest(method: string | undefined, url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // a relative URL is already a path
  }
  return `${(method ?? 'GET').toUpperCase()} ${path.split('?')[0] ?? path}`;
}

/** A Basic Authorization header: the one place it is built (git's extra header too). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** A Bearer Authorization header (a registry's token). */
export function bearerAuthorization(token: string): string {
  return `Bearer ${token}`;
}

/** GitHub's Authorization header for a token (an installation token, a personal token). */
export function tokenAuthorization(token: string): string {
  return `token ${token}`;
}

/** Headers that carry a credential: never sent across origins. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

export class OriginBoundFetch {
  private readonly fetch: PlainFetch;
  private readonly limits = new Map<string, LimitFunction>();
  private running = 0;

  constructor(
    /** The job's signal: aborting it aborts every request in flight. */
    private readonly jobSignal: AbortSignal,
    options: { fetch?: PlainFetch; perOrigin?: number } = {}
  ) {
    this.fetch = options.fetch ?? createProxyFetch();
    this.perOrigin = options.perOrigin ?? REQUESTS_PER_ORIGIN;
  }

  private readonly perOrigin: number;

  /** Exchanges in flight now (a cancelled job has none left). */
  inFlight(): number {
    return this.running;
  }

  /** The job's signal, aborted when the job is cancelled or ends: what else the job runs (helm, git) ends with it. */
  get signal(): AbortSignal {
    return this.jobSignal;
  }

  /** One exchange under the policy: redirects followed, the body read within its bounds. */
  async request(url: string, policy: RequestPolicy, request: HttpRequest = {}): Promise<HttpAnswer> {
    const origin = new URL(url).origin;
    let limit = this.limits.get(origin);
    if (!limit) {
      limit = pLimit(this.perOrigin);
      this.limits.set(origin, limit);
    }
    return limit(() => this.exchange(url, policy, request));
  }

  /** The same policy as a fetch for Octokit's `request.fetch`: the body read here and handed on whole. */
  asFetch(policy: RequestPolicy): (url: string, init: RequestInit) => Promise<Response> {
    return async (url, init) => {
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, key) => (headers[key] = value));
      let answer: HttpAnswer;
      try {
        answer = await this.request(url, policy, {
          method: init.method ?? 'GET',
          headers,
          body: typeof init.body === 'string' || init.body instanceof Uint8Array ? init.body : null,
          signal: init.signal ?? null
        });
      } catch (error) {
        // Octokit retries what a fetch throws, but for an AbortError: a cancelled job asks nothing again
        if (error instanceof CancelledError) throw Object.assign(new Error(error.message), { name: 'AbortError' });
        throw error;
      }
      const noBody = [101, 204, 205, 304].includes(answer.status);
      const response = new Response(noBody ? null : answer.body, {
        status: answer.status,
        statusText: answer.statusText,
        headers: answer.headers
      });
      Object.defineProperty(response, 'url', { value: answer.url });
      return response;
    };
  }

  private async exchange(url: string, policy: RequestPolicy, request: HttpRequest): Promise<HttpAnswer> {
    if (this.jobSignal.aborted) throw new CancelledError(this.jobSignal);
    const operation = describeRequest(request.method, url);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new HttpNoAnswer(policy.service, operation, policy.timeoutMs)), policy.timeoutMs);
    const signals = [this.jobSignal, deadline.signal, ...(request.signal ? [request.signal] : [])];
    const signal = AbortSignal.any(signals);
    this.running++;
    try {
      const response = await this.followRedirects(url, policy, request, signal, operation);
      const asked = response.status >= 200 && response.status < 300;
      const bound = asked ? policy.maxBytes : Math.min(policy.maxBytes, ERROR_BODY_BYTES);
      const body = await readBody(response, {
        ...(asked && request.sink ? { sink: request.sink } : {}),
        maxBytes: bound,
        // an error body is read for its message: its end is cut, not refused
        truncate: !asked,
        idleMs: Math.min(policy.idleMs ?? DEFAULT_IDLE_MS, policy.timeoutMs),
        service: policy.service,
        operation
      });
      return { status: response.status, statusText: response.statusText, headers: response.headers, url: response.url, body };
    } catch (error) {
      if (this.jobSignal.aborted) throw new CancelledError(this.jobSignal);
      if (deadline.signal.aborted && deadline.signal.reason instanceof HttpNoAnswer) throw deadline.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
      this.running--;
    }
  }

  private async followRedirects(
    url: string,
    policy: RequestPolicy,
    request: HttpRequest,
    signal: AbortSignal,
    operation: string
  ): Promise<Response> {
    const first = new URL(url);
    let target = first;
    let method = (request.method ?? 'GET').toUpperCase();
    let body = request.body ?? null;
    let crossed = false;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(request.headers ?? {})) {
        if (crossed && CREDENTIAL_HEADERS.includes(key.toLowerCase())) continue;
        headers[key] = value;
      }
      const credential = request.credential;
      if (credential && target.origin === credential.origin) headers.authorization = credential.authorization;
      const response = await this.fetch(target.toString(), { method, headers, body, redirect: 'manual', signal });
      Object.defineProperty(response, 'url', { value: target.toString(), configurable: true });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || !location) return response;
      await response.body?.cancel().catch(() => undefined);
      if (hop >= MAX_REDIRECTS) throw new Error(`${policy.service}: ${operation}: more than ${MAX_REDIRECTS} redirects`);
      const next = new URL(location, target);
      if (target.protocol === 'https:' && next.protocol !== 'https:') throw new HttpDowngrade(policy.service, operation, next.origin);
      if (next.protocol !== 'https:' && next.protocol !== 'http:')
        throw new ForeignOriginError(policy.service, operation, next.protocol, 'was redirected to the scheme');
      if (next.origin !== first.origin) {
        if (policy.redirects === 'same-origin') throw new ForeignOriginError(policy.service, operation, next.origin, 'was redirected to');
        crossed = true;
      }
      // 303, and 301/302 of anything but GET/HEAD, go on as GET (as fetch does)
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && !/^(GET|HEAD)$/.test(method))) {
        method = 'GET';
        body = null;
      }
      target = next;
    }
  }
}

interface BodyBounds {
  sink?: (chunk: Uint8Array) => Promise<void> | void;
  maxBytes: number;
  truncate: boolean;
  idleMs: number;
  service: string;
  operation: string;
}

/** Read a body as it comes: past the bound it is refused (or cut), a pause past `idleMs` ends it. */
async function readBody(response: Response, bounds: BodyBounds): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const describe = `${bounds.service}: ${bounds.operation}`;
  const declared = Number(response.headers.get('content-length') ?? NaN);
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  if (!bounds.truncate && !encoded && declared > bounds.maxBytes) {
    await response.body.cancel().catch(() => undefined);
    throw new HttpTooLarge(`${describe} answered ${formatMegabytes(declared, 1)}, more than ${formatMegabytes(bounds.maxBytes, 1)}`);
  }
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      let idle: NodeJS.Timeout | undefined;
      const next: { done: boolean; value?: Uint8Array } = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => {
          idle = setTimeout(() => reject(new HttpNoAnswer(bounds.service, bounds.operation, bounds.idleMs, true)), bounds.idleMs);
        })
      ]).finally(() => clearTimeout(idle));
      const chunk = next.value;
      if (next.done || !chunk) break;
      size += chunk.byteLength;
      if (encoded && Number.isFinite(declared) && size > RATIO_FLOOR_BYTES && size > declared * MAX_INFLATION_RATIO)
        throw new HttpTooLarge(`${describe} answered a body that inflates more than ${MAX_INFLATION_RATIO} times its size`);
      if (size > bounds.maxBytes) {
        if (bounds.truncate) {
          chunks.push(chunk.subarray(0, chunk.byteLength - (size - bounds.maxBytes)));
          break;
        }
        throw new HttpTooLarge(`${describe} answered more than ${formatMegabytes(bounds.maxBytes, 1)}`);
      }
      if (bounds.sink) await bounds.sink(chunk);
      else chunks.push(chunk);
    }
  } finally {
    // a body left unread (cut, refused, idle) is not waited for
    void reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks);
}
