import { formatDuration } from '../duration.js';
import { ForeignOriginError, NoAnswerError } from '../errors.js';

/** The fetch Octokit calls (`request.fetch`). */
export type Fetch = (url: string, init: RequestInit & { dispatcher?: unknown }) => Promise<Response>;

/** Marks a NoAnswerError raised by one try of a request; the client adds how many tries were made. */
export class RequestNoAnswer extends NoAnswerError {
  constructor(
    readonly operation: string,
    readonly timeoutMs: number
  ) {
    super(`GitHub API: ${operation} gave no answer in ${formatDuration(timeoutMs)}`);
  }
}

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

/** Redirects followed within the API's origin before a request is given up. */
const MAX_REDIRECTS = 5;

/**
 * Send a request with redirects followed by hand, and only within its own origin: a redirect to
 * another origin would take the request (and, with some clients, its credentials) elsewhere.
 */
async function sameOriginFetch(inner: Fetch, url: string, init: RequestInit & { dispatcher?: unknown }): Promise<Response> {
  let target = url;
  let request = init;
  for (let hop = 0; ; hop++) {
    const response = await inner(target, { ...request, redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || !location || hop >= MAX_REDIRECTS) return response;
    const next = new URL(location, target);
    if (next.origin !== new URL(url).origin)
      throw new ForeignOriginError('GitHub API', describeRequest(init.method, url), next.origin, 'was redirected to');
    await response.body?.cancel();
    // 303, and 301/302 of anything but GET/HEAD, go on as GET (as fetch does)
    const asGet =
      response.status === 303 || ((response.status === 301 || response.status === 302) && !/^(GET|HEAD)$/i.test(init.method ?? 'GET'));
    request = asGet ? { ...request, method: 'GET', body: undefined } : request;
    target = next.toString();
  }
}

/**
 * fetch with a deadline on the whole exchange, the answer's body included: the body is read here,
 * within the deadline, and handed on in a fresh Response. A request that runs out of time fails
 * with RequestNoAnswer (Octokit's retry plugin tries it again like any network error). Redirects
 * are followed only within the request's origin.
 */
export function fetchWithDeadline(inner: Fetch, timeoutMs: number): Fetch {
  return async (url, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      const response = await sameOriginFetch(inner, url, { ...init, signal });
      const noBody = response.status === 204 || response.status === 205 || response.status === 304 || init.method === 'HEAD';
      const body = noBody ? null : await response.arrayBuffer();
      const copy = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
      Object.defineProperty(copy, 'url', { value: response.url });
      return copy;
    } catch (error) {
      if (deadline.aborted) throw new RequestNoAnswer(describeRequest(init.method, url), timeoutMs);
      throw error;
    }
  };
}
