/**
 * The REST API version the action asks for, sent with every request (`X-GitHub-Api-Version`), so
 * that a change of GitHub's default never changes what the action gets.
 *
 * - github.com and GHE.com (`api.github.com`, `api.<tenant>.ghe.com`): 2026-03-10. There the
 *   dispatch endpoint always answers 200 with the run's id and links; `return_run_details` is
 *   removed from that version, so it is not sent.
 * - GitHub Enterprise Server (any other API URL): 2022-11-28, the version every server knows. 3.21
 *   and later answer 200 with run details when asked with `return_run_details: true`; 3.20 and
 *   older refuse that key with a 400, and the dispatcher sends the dispatch again without it (204,
 *   the run is found by correlation).
 */
export type RestApiVersion = '2026-03-10' | '2022-11-28';

export const API_VERSION_HEADER = 'x-github-api-version';

export function restApiVersion(apiUrl: string): RestApiVersion {
  let host: string;
  try {
    host = new URL(apiUrl).hostname.toLowerCase();
  } catch {
    return '2022-11-28';
  }
  return host === 'api.github.com' || /^api\.[a-z0-9-]+\.ghe\.com$/.test(host) ? '2026-03-10' : '2022-11-28';
}

/** Whether a dispatch must ask for run details (`return_run_details: true`) to get them in its answer. */
export function dispatchAsksForRunDetails(version: RestApiVersion): boolean {
  return version === '2022-11-28';
}
