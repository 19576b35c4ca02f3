import { OriginBoundFetch } from '../../src/http/origin-bound-fetch.js';

/** The job's network policy as a test without a job uses it: never cancelled. */
export function testHttp(): OriginBoundFetch {
  return new OriginBoundFetch(new AbortController().signal);
}
