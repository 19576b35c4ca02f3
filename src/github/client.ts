import { GitHub } from '@actions/github/lib/utils';
import { createAppAuth } from '@octokit/auth-app';
import { createTokenAuth } from '@octokit/auth-token';
import { graphql } from '@octokit/graphql';
import { retry } from '@octokit/plugin-retry';
import { request } from '@octokit/request';
import { RequestError } from '@octokit/request-error';
import { throttling } from '@octokit/plugin-throttling';
import { errorMessage, firstLine, ForeignOriginError, httpStatus, NoAnswerError, rethrowIfFatal, TokenRefusedError } from '../errors.js';
import { MEGABYTE } from '../bytes.js';
import { describeRequest, HttpNoAnswer, tokenAuthorization, type OriginBoundFetch } from '../http/origin-bound-fetch.js';
import type { RateBudget } from '../dispatch/poll-interval.js';
import { API_VERSION_HEADER, restApiVersion, type RestApiVersion } from './api-version.js';

export const GitHubClient = GitHub.plugin(throttling, retry);
export type Octokit = InstanceType<typeof GitHubClient>;
/** A GraphQL read: the query and its variables in, the answer's data out. */
export type GraphqlRead = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

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
   * GraphQL for reads that may run side by side: the same auth, fetch (deadlines, origin rule) and
   * tries, without the one-second spacing Octokit's throttling gives every GraphQL request as if it
   * were a write (GitHub limits GraphQL by points, which each query reads back in `rateLimit`).
   */
  graphqlReads: GraphqlRead;
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

/** Throttling (documented options): off only for a simulation on an injected clock, whose pacer spaces writes itself. */
function throttleOptions(log: ClientOptions['log'], enabled: boolean) {
  return {
    enabled,
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
  type Place = [string, () => Promise<{ data: { id: number; app_slug: string } }>];
  const places: Place[] = [[`organization ${org}`, () => app.request('GET /orgs/{org}/installation', { org })]];
  if (repo) places.push([`repository ${org}/${repo}`, () => app.request('GET /repos/{owner}/{repo}/installation', { owner: org, repo })]);
  places.push([`user ${org}`, () => app.request('GET /users/{username}/installation', { username: org })]);
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

/** What every client of one connection shares: options for Octokit, the hooks, the GraphQL reads, the budget. */
interface Clients {
  common: {
    baseUrl: string;
    throttle: ReturnType<typeof throttleOptions>;
    retry: { retries: number };
    request: { fetch: (url: string, init: RequestInit) => Promise<Response> };
  };
  made(octokit: Octokit): Octokit;
  reads(hook: ReturnType<typeof createTokenAuth>['hook']): GraphqlRead;
  shared: Pick<Connection, 'rateBudget' | 'apiVersion'>;
}

/** One Octokit for the run: throttling and retry plugins, token or GitHub App installation auth. */
export async function connect(options: ClientOptions): Promise<Connection> {
  const retries = options.retries ?? 2;
  const fetch = options.http.asFetch({
    service: 'GitHub API',
    timeoutMs: options.timeoutMs ?? 60_000,
    maxBytes: GITHUB_ANSWER_BYTES,
    redirects: 'same-origin'
  });
  const budget: { last?: RateBudget } = {};
  const apiVersion = options.apiVersion ?? restApiVersion(options.apiUrl);
  const clients: Clients = {
    common: {
      baseUrl: options.apiUrl,
      throttle: throttleOptions(options.log, options.spaceWrites !== false),
      retry: { retries },
      request: { fetch }
    },
    made: (octokit) =>
      withHooks(octokit, { apiUrl: options.apiUrl, apiVersion, retries, budget, tokenSource: tokenSourceOf(options.auth) }),
    reads: (hook) =>
      graphqlWithTries(
        graphql.defaults({ baseUrl: options.apiUrl, headers: { [API_VERSION_HEADER]: apiVersion }, request: { fetch, hook } }),
        retries
      ),
    shared: { rateBudget: () => budget.last, apiVersion }
  };
  return options.auth.kind === 'token' ? tokenConnection(clients, options.auth.token) : appConnection(clients, options, options.auth);
}

/** A token given as such (GITHUB_TOKEN, a personal token): nothing to narrow, every scope is itself. */
function tokenConnection(clients: Clients, token: string): Connection {
  const octokit = clients.made(new GitHubClient({ ...clients.common, auth: token }));
  let login: Promise<string | undefined> | undefined;
  const connection: Connection = {
    ...clients.shared,
    octokit,
    graphqlReads: clients.reads(createTokenAuth(token).hook),
    gitToken: () => Promise.resolve(token),
    // GITHUB_TOKEN and installation tokens cannot read /user: correlate without the actor then
    dispatcherLogin: () =>
      (login ??= octokit.request('GET /user').then(
        (r) => r.data.login,
        () => undefined
      )),
    scoped: () => connection
  };
  return connection;
}

/** A GitHub App: its installation found once, then one installation token per scope. */
async function appConnection(clients: Clients, options: ClientOptions, auth: Extract<GitHubAuth, { kind: 'app' }>): Promise<Connection> {
  const { appId, privateKey } = auth;
  // the App itself (JWT auth), with the same fetch, throttling and retries as every other call
  const app = clients.made(new GitHubClient({ ...clients.common, authStrategy: createAppAuth, auth: { appId, privateKey } }));
  const installation = await findInstallation(app, appId, options.org, options.repo);
  options.log.debug(`GitHub App ${appId} (${installation.appSlug}): installation ${installation.id} on ${options.org}`);
  const scoped = (scope: TokenScope | undefined): Connection => {
    const { baseUrl, request } = clients.common;
    const tokens = installationAuth({
      appId,
      privateKey,
      installationId: installation.id,
      scope,
      log: options.log,
      baseUrl,
      fetch: request.fetch
    });
    return {
      ...clients.shared,
      octokit: clients.made(new GitHubClient({ ...clients.common, authStrategy: () => tokens })),
      graphqlReads: clients.reads(tokens.hook),
      gitToken: async () => (await tokens()).token,
      dispatcherLogin: () => Promise.resolve(`${installation.appSlug}[bot]`),
      scoped
    };
  };
  return scoped(undefined);
}

/** The hooks every client of the run has: the origin rule, the API version, the rate budget, failures explained. */
function withHooks(
  octokit: Octokit,
  context: { apiUrl: string; apiVersion: RestApiVersion; retries: number; budget: { last?: RateBudget }; tokenSource: string }
): Octokit {
  const apiOrigin = new URL(context.apiUrl).origin;
  // a Link: next or a URL read from an answer that points at another origin is never asked
  octokit.hook.before('request', (request) => {
    const url = request.url;
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return;
    const origin = new URL(url).origin;
    if (origin !== apiOrigin) throw new ForeignOriginError('GitHub API', describeRequest(request.method, url), origin, 'would go to');
  });
  explainFailures(octokit, context.retries, context.tokenSource);
  octokit.hook.before('request', (request) => {
    request.headers[API_VERSION_HEADER] = context.apiVersion;
  });
  octokit.hook.after('request', (response) => {
    const { headers } = response;
    const remaining = Number(headers['x-ratelimit-remaining']);
    const reset = Number(headers['x-ratelimit-reset']);
    // GraphQL and search have budgets of their own
    if (String(headers['x-ratelimit-resource'] ?? 'core') !== 'core' || !Number.isFinite(remaining) || !Number.isFinite(reset)) return;
    context.budget.last = { remaining, resetAt: reset * 1000 };
  });
  return octokit;
}

/**
 * GraphQL reads tried like REST reads (Octokit's retry plugin tries a request that got no answer or
 * a 5xx `retries` more times): the same number of tries, with the same message when none answered.
 */
function graphqlWithTries(read: GraphqlRead, retries: number): GraphqlRead {
  const tried = async <T>(query: string, parameters?: Record<string, unknown>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await read<T>(query, parameters);
      } catch (error) {
        const status = httpStatus(error);
        const again = attempt <= retries && !(error instanceof ForeignOriginError) && (status === undefined || status >= 500);
        if (!again) throw noAnswerOf(error, attempt) ?? error;
        await new Promise((resolve) => setTimeout(resolve, attempt * attempt * 1000));
      }
    }
  };
  return tried;
}

/** A request none of whose tries got an answer, as one NoAnswerError naming the operation and the tries. */
function noAnswerOf(error: unknown, tries: number): NoAnswerError | undefined {
  let cause: unknown = error;
  for (let depth = 0; depth < 5 && cause instanceof Error; depth++, cause = cause.cause) {
    if (cause instanceof HttpNoAnswer) return new NoAnswerError(`${cause.message} (${tries} ${tries === 1 ? 'try' : 'tries'})`);
  }
  return undefined;
}

type InstallationAuthOptions = {
  appId: string;
  privateKey: string;
  installationId: number;
  scope: TokenScope | undefined;
  log: ClientOptions['log'];
  /** The API's base URL: the App's own endpoints (`/app/…`) are signed with its JWT, the rest with the token. */
  baseUrl: string;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
};

/**
 * Octokit's auth strategy (its documented `authStrategy` and `hook`) for one installation token
 * scope. @octokit/auth-app's own hook asks for installation tokens without `repositoryNames` or
 * `permissions`, whatever its options say (auth-app 8, `hook()` in dist-src/hook.js calls
 * `getInstallationAuthentication` with the state's `installationId` only), so this hook asks for
 * them through `auth({ type: 'installation', installationId, repositoryNames, permissions })`, which
 * caches each scope's token and renews it before it expires. A token GitHub calls bad before then
 * (clock skew, revocation) is renewed once, and the request sent again, here in the hook.
 */
function installationAuth(options: InstallationAuthOptions) {
  const app = createAppAuth({
    appId: options.appId,
    privateKey: options.privateKey,
    request: request.defaults({ baseUrl: options.baseUrl, request: { fetch: options.fetch } })
  });
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
    ...(scope ? { permissions: scope.permissions } : {})
  };
  const auth = async (asked: { refresh?: boolean } = {}) => {
    try {
      return await app({ ...installation, ...(asked.refresh ? { refresh: true } : {}) });
    } catch (error) {
      throw scopeRefused(error, scope, repositoryNames);
    }
  };
  const appPath = new URL(options.baseUrl.replace(/\/+$/, '') + '/app').pathname;
  type Hook = ReturnType<typeof createAppAuth>['hook'];
  const hook = async (send: Parameters<Hook>[0], route: Parameters<Hook>[1], parameters?: Parameters<Hook>[2]) => {
    const merged = typeof route === 'string' ? send.endpoint.merge(route, parameters) : send.endpoint.merge({ ...route, ...parameters });
    const endpoint = { ...merged, url: merged.url ?? '' };
    const { pathname } = new URL(send.endpoint.parse(endpoint).url);
    // the token request itself (and any App endpoint) is signed with the App's JWT by auth-app's hook
    if (pathname === appPath || pathname.startsWith(`${appPath}/`)) return app.hook(send, route, parameters);
    const { token } = await auth();
    try {
      return await send({ ...endpoint, headers: { ...endpoint.headers, authorization: tokenAuthorization(token) } });
    } catch (error) {
      if (httpStatus(error) !== 401) throw error;
      options.log.info('GitHub answered 401 Bad credentials: renewing the installation token');
      const renewed = await auth({ refresh: true });
      return send({ ...endpoint, headers: { ...endpoint.headers, authorization: tokenAuthorization(renewed.token) } });
    }
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

/** Where the run's token comes from, as a person set it. */
function tokenSourceOf(auth: ClientOptions['auth']): string {
  return auth.kind === 'token'
    ? 'the token given (input token, or GITHUB_TOKEN on the command line)'
    : "the GitHub App installation's token (app-id and private-key)";
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
function explainFailures(octokit: Octokit, retries: number, tokenSource: string): void {
  octokit.hook.wrap('request', async (request, options) => {
    try {
      return await request(options);
    } catch (error) {
      const sent = error instanceof RequestError ? error.request : undefined;
      const operation = describeRequest(sent?.method ?? options.method, sent?.url ?? options.url);
      for (let cause: unknown = error, depth = 0; depth < 5 && cause instanceof Error; depth++, cause = cause.cause)
        if (cause instanceof ForeignOriginError) throw cause;
      // the retry plugin tries a request that got no answer `retries` more times (documented: its `retries`
      // option, or the request's own `request.retries`), so every try of it went unanswered
      const asked: unknown = options.request?.retries;
      const noAnswer = noAnswerOf(error, (typeof asked === 'number' ? asked : retries) + 1);
      if (noAnswer) throw noAnswer;
      const status = httpStatus(error);
      const remaining = error instanceof RequestError ? error.response?.headers['x-ratelimit-remaining'] : undefined;
      const rateLimited = String(remaining) === '0' || /rate limit/i.test(errorMessage(error));
      // the token itself refused: one error stops the job, naming where the token came from and what to check
      // (the App's own key refused, on the installation lookup, is said by that lookup)
      if (status === 401 && !/installation/.test(operation))
        throw new TokenRefusedError(
          `GitHub refused ${tokenSource} (401 ${firstLine(errorMessage(error))}) for ${operation}: check that the secret is set, ` +
            'not expired or revoked, and for this GitHub server; nothing more is asked of GitHub with it',
          { cause: error }
        );
      if ((status === 401 || (status === 403 && !rateLimited)) && error instanceof Error) {
        error.message = `GitHub refused the token (${status} ${error.message}) for ${operation}: it needs ${tokenNeeds(operation)}`;
      }
      throw error;
    }
  });
}
