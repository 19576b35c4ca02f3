import { formatDuration } from '../duration.js';
import { NoAnswerError } from '../errors.js';

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

/**
 * fetch with a deadline on the whole exchange, the answer's body included: the body is read here,
 * within the deadline, and handed on in a fresh Response. A request that runs out of time fails
 * with RequestNoAnswer (Octokit's retry plugin tries it again like any network error).
 */
export function fetchWithDeadline(inner: Fetch, timeoutMs: number): Fetch {
  return async (url, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      const response = await inner(url, { ...init, signal });
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
