import { HttpClient } from '@actions/http-client';
import { fetch as undiciFetch, type Dispatcher } from 'undici';

export type PlainFetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * A fetch through the proxy that `https_proxy`/`http_proxy`/`no_proxy` name (read when the fetch
 * is created), as the Actions toolkit does, with one proxy agent per origin.
 */
export function createProxyFetch(): PlainFetch {
  const http = new HttpClient();
  const dispatchers = new Map<string, Dispatcher | undefined>();
  const call = undiciFetch as unknown as (url: string, init: RequestInit & { dispatcher?: Dispatcher }) => Promise<Response>;
  return (url, init) => {
    const origin = new URL(url).origin;
    if (!dispatchers.has(origin)) dispatchers.set(origin, http.getAgentDispatcher(url));
    const dispatcher = dispatchers.get(origin);
    return call(url, dispatcher ? { ...init, dispatcher } : init);
  };
}
