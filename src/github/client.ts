import { GitHub } from '@actions/github/lib/utils';
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { errorMessage, ForeignOriginError, httpStatus, NoAnswerError, rethrowIfFatal } from '../errors.js';
import { MEGABYTE } from '../bytes.js';
import { describeRequest, HttpNoAnswer, type OriginBoundFetch } from '../http/origin-bound-fetch.js';
import type { RateBudget } from '../dispatch/poll-interval.js';
import { API_VERSION_HEADER, restApiVersion, type RestApiVersion } from './api-version.js';

export const GitHubClient = GitHub.plugin(throttling, retry);
export type Octokit = InstanceType<typeof GitHubClient>;

export type GitHubAuth = { kind: 'token'; token: string } | { kind: 'app'; appId: string; privateKey: string };

export interface ClientOptions {
  apiUrl: string;
  org: string;
  /** A repo of the org the App is installed on (the product stream repo), to find the installation by. */
  repo?: string;
  auth: GitHubAuth;
  log: { info(message: string): void; debug(message: string): void };
  /** Retries of a request that failed with a 5xx, a network error or no answer (Octokit's retry plugin). Default 2. */
  retries?: number;
  /** Deadline of each try of a request, the answer's body included. Default 60 s. */
  timeoutMs?: number;
  /** The job's one network policy: every request goes through it. */
  http: OriginBoundFetch;
  /** The REST API version to ask for; by default the one for `apiUrl` (see api-version.ts). */
  apiVersion?: RestApiVersion;
  /**
   * Space writes a second apart in real time (Octokit's throttling; default true). Only a
   * simulation on an injected clock turns it off: its dispatch pacer spaces writes on that clock.
   */
  spaceWrites?: boolean;
}

/** Installation token permissions (GitHub's names); `metadata: read` comes with every token. */
export type TokenPermissions = Partial<Record<'actions' | 'contents' | 'issues', 'read' | 'write'>>;

/** What one installation token may reach: these repositories of the org, with these permissions. */
export interface TokenScope {
  repositories: readonly string[];
  permissions: TokenPermissions;
}

/** GitHub takes at most 500 repositories in a token request; above that the token covers the installation's. */
export const MAX_TOKEN_REPOSITORIES = 500;

export interface Connection {
  octokit: Octokit;
  /**
   * GraphQL for reads that may run side by side: the same auth, retries and deadlines, without the
   * one-second spacing Octokit's throttling gives every GraphQL request as if it were a write
   * (GitHub limits GraphQL by points, which each query reads back in its `rateLimit` field).
   */
  graphqlReads: Octokit['graphql'];
  /** The login whose dispatches create runs: `<app-slug>[bot]` for an App, the token's user otherwise (when it may ask). */
  dispatcherLogin(): Promise<string | undefined>;
  /** A token for git over HTTPS; installation tokens are renewed by @octokit/auth-app when asked again. */
  gitToken(): Promise<string>;
  /** The primary rate limit left, as the last REST answer said. */
  rateBudget(): RateBudget | undefined;
  /** The REST API version every request asks for. */
  apiVersion: RestApiVersion;
  /**
   * The same connection with a token that holds only this scope (GitHub App auth); with a token
   * given as such (GITHUB_TOKEN, a personal token) there is nothing to narrow, and it is itself.
   */
  scoped(scope: TokenScope): Connection;
}

const MAX_RATE_LIMIT_RETRIES = 3;
/** The largest GitHub answer read: a page of 100 runs is about 1 MB, a GraphQL page of tag snapshots a few MB. */
const GITHUB_ANSWER_BYTES = 64 * MEGABYTE;

/** A stand-in for the throttling plugin's write limiter that spaces nothing (for the GraphQL reads client only). */
const UNSPACED = { key: () => ({ schedule: <T>(_options: unknown, work: () => Promise<T>) => work() }) };

/** A client whose GraphQL requests are not spaced: reads only, sharing `auth` (token or installation) with the main client. */
function graphqlReadsClient(common: object, auth: Octokit['auth'] | string, log: ClientOptions['log']): Octokit {
  const throttle = { ...throttleOptions(log), write: UNSPACED };
  return typeof auth === 'string'
    ? new GitHubClient({ ...common, throttle, auth } as never)
    : new GitHubClient({ ...common, throttle, authStrategy: () => auth } as never);
}

function throttleOptions(log: ClientOptions['log']) {
  return {
    onRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      log.info(`GitHub rate limit reached on ${options.method} ${options.url}: waiting ${retryAfter} s (try ${retryCount + 1})`);
      return retryCount < MAX_RATE_LIMIT_RETRIES;
    },
    onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      log.info(`GitHub secondary rate limit on ${options.method} ${options.url}: waiting ${retryAfter} s (try ${retryCount + 1})`);
      return retryCount < MAX_RATE_LIMIT_RETRIES;
    }
  };
}

/**
 * Find the App's installation: on the org, else through the product stream repo, else on a user
 * account of that name. Only a 404 moves on to the next place.
 */
async function findInstallation(
  app: Octokit,
  appId: string,
  org: string,
  repo: string | undefined
): Promise<{ id: number; appSlug: string }> {
  const places: [string, () => Promise<{ data: { id: number; app_slug: string } }>][] = [
    [`organization ${org}`, () => app.request('GET /orgs/{org}/installation', { org })],
    ...(repo
      ? [
          [`repository ${org}/${repo}`, () => app.request('GET /repos/{owner}/{repo}/installation', { owner: org, repo })] as [
            string,
            () => Promise<{ data: { id: number; app_slug: string } }>
          ]
        ]
      : []),
    [`user ${org}`, () => app.request('GET /users/{username}/installation', { username: org })]
  ];
  for (const [place, lookup] of places) {
    try {
      const { data } = await lookup();
      return { id: data.id, appSlug: data.app_slug };
    } catch (error) {
      rethrowIfFatal(error);
      if (httpStatus(error) !== 404) {
        throw new Error(`cannot find the GitHub App installation on the ${place}: ${errorMessage(error)}`, { cause: error });
      }
    }
  }
  throw new Error(`the GitHub App ${appId} is not installed on ${org}: install it on the organization (see README, "GitHub App")`);
}

/** One Octokit for the run: throttling and retry plugins, token or GitHub App installation auth. */
export async function connect(options: ClientOptions): Promise<Connection> {
  const common = {
    baseUrl: options.apiUrl,
    throttle: (options.spaceWrites === false
      ? { ...throttleOptions(options.log), write: UNSPACED }
      : throttleOptions(options.log)) as ReturnType<typeof throttleOptions>,
    retry: { retries: options.retries ?? 2 },
    request: {
      fetch: options.http.asFetch({
        service: 'GitHub API',
        timeoutMs: options.timeoutMs ?? 60_000,
        maxBytes: GITHUB_ANSWER_BYTES,
        redirects: 'same-origin'
      })
    }
  };
  let budget: RateBudget | undefined;
  const apiVersion = options.apiVersion ?? restApiVersion(options.apiUrl);
  const apiOrigin = new URL(options.apiUrl).origin;
  const made = (octokit: Octokit): Octokit => {
    // a Link: next or a URL read from an answer that points at another origin is never asked
    octokit.hook.before('request', (request) => {
      const url = request.url;
      if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return;
      const origin = new URL(url).origin;
      if (origin !== apiOrigin) throw new ForeignOriginError('GitHub API', describeRequest(request.method, url), origin, 'would go to');
    });
    explainFailures(octokit);
    octokit.hook.before('request', (request) => {
      request.headers[API_VERSION_HEADER] = apiVersion;
    });
    octokit.hook.after('request', (response) => {
      const headers = response.headers as Record<string, string | undefined>;
      const remaining = Number(headers['x-ratelimit-remaining']);
      const reset = Number(headers['x-ratelimit-reset']);
      // GraphQL and search have budgets of their own
      if ((headers['x-ratelimit-resource'] ?? 'core') !== 'core' || !Number.isFinite(remaining) || !Number.isFinite(reset)) return;
      budget = { remaining, resetAt: reset * 1000 };
    });
    return octokit;
  };
  const rateBudget = (): RateBudget | undefined => budget;
  if (options.auth.kind === 'token') {
    const token = options.auth.token;
    const octokit = made(new GitHubClient({ ...common, auth: token }));
    let login: Promise<string | undefined> | undefined;
    const dispatcherLogin = (): Promise<string | undefined> =>
      (login ??= octokit.request('GET /user').then(
        (r) => r.data.login,
        // GITHUB_TOKEN and installation tokens cannot read /user: correlate without the actor then
        () => undefined
      ));
    const graphqlReads = made(graphqlReadsClient(common, token, options.log)).graphql;
    const connection: Connection = {
      octokit,
      graphqlReads,
      gitToken: () => Promise.resolve(token),
      dispatcherLogin,
      rateBudget,
      apiVersion,
      scoped: () => connection
    };
    return connection;
  }
  const { appId, privateKey } = options.auth;
  // the App itself (JWT auth), with the same proxy, throttling and retries as every other call
  const app = made(new GitHubClient({ ...common, authStrategy: createAppAuth, auth: { appId, privateKey } }));
  const installation = await findInstallation(app, appId, options.org, options.repo);
  options.log.debug(`GitHub App ${appId} (${installation.appSlug}): installation ${installation.id} on ${options.org}`);
  const installationConnection = (scope: TokenScope | undefined): Connection => {
    const octokit = new GitHubClient({
      ...common,
      authStrategy: installationAuth,
      auth: { appId, privateKey, installationId: installation.id, scope, log: options.log }
    });
    renewExpiredTokens(octokit, options.log);
    made(octokit);
    const gitToken = async (): Promise<string> => {
      const auth = (await octokit.auth({ type: 'installation' })) as { token: string };
      return auth.token;
    };
    return {
      octokit,
      graphqlReads: made(graphqlReadsClient(common, octokit.auth, options.log)).graphql,
      gitToken,
      dispatcherLogin: () => Promise.resolve(`${installation.appSlug}[bot]`),
      rateBudget,
      apiVersion,
      scoped: (narrower) => installationConnection(narrower)
    };
  };
  return installationConnection(undefined);
}

type InstallationAuthOptions = {
  appId: string;
  privateKey: string;
  installationId: number;
  scope: TokenScope | undefined;
  log: ClientOptions['log'];
  request: Parameters<typeof createAppAuth>[0]['request'];
};

/**
 * Octokit's auth strategy for one installation token scope. @octokit/auth-app's own hook asks for
 * installation tokens without `repositories` or `permissions`, whatever its options say, so this
 * hook asks for them itself (auth-app caches each scope's token and renews it before it expires).
 */
function installationAuth(options: InstallationAuthOptions) {
  const app = createAppAuth({ appId: options.appId, privateKey: options.privateKey, request: options.request });
  const scope = options.scope;
  let repositoryNames = scope ? [...new Set(scope.repositories)].sort() : undefined;
  if (repositoryNames && repositoryNames.length > MAX_TOKEN_REPOSITORIES) {
    options.log.info(
      `${repositoryNames.length} repositories are more than a token can be limited to (${MAX_TOKEN_REPOSITORIES}): this token covers the installation's repositories`
    );
    repositoryNames = undefined;
  }
  const installation = {
    type: 'installation' as const,
    installationId: options.installationId,
    ...(repositoryNames ? { repositoryNames } : {}),
    ...(scope ? { permissions: scope.permissions as Record<string, string> } : {})
  };
  const auth = async (asked: { refresh?: boolean } = {}) => {
    try {
      return await app({ ...installation, ...(asked.refresh ? { refresh: true } : {}) });
    } catch (error) {
      throw scopeRefused(error, scope, repositoryNames);
    }
  };
  type Hook = ReturnType<typeof createAppAuth>['hook'];
  const hook = async (request: Parameters<Hook>[0], route: Parameters<Hook>[1], parameters?: Parameters<Hook>[2]) => {
    const endpoint = request.endpoint.merge(route as string, parameters);
    // the token request itself (and any App endpoint) is signed with the App's JWT by auth-app's hook
    const path = (endpoint.url ?? '').replace(request.endpoint.DEFAULTS.baseUrl, '').split('?')[0] ?? '';
    if (path === '/app' || path.startsWith('/app/')) return app.hook(request, route, parameters);
    const { token } = await auth();
    endpoint.headers.authorization = `token ${token}`;
    return request(endpoint as never);
  };
  return Object.assign(auth, { hook });
}

/** GitHub would not make a token of this scope: say which, and what the App needs. */
function scopeRefused(error: unknown, scope: TokenScope | undefined, repositories: readonly string[] | undefined): unknown {
  const status = httpStatus(error);
  if (status === undefined || status >= 500 || !scope) return error;
  const permissions = Object.entries(scope.permissions)
    .map(([name, level]) => `${name}: ${level}`)
    .join(', ');
  const where = repositories
    ? repositories.length > 5
      ? `${repositories.slice(0, 5).join(', ')} and ${repositories.length - 5} more`
      : repositories.join(', ')
    : 'the installation';
  return new Error(
    `GitHub refused a token with ${permissions} on ${where} (${status} ${errorMessage(error)}): give the GitHub App these ` +
      `permissions and install it on these repositories (README, "GitHub App")`,
    { cause: error }
  );
}

/**
 * Installation tokens live an hour. @octokit/auth-app renews them from its cache after 59 minutes;
 * when the server says a token is no longer good before that (clock skew, revocation), get a fresh
 * one and send the request once more.
 */
function renewExpiredTokens(octokit: Octokit, log: ClientOptions['log']): void {
  octokit.hook.error('request', async (error, options) => {
    const status = httpStatus(error);
    // a flag in `request` options travels with the request but is never sent
    const renewed = (options.request as { renewedToken?: boolean } | undefined)?.renewedToken;
    if (status !== 401 || renewed) throw error;
    log.info('GitHub answered 401 Bad credentials: renewing the installation token');
    await octokit.auth({ type: 'installation', refresh: true });
    const again = octokit.request as unknown as (route: object) => ReturnType<typeof octokit.request>;
    return again({ ...options, request: { ...options.request, renewedToken: true } });
  });
}

/** What a token needs for an operation, said when GitHub refuses it. */
export function tokenNeeds(operation: string): string {
  if (/^POST .*\/dispatches$/.test(operation) || /\/cancel$|\/rerun/.test(operation)) return 'actions: write on that repository';
  if (/\/actions\//.test(operation)) return 'actions: read on that repository';
  if (/\/issues(\/|$)/.test(operation)) return 'issues: write on that repository (for the failure issue)';
  if (/installation/.test(operation)) return 'a valid app-id and private-key of an App installed on the organization';
  return 'contents: read on the repositories of the configuration (and actions: write to dispatch)';
}

/**
 * The outermost wrap of every request: a request that got no answer in any try becomes one
 * NoAnswerError naming the operation and the tries; a refused token says what the token needs.
 */
function explainFailures(octokit: Octokit): void {
  octokit.hook.wrap('request', async (request, options) => {
    try {
      return await request(options);
    } catch (error) {
      const sent = (error as { request?: { method?: string; url?: string } }).request;
      const operation = describeRequest(sent?.method ?? options.method, sent?.url ?? options.url);
      let cause: unknown = error;
      for (let depth = 0; depth < 5 && cause instanceof Error; depth++, cause = cause.cause) {
        if (cause instanceof ForeignOriginError) throw cause;
        if (!(cause instanceof HttpNoAnswer)) continue;
        // the retry plugin counts each failed try in retryCount (the last one too)
        const tries = Math.max(1, (options.request as { retryCount?: number } | undefined)?.retryCount ?? 1);
        throw new NoAnswerError(`${cause.message} (${tries} ${tries === 1 ? 'try' : 'tries'})`);
      }
      const status = httpStatus(error);
      const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {};
      const rateLimited = headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(errorMessage(error));
      if ((status === 401 || (status === 403 && !rateLimited)) && error instanceof Error) {
        error.message = `GitHub refused the token (${status} ${error.message}) for ${operation}: it needs ${tokenNeeds(operation)}`;
      }
      throw error;
    }
  });
}
