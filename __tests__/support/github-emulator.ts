import { createHash, createVerify, generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, graphqlSync, type GraphQLSchema } from 'graphql';
import { listen, readBody, type RunningServer } from './http.js';

/**
 * GitHub's own public GraphQL schema (npm @octokit/graphql-schema): queries are validated and run
 * exactly as GitHub would judge their shape (unknown fields, argument types, fragments on interfaces).
 * Built once per test process (about 0.4 s).
 */
let githubSchema: GraphQLSchema | undefined;
function graphqlSchema(): GraphQLSchema {
  if (!githubSchema) {
    // the package exports only an ESM entry (which also parses its 5 MB JSON twin): read the SDL file beside it
    const file = fileURLToPath(new URL('../../node_modules/@octokit/graphql-schema/schema.graphql', import.meta.url));
    githubSchema = buildSchema(readFileSync(file, 'utf8'), { assumeValidSDL: true });
  }
  return githubSchema;
}

/**
 * A GitHub REST API emulator on 127.0.0.1 for the endpoints the action uses, following GitHub's
 * documented behaviour: status codes and messages, Link pagination, rate-limit headers, ETags with
 * 304 answers that do not count against the limit, App JWT + installation tokens that expire, and
 * workflow runs moving queued → in_progress → completed over time. Its answers are checked against
 * the official OpenAPI description in __tests__/github-emulator.test.ts.
 */

export type RunStatus = 'requested' | 'waiting' | 'pending' | 'queued' | 'in_progress' | 'completed';
export type RunConclusion =
  'success' | 'failure' | 'cancelled' | 'timed_out' | 'action_required' | 'neutral' | 'skipped' | 'stale' | 'startup_failure';

export interface EmulatedWorkflow {
  id: number;
  name: string;
  path: string;
  state?: 'active' | 'disabled_manually';
}

export interface EmulatedRepo {
  name: string;
  /** tag → commit sha; annotated tags get a tag object. */
  tags: Record<string, string>;
  annotatedTags?: string[];
  /** Tags that have a GitHub release. */
  releases?: string[];
  /** The repo's issues (the failure issue lives here). */
  issues?: EmulatedIssue[];
  branches?: Record<string, string>;
  workflows: EmulatedWorkflow[];
  /** File content per ref (tag or branch name) and path; `*` holds files of every ref. */
  files: Record<string, Record<string, string>>;
}

export interface EmulatedIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  stateReason: 'completed' | 'reopened' | 'not_planned' | null;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  author: string;
  comments: { id: number; body: string; author: string; createdAt: number }[];
}

/** How a dispatched run behaves: milliseconds queued, milliseconds running (Infinity: never ends), conclusion. */
export interface RunScript {
  queuedMs: number;
  runMs: number;
  conclusion: RunConclusion;
  /** Status shown while "queued" (GitHub also uses waiting, pending, requested). */
  waitingStatus?: RunStatus;
  /** The job and step that fail when the conclusion is not success (default: `build`, `Build and push the image`). */
  failing?: { job: string; step: string };
}

export interface EmulatedRun {
  id: number;
  repo: string;
  workflowId: number;
  ref: string;
  headSha: string;
  event: string;
  actor: string;
  createdAt: number;
  script: RunScript;
  cancelledAt?: number;
  runNumber: number;
  /** Attempts after the first (`rerun-failed-jobs`): when each was asked for, and how it behaves. */
  reruns?: { at: number; script: RunScript }[];
  /** Made by a dispatch through the API (as opposed to noise added by a test). */
  dispatched?: boolean;
}

export interface Fault {
  method: string;
  /** Matched against the path (without query). */
  path: RegExp;
  /**
   * Answer with this status (and retry-after when set), 'drop-after-processing' to do the work then
   * cut the connection, or 'hang' to accept the request and never answer it.
   */
  status: number | 'drop-after-processing' | 'hang';
  /** The fault applies only while this holds (say, once builds were dispatched). */
  when?: () => boolean;
  retryAfter?: number;
  message?: string;
  times: number;
}

export type DispatchMode = 'run-details' | 'no-content' | 'ghes';

export interface EmulatorOptions {
  org: string;
  repos: EmulatedRepo[];
  /** How dispatches answer: 200 with run details (github.com), 204 (old API), or GHES 3.20 (400 on return_run_details). */
  dispatchMode?: DispatchMode;
  /** Behaviour of each dispatched run; `attempt` is 2 and up for re-runs of its failed jobs. */
  runScript?: (repo: string, workflow: EmulatedWorkflow, ref: string, attempt: number) => RunScript;
  /** Milliseconds before a dispatched run becomes visible in run listings (GitHub takes a moment). */
  runAppearsAfterMs?: number;
  /** Milliseconds before a re-run's new attempt shows (until then the run shows its last attempt, completed). */
  rerunAppearsAfterMs?: number;
  /** Latency added to every answer. */
  latencyMs?: number;
  /** Installation tokens live this long. */
  tokenLifetimeMs?: number;
  perPageMax?: number;
  rateLimit?: number;
  now?: () => number;
  /** Answer GraphQL queries (default); false answers 404 as a server without the GraphQL API. */
  graphql?: boolean;
  /** List runs repository-wide (default); false answers 404 there, as a server with only per-workflow listings. */
  repoRunsListing?: boolean;
  /** The installation may write issues (default); false answers 403 to writes, as an App without issues: write. */
  issuesWritable?: boolean;
  /**
   * GitHub's secondary limits on content creation (dispatches and re-runs count): above them the
   * request is refused with 403 "secondary rate limit" and a retry-after. Off unless given.
   */
  contentLimits?: { perMinute: number; perHour: number };
}

interface InstallationToken {
  expires: number;
  permissions: Record<string, string>;
  /** Repository names it may reach; undefined: every repository of the installation. */
  repositories?: string[];
}

/** Permission levels, lowest first. */
const LEVELS = ['none', 'read', 'write'];

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  status: number;
  auth?: string;
  /** The X-GitHub-Api-Version header sent, if any. */
  apiVersion?: string;
}

/** REST API versions github.com knows; GitHub Enterprise Server 3.20 (dispatchMode 'ghes') knows only the first. */
export const REST_API_VERSIONS = ['2022-11-28', '2026-03-10'] as const;
/** What GitHub takes when a request names no version. */
const DEFAULT_API_VERSION = '2022-11-28';

const APP_ID = '4242';
const INSTALLATION_ID = 777;

function sha(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {}
  ) {
    super(message);
  }
}

export class GitHubEmulator {
  readonly appId = APP_ID;
  readonly privateKey: string;
  private readonly publicKey: string;
  readonly requests: RequestRecord[] = [];
  readonly dispatches: { repo: string; workflowId: number; ref: string; inputs: unknown; returnRunDetails: boolean | undefined }[] = [];
  /** Re-runs of failed jobs asked for: which run, which attempt it started. */
  readonly reruns: { repo: string; runId: number; attempt: number }[] = [];
  readonly runs: EmulatedRun[] = [];
  readonly faults: Fault[] = [];
  /** Static tokens (a PAT) accepted as they are. */
  readonly tokens = new Set<string>(['test-token']);
  /** Installation tokens: when each expires, and what it may do (GitHub's scoping of installation tokens). */
  private readonly installationTokens = new Map<string, InstallationToken>();
  /** Every installation token made: the permissions and repositories it holds, as GitHub answered. */
  readonly tokensIssued: { permissions: Record<string, string>; repositories: string[] | 'all' }[] = [];
  private nextRunId = 9000;
  private nextTokenId = 1;
  private remaining: number;
  private windowStart: number | undefined;
  /** Requests refused with 403 because the primary budget of the hour was spent. */
  primaryLimitHits = 0;
  /** Content-creating requests refused for the secondary limits (`contentLimits`). */
  secondaryLimitHits = 0;
  /** When each content-creating request was accepted (for `contentLimits`). */
  private readonly contentCreated: number[] = [];
  /** GraphQL points left this hour (5,000; each query costs 1 here, as small queries do on GitHub). */
  private graphqlPoints = 5000;
  /** GraphQL requests being answered at once, and the most there ever were. */
  private graphqlInFlight = 0;
  graphqlMaxInFlight = 0;
  /** Time spent computing GraphQL answers (the emulator's own work, one query at a time). */
  graphqlMs = 0;
  private server: RunningServer | undefined;
  options: EmulatorOptions;

  constructor(options: EmulatorOptions) {
    this.options = options;
    this.remaining = options.rateLimit ?? 5000;
    this.windowStart = undefined;
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    this.publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  get url(): string {
    if (!this.server) throw new Error('emulator not started');
    return this.server.url;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async start(): Promise<this> {
    this.server = await listen((req, res) => this.handle(req, res));
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  repo(name: string): EmulatedRepo | undefined {
    return this.options.repos.find((r) => r.name === name);
  }

  /** A run that was not made by the dispatcher (noise: another actor, another event). */
  addRun(run: {
    repo: string;
    workflowId: number;
    ref: string;
    event: string;
    actor: string;
    createdAt?: number;
    script?: Partial<RunScript>;
  }): EmulatedRun {
    const repo = this.repo(run.repo);
    const created: EmulatedRun = {
      id: this.nextRunId++,
      repo: run.repo,
      workflowId: run.workflowId,
      ref: run.ref,
      headSha: repo?.tags[run.ref] ?? repo?.branches?.[run.ref] ?? sha(run.ref),
      event: run.event,
      actor: run.actor,
      createdAt: run.createdAt ?? this.now(),
      script: { queuedMs: 0, runMs: 60_000, conclusion: 'success', ...run.script },
      runNumber: this.runs.length + 1
    };
    this.runs.push(created);
    return created;
  }

  /** Count of requests by `METHOD /path/template`, for benchmarks and request budgets. */
  requestCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.requests) {
      const key = `${r.method} ${templateOf(r.path)}${r.status === 304 ? ' (304)' : ''}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  // ---------------------------------------------------------------- runs over time

  runState(run: EmulatedRun): { status: RunStatus; conclusion: RunConclusion | null; updatedAt: number; startedAt: number } {
    const t = this.now();
    // the latest attempt decides: a re-run goes queued → in_progress → completed again
    const latest = this.shownReruns(run).at(-1);
    const from = latest?.at ?? run.createdAt;
    const script = latest?.script ?? run.script;
    const startedAt = from + script.queuedMs;
    if (run.cancelledAt !== undefined && run.cancelledAt >= from)
      return { status: 'completed', conclusion: 'cancelled', updatedAt: run.cancelledAt, startedAt };
    if (t < startedAt) return { status: script.waitingStatus ?? 'queued', conclusion: null, updatedAt: from, startedAt };
    const endsAt = startedAt + script.runMs;
    if (t < endsAt) return { status: 'in_progress', conclusion: null, updatedAt: startedAt, startedAt };
    return { status: 'completed', conclusion: script.conclusion, updatedAt: endsAt, startedAt };
  }

  /** The re-runs a listing shows by now (GitHub takes a moment to show a new attempt). */
  private shownReruns(run: EmulatedRun): { at: number; script: RunScript }[] {
    const delay = this.options.rerunAppearsAfterMs ?? 0;
    return (run.reruns ?? []).filter((r) => r.at + delay <= this.now());
  }

  private visible(run: EmulatedRun): boolean {
    return !run.dispatched || this.now() >= run.createdAt + (this.options.runAppearsAfterMs ?? 0);
  }

  /** The login GitHub records as the actor of what this request does. */
  private actorOf(req: IncomingMessage): string {
    const credential = (req.headers.authorization ?? '').split(' ')[1] ?? '';
    return this.installationTokens.has(credential) ? 'hms-build-workflow-dispatcher[bot]' : 'test-user';
  }

  private filterRuns(runs: EmulatedRun[], q: URLSearchParams): EmulatedRun[] {
    let result = runs.filter((r) => this.visible(r));
    if (q.get('event')) result = result.filter((r) => r.event === q.get('event'));
    if (q.get('branch')) result = result.filter((r) => r.ref === q.get('branch'));
    if (q.get('actor')) result = result.filter((r) => r.actor === q.get('actor'));
    if (q.get('head_sha')) result = result.filter((r) => r.headSha === q.get('head_sha'));
    const status = q.get('status');
    if (status)
      result = result.filter((r) => {
        const s = this.runState(r);
        return s.status === status || s.conclusion === status;
      });
    const created = q.get('created');
    if (created) {
      const cm = created.match(/^(>=|<=|>|<)?(.+)$/);
      const when = Date.parse(cm?.[2] ?? '');
      const op = cm?.[1] ?? '>=';
      const floor = (t: number): number => Math.floor(t / 1000) * 1000;
      result = result.filter((r) => {
        const c = floor(r.createdAt);
        return op === '>=' ? c >= when : op === '>' ? c > when : op === '<=' ? c <= when : c < when;
      });
    }
    return [...result].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const isGraphql = url.pathname === '/graphql';
    if (isGraphql) this.graphqlMaxInFlight = Math.max(this.graphqlMaxInFlight, ++this.graphqlInFlight);
    try {
      if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    } finally {
      if (isGraphql) this.graphqlInFlight--;
    }
    const sentVersion = req.headers['x-github-api-version'];
    const record: RequestRecord = {
      method,
      path: url.pathname,
      query: url.search,
      status: 0,
      auth: req.headers.authorization,
      apiVersion: typeof sentVersion === 'string' ? sentVersion : undefined
    };
    this.requests.push(record);
    const apiVersion = record.apiVersion ?? DEFAULT_API_VERSION;
    const known: readonly string[] = this.options.dispatchMode === 'ghes' ? [DEFAULT_API_VERSION] : REST_API_VERSIONS;
    if (!isGraphql && !known.includes(apiVersion)) {
      record.status = 400;
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          message: `Unsupported 'X-GitHub-Api-Version': ${apiVersion}`,
          documentation_url: 'https://docs.github.com/rest/about-the-rest-api/api-versions',
          status: '400'
        })
      );
      return;
    }

    const fault = this.faults.find((f) => f.times > 0 && f.method === method && f.path.test(url.pathname) && (f.when?.() ?? true));
    if (fault?.status === 'hang') {
      fault.times--;
      record.status = -2;
      return; // never answered; close() ends the connection
    }
    if (fault && fault.status !== 'drop-after-processing') {
      fault.times--;
      record.status = fault.status;
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...this.rateHeaders() };
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      res.writeHead(fault.status, headers);
      res.end(JSON.stringify({ message: fault.message ?? 'Server Error', documentation_url: 'https://docs.github.com/rest' }));
      return;
    }

    // the primary limit: once the window's budget is spent, GitHub answers 403 until the reset
    this.rateWindow();
    if (this.remaining === 0 && url.pathname !== '/rate_limit' && !url.pathname.startsWith('/app/')) {
      this.primaryLimitHits++;
      record.status = 403;
      res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', ...this.rateHeaders() });
      res.end(
        JSON.stringify({
          message: 'API rate limit exceeded for installation.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api'
        })
      );
      return;
    }
    if (this.refuseContentCreation(method, url.pathname)) {
      record.status = 403;
      res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '60', ...this.rateHeaders() });
      res.end(
        JSON.stringify({
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'
        })
      );
      return;
    }
    try {
      const answer = this.route(method, url, body, req);
      if (fault && fault.status === 'drop-after-processing') {
        fault.times--;
        record.status = -1;
        req.socket.destroy();
        return;
      }
      const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
      const headers: Record<string, string> = { ...this.rateHeaders(), 'x-github-api-version-selected': apiVersion, ...answer.headers };
      if (answer.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
      if (method === 'GET' && answer.status === 200) {
        const etag = `W/"${sha(text)}"`;
        headers.etag = etag;
        if (req.headers['if-none-match'] === etag) {
          record.status = 304;
          res.writeHead(304, headers);
          res.end();
          return;
        }
      }
      // GraphQL has a budget of points of its own (its answer's headers say so)
      if (headers['x-ratelimit-resource'] !== 'graphql') {
        this.remaining = Math.max(0, this.remaining - 1);
        headers['x-ratelimit-remaining'] = String(this.remaining);
        headers['x-ratelimit-used'] = String((this.options.rateLimit ?? 5000) - this.remaining);
      }
      record.status = answer.status;
      res.writeHead(answer.status, headers);
      res.end(text);
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      record.status = status;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        ...this.rateHeaders(),
        ...(error instanceof HttpError ? error.headers : {})
      });
      res.end(
        JSON.stringify({ message: (error as Error).message, documentation_url: 'https://docs.github.com/rest', status: String(status) })
      );
    }
  }

  /** Dispatches and re-runs above `contentLimits` (per minute, per hour, sliding) are refused; the others are counted. */
  private refuseContentCreation(method: string, path: string): boolean {
    const limits = this.options.contentLimits;
    if (!limits || method !== 'POST' || !/\/(dispatches|rerun-failed-jobs)$/.test(path)) return false;
    const now = this.now();
    const lastMinute = this.contentCreated.filter((t) => t > now - 60_000).length;
    const lastHour = this.contentCreated.filter((t) => t > now - 3_600_000).length;
    if (lastMinute >= limits.perMinute || lastHour >= limits.perHour) {
      this.secondaryLimitHits++;
      return true;
    }
    this.contentCreated.push(now);
    return false;
  }

  /** The primary rate limit's hourly window: a new window restores the budget. */
  private rateWindow(): { resetAt: number } {
    const now = this.now();
    if (this.windowStart === undefined || now >= this.windowStart + 3_600_000) {
      this.windowStart = now;
      this.remaining = this.options.rateLimit ?? 5000;
      this.graphqlPoints = 5000;
    }
    return { resetAt: this.windowStart + 3_600_000 };
  }

  private rateHeaders(): Record<string, string> {
    const { resetAt } = this.rateWindow();
    return {
      'x-ratelimit-limit': String(this.options.rateLimit ?? 5000),
      'x-ratelimit-remaining': String(this.remaining),
      'x-ratelimit-used': String((this.options.rateLimit ?? 5000) - this.remaining),
      'x-ratelimit-reset': String(Math.ceil(resetAt / 1000)),
      'x-ratelimit-resource': 'core'
    };
  }

  /** The App's own permissions on the installation (what a token may ask for). */
  private appPermissions(): Record<string, string> {
    return {
      actions: 'write',
      contents: 'read',
      metadata: 'read',
      ...(this.options.issuesWritable === false ? {} : { issues: 'write' })
    };
  }

  /**
   * The scope a token request asks for (POST /app/installations/{id}/access_tokens): `permissions`
   * within the App's, `repositories` by name. Without them, everything the installation has.
   */
  private tokenScope(body: Buffer): Omit<InstallationToken, 'expires'> {
    const asked = (body.length ? JSON.parse(body.toString('utf8')) : {}) as {
      permissions?: Record<string, string>;
      repositories?: string[];
    };
    const granted = this.appPermissions();
    let permissions = granted;
    if (asked.permissions) {
      for (const [name, level] of Object.entries(asked.permissions))
        if (LEVELS.indexOf(granted[name] ?? 'none') < LEVELS.indexOf(level))
          throw new HttpError(422, 'The permissions requested are not granted to this installation.');
      // metadata: read comes with every token
      permissions = { ...asked.permissions, metadata: 'read' };
    }
    if (asked.repositories && asked.repositories.some((name) => !this.repo(name)))
      throw new HttpError(422, 'There is at least one repository that does not exist or is not accessible to the parent installation.');
    return { permissions, repositories: asked.repositories ? [...asked.repositories] : undefined };
  }

  /** What an installation token may reach, as GitHub enforces it: 404 outside its repositories, 403 beyond its permissions. */
  private authorize(req: IncomingMessage, method: string, repo: string, rest: string): void {
    const credential = (req.headers.authorization ?? '').split(' ')[1] ?? '';
    const token = this.installationTokens.get(credential);
    if (!token) return; // a personal token or GITHUB_TOKEN: not scoped here
    if (token.repositories && !token.repositories.includes(repo)) throw new HttpError(404, 'Not Found');
    const permission = rest.startsWith('/actions/') ? 'actions' : rest === '/issues' || rest.startsWith('/issues/') ? 'issues' : 'contents';
    const needed = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
    if (LEVELS.indexOf(token.permissions[permission] ?? 'none') < LEVELS.indexOf(needed))
      throw new HttpError(403, 'Resource not accessible by integration');
  }

  /** Whether the token of a GraphQL request may read this repository's contents (else GitHub answers it as not found). */
  private graphqlMayRead(credential: string, repo: string): boolean {
    const token = this.installationTokens.get(credential);
    if (!token) return true;
    return (!token.repositories || token.repositories.includes(repo)) && (token.permissions.contents ?? 'none') !== 'none';
  }

  private authenticate(req: IncomingMessage): 'app' | 'token' {
    const header = req.headers.authorization ?? '';
    const [scheme = '', credential = ''] = header.split(' ');
    if (scheme.toLowerCase() === 'bearer' && credential.split('.').length === 3) {
      this.verifyJwt(credential);
      return 'app';
    }
    if (['token', 'bearer'].includes(scheme.toLowerCase())) {
      if (this.tokens.has(credential)) return 'token';
      const installed = this.installationTokens.get(credential);
      if (installed !== undefined && installed.expires > this.now()) return 'token';
    }
    throw new HttpError(401, 'Bad credentials');
  }

  private verifyJwt(jwt: string): void {
    const [header = '', payload = '', signature = ''] = jwt.split('.');
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${header}.${payload}`);
    if (!verifier.verify(this.publicKey, Buffer.from(signature, 'base64url')))
      throw new HttpError(401, 'A JSON web token could not be decoded');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss: string | number; exp: number; iat: number };
    if (String(claims.iss) !== APP_ID) throw new HttpError(401, "'Issuer' claim ('iss') must be an Integer");
    if (claims.exp - claims.iat > 600) throw new HttpError(401, "'Expiration time' claim ('exp') is too far in the future");
    if (claims.exp * 1000 < this.now())
      throw new HttpError(
        401,
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
      );
  }

  private paginate<T>(url: URL, items: T[]): { page: T[]; headers: Record<string, string> } {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30) || 30, this.options.perPageMax ?? 100);
    const pageNo = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const page = items.slice((pageNo - 1) * perPage, pageNo * perPage);
    const links: string[] = [];
    const linkTo = (p: number, rel: string): void => {
      const u = new URL(url.toString());
      u.host = new URL(this.url).host;
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      links.push(`<${u.toString()}>; rel="${rel}"`);
    };
    if (pageNo > 1) linkTo(pageNo - 1, 'prev');
    if (pageNo < last) linkTo(pageNo + 1, 'next');
    if (pageNo < last) linkTo(last, 'last');
    if (pageNo > 1) linkTo(1, 'first');
    return { page, headers: links.length ? { link: links.join(', ') } : {} };
  }

  private route(
    method: string,
    url: URL,
    body: Buffer,
    req: IncomingMessage
  ): { status: number; body?: unknown; headers?: Record<string, string> } {
    // GitHub accepts %2F for the slashes of a ref (Octokit sends tags%2Fv1.0.0)
    const path = decodeURIComponent(url.pathname).replace(/\/+$/, '');
    const org = this.options.org;
    let m: RegExpMatchArray | null;

    if (method === 'GET' && (m = path.match(/^\/(?:orgs|users)\/([^/]+)\/installation$/))) {
      if (this.authenticate(req) !== 'app') throw new HttpError(401, 'A JSON web token could not be decoded');
      if (m[1] !== org) throw new HttpError(404, 'Not Found');
      return { status: 200, body: this.installation() };
    }
    if (method === 'GET' && (m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/installation$/))) {
      if (this.authenticate(req) !== 'app') throw new HttpError(401, 'A JSON web token could not be decoded');
      if (m[1] !== org) throw new HttpError(404, 'Not Found');
      return { status: 200, body: this.installation() };
    }
    if (method === 'POST' && (m = path.match(/^\/app\/installations\/(\d+)\/access_tokens$/))) {
      if (this.authenticate(req) !== 'app') throw new HttpError(401, 'A JSON web token could not be decoded');
      if (Number(m[1]) !== INSTALLATION_ID) throw new HttpError(404, 'Not Found');
      const scope = this.tokenScope(body);
      const token = `ghs_emulated${String(this.nextTokenId++).padStart(30, '0')}`;
      const expires = this.now() + (this.options.tokenLifetimeMs ?? 3_600_000);
      this.installationTokens.set(token, { expires, ...scope });
      this.tokensIssued.push({ permissions: scope.permissions, repositories: scope.repositories ?? 'all' });
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(expires).toISOString().replace(/\.\d+Z$/, 'Z'),
          permissions: scope.permissions,
          repository_selection: scope.repositories ? 'selected' : 'all',
          ...(scope.repositories ? { repositories: scope.repositories.map((name) => this.repositoryJson(this.repo(name)!)) } : {})
        }
      };
    }

    if (this.authenticate(req) !== 'token') throw new HttpError(403, 'Resource not accessible by integration');
    if (method === 'POST' && path === '/graphql') {
      if (this.options.graphql === false) throw new HttpError(404, 'Not Found');
      return this.graphql(body, (req.headers.authorization ?? '').split(' ')[1] ?? '');
    }
    if (method === 'GET' && path === '/user') {
      if (this.actorOf(req) !== 'test-user') throw new HttpError(403, 'Resource not accessible by integration');
      return {
        status: 200,
        body: {
          ...this.user('test-user', 'User'),
          name: 'Test User',
          created_at: '2026-01-01T00:00:00Z',
          updated_at: '2026-01-01T00:00:00Z'
        }
      };
    }
    m = path.match(/^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/);
    if (!m) throw new HttpError(404, 'Not Found');
    const [, owner = '', repoName = '', rest = ''] = m;
    const repo = owner === org ? this.repo(repoName) : undefined;
    if (!repo) throw new HttpError(404, 'Not Found');
    this.authorize(req, method, repo.name, rest);
    const base = `${this.url}/repos/${org}/${repo.name}`;
    if (rest === '/issues' || rest.startsWith('/issues/')) return this.issuesRoute(method, url, rest, body, repo, this.actorOf(req));

    if (method === 'GET' && rest === '/tags') {
      const all = Object.entries(repo.tags).map(([name, commit]) => ({
        name,
        commit: { sha: commit, url: `${base}/commits/${commit}` },
        zipball_url: `${base}/zipball/refs/tags/${name}`,
        tarball_url: `${base}/tarball/refs/tags/${name}`,
        node_id: `REF_${sha(name).slice(0, 12)}`
      }));
      const { page, headers } = this.paginate(url, all);
      return { status: 200, body: page, headers };
    }
    if (method === 'GET' && (m = rest.match(/^\/git\/ref\/tags\/(.+)$/))) {
      const tag = decodeURIComponent(m[1] ?? '');
      const commit = repo.tags[tag];
      if (!commit) throw new HttpError(404, 'Not Found');
      const annotated = repo.annotatedTags?.includes(tag);
      const objectSha = annotated ? sha(`tag-object:${tag}`) : commit;
      return {
        status: 200,
        body: {
          ref: `refs/tags/${tag}`,
          node_id: `REF_${sha(tag).slice(0, 12)}`,
          url: `${base}/git/refs/tags/${tag}`,
          object: { sha: objectSha, type: annotated ? 'tag' : 'commit', url: `${base}/git/${annotated ? 'tags' : 'commits'}/${objectSha}` }
        }
      };
    }
    if (method === 'GET' && (m = rest.match(/^\/git\/tags\/([0-9a-f]{40})$/))) {
      const tag = (repo.annotatedTags ?? []).find((t) => sha(`tag-object:${t}`) === m?.[1]);
      if (!tag) throw new HttpError(404, 'Not Found');
      const commit = repo.tags[tag] ?? '';
      return {
        status: 200,
        body: {
          sha: m[1],
          node_id: `TAG_${tag}`,
          url: `${base}/git/tags/${m[1]}`,
          tag,
          message: `release ${tag}\n`,
          tagger: { name: 'Release Bot', email: 'release@example.com', date: '2026-01-01T00:00:00Z' },
          object: { sha: commit, type: 'commit', url: `${base}/git/commits/${commit}` },
          verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null }
        }
      };
    }
    if (method === 'GET' && rest === '/actions/workflows') {
      const all = repo.workflows.map((w) => this.workflowJson(repo, w));
      const { page, headers } = this.paginate(url, all);
      return { status: 200, body: { total_count: all.length, workflows: page }, headers };
    }
    if (method === 'GET' && (m = rest.match(/^\/contents\/(.+)$/))) {
      const filePath = decodeURIComponent(m[1] ?? '');
      const ref = url.searchParams.get('ref') ?? 'main';
      if (!(ref in repo.tags) && !(ref in (repo.branches ?? {}))) throw new HttpError(404, `No commit found for the ref ${ref}`);
      const files = { ...(repo.files['*'] ?? {}), ...(repo.files[ref] ?? {}) };
      const content = files[filePath];
      // GitHub's contents API answers files of 1 MB and more only in the raw media type
      if (content !== undefined && Buffer.byteLength(content) > 1024 * 1024)
        throw new HttpError(
          403,
          'This API returns blobs up to 1 MB in size. The requested blob is too large to fetch via the API, but you can use the Git Data API to request blobs up to 100 MB in size.'
        );
      if (content !== undefined) return { status: 200, body: this.contentJson(repo, filePath, ref, content) };
      const prefix = `${filePath}/`;
      const entries = Object.keys(files).filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'));
      if (entries.length === 0) throw new HttpError(404, 'Not Found');
      return {
        status: 200,
        body: entries.map((p) => {
          const { content: _c, encoding: _e, ...entry } = this.contentJson(repo, p, ref, files[p] ?? '');
          return entry;
        })
      };
    }
    if (method === 'POST' && (m = rest.match(/^\/actions\/workflows\/([^/]+)\/dispatches$/))) {
      const version = typeof req.headers['x-github-api-version'] === 'string' ? req.headers['x-github-api-version'] : DEFAULT_API_VERSION;
      return this.dispatch(repo, decodeURIComponent(m[1] ?? ''), body, this.actorOf(req), version);
    }
    if (method === 'GET' && (m = rest.match(/^\/actions\/workflows\/([^/]+)\/runs$/))) {
      const workflow = this.findWorkflow(repo, decodeURIComponent(m[1] ?? ''));
      const runs = this.filterRuns(
        this.runs.filter((r) => r.repo === repo.name && r.workflowId === workflow.id),
        url.searchParams
      );
      const { page, headers } = this.paginate(
        url,
        runs.map((r) => this.runJson(r))
      );
      return { status: 200, body: { total_count: runs.length, workflow_runs: page }, headers };
    }
    if (method === 'GET' && rest === '/actions/runs') {
      if (this.options.repoRunsListing === false) throw new HttpError(404, 'Not Found');
      const runs = this.filterRuns(
        this.runs.filter((r) => r.repo === repo.name),
        url.searchParams
      );
      const { page, headers } = this.paginate(
        url,
        runs.map((r) => this.runJson(r))
      );
      return { status: 200, body: { total_count: runs.length, workflow_runs: page }, headers };
    }
    if (method === 'GET' && (m = rest.match(/^\/actions\/runs\/(\d+)$/))) {
      const run = this.runs.find((r) => r.id === Number(m?.[1]) && r.repo === repo.name);
      if (!run) throw new HttpError(404, 'Not Found');
      return { status: 200, body: this.runJson(run) };
    }
    if (method === 'GET' && (m = rest.match(/^\/actions\/runs\/(\d+)\/attempts\/(\d+)\/jobs$/))) {
      const run = this.runs.find((r) => r.id === Number(m?.[1]) && r.repo === repo.name);
      const attempt = Number(m[2]);
      if (!run || attempt < 1 || attempt > 1 + this.shownReruns(run).length) throw new HttpError(404, 'Not Found');
      const jobs = this.jobsJson(run, attempt);
      return { status: 200, body: { total_count: jobs.length, jobs } };
    }
    if (method === 'POST' && (m = rest.match(/^\/actions\/runs\/(\d+)\/cancel$/))) {
      const run = this.runs.find((r) => r.id === Number(m?.[1]) && r.repo === repo.name);
      if (!run) throw new HttpError(404, 'Not Found');
      if (this.runState(run).status === 'completed') throw new HttpError(409, 'Cannot cancel a workflow run that is completed.');
      run.cancelledAt = this.now();
      return { status: 202, body: {} };
    }
    if (method === 'POST' && (m = rest.match(/^\/actions\/runs\/(\d+)\/rerun-failed-jobs$/))) {
      const run = this.runs.find((r) => r.id === Number(m?.[1]) && r.repo === repo.name);
      if (!run) throw new HttpError(404, 'Not Found');
      const state = this.runState(run);
      // GitHub refuses a re-run of a run that is still going, and of one with no failed job
      if (state.status !== 'completed') throw new HttpError(403, 'This workflow run is not completed');
      if (state.conclusion === 'success') throw new HttpError(403, 'This workflow run has no failed jobs to re-run');
      const workflow = repo.workflows.find((w) => w.id === run.workflowId);
      const attempt = (run.reruns?.length ?? 0) + 2;
      const script = (workflow && this.options.runScript?.(repo.name, workflow, run.ref, attempt)) ?? {
        queuedMs: 200,
        runMs: 500,
        conclusion: 'success'
      };
      (run.reruns ??= []).push({ at: this.now(), script });
      this.reruns.push({ repo: repo.name, runId: run.id, attempt });
      return { status: 201, body: {} };
    }
    throw new HttpError(404, 'Not Found');
  }

  /** The issues API: list (state, labels, pagination), create, update (body, state), comment. */
  private issuesRoute(
    method: string,
    url: URL,
    rest: string,
    body: Buffer,
    repo: EmulatedRepo,
    actor: string
  ): { status: number; body?: unknown; headers?: Record<string, string> } {
    const issues = (repo.issues ??= []);
    const payload = (): Record<string, unknown> => {
      try {
        return JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        throw new HttpError(400, 'Problems parsing JSON');
      }
    };
    const writable = (): void => {
      if (this.options.issuesWritable === false) throw new HttpError(403, 'Resource not accessible by integration');
    };
    // GitHub refuses a body past 65,536 characters: 422 "body is too long (maximum is 65536 characters)"
    const bounded = (p: Record<string, unknown>): void => {
      if (typeof p.body === 'string' && p.body.length > 65_536)
        throw new HttpError(422, 'Validation Failed: body is too long (maximum is 65536 characters)');
    };
    if (method === 'GET' && rest === '/issues') {
      const state = url.searchParams.get('state') ?? 'open';
      const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
      const found = issues
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => labels.every((l) => i.labels.includes(l)))
        .sort((a, b) => b.createdAt - a.createdAt);
      const { page, headers } = this.paginate(
        url,
        found.map((i) => this.issueJson(repo, i))
      );
      return { status: 200, body: page, headers };
    }
    if (method === 'POST' && rest === '/issues') {
      writable();
      const p = payload();
      bounded(p);
      if (typeof p.title !== 'string' || p.title === '') throw new HttpError(422, 'Validation Failed');
      const now = this.now();
      const issue: EmulatedIssue = {
        number: issues.length + 1,
        title: p.title,
        body: typeof p.body === 'string' ? p.body : '',
        labels: Array.isArray(p.labels) ? p.labels.map(String) : [],
        state: 'open',
        stateReason: null,
        createdAt: now,
        updatedAt: now,
        closedAt: null,
        author: actor,
        comments: []
      };
      issues.push(issue);
      return { status: 201, body: this.issueJson(repo, issue) };
    }
    const numbered = rest.match(/^\/issues\/(\d+)/);
    const issue = numbered ? issues.find((i) => i.number === Number(numbered[1])) : undefined;
    if (!issue) throw new HttpError(404, 'Not Found');
    if (method === 'PATCH' && rest === `/issues/${issue.number}`) {
      writable();
      const p = payload();
      bounded(p);
      if (typeof p.body === 'string') issue.body = p.body;
      if (typeof p.title === 'string') issue.title = p.title;
      if (p.state === 'closed' && issue.state === 'open') {
        Object.assign(issue, { state: 'closed', closedAt: this.now(), stateReason: p.state_reason ?? 'completed' });
      } else if (p.state === 'open' && issue.state === 'closed') {
        Object.assign(issue, { state: 'open', closedAt: null, stateReason: 'reopened' });
      }
      issue.updatedAt = this.now();
      return { status: 200, body: this.issueJson(repo, issue) };
    }
    if (method === 'POST' && rest === `/issues/${issue.number}/comments`) {
      writable();
      const p = payload();
      if (typeof p.body !== 'string' || p.body === '') throw new HttpError(422, 'Validation Failed');
      const comment = { id: 5000 + issue.comments.length + issue.number * 100, body: p.body, author: actor, createdAt: this.now() };
      issue.comments.push(comment);
      issue.updatedAt = this.now();
      const iso = new Date(comment.createdAt).toISOString().replace(/\.\d+Z$/, 'Z');
      const issueUrl = `${this.url}/repos/${this.options.org}/${repo.name}/issues/${issue.number}`;
      return {
        status: 201,
        body: {
          id: comment.id,
          node_id: `IC_${comment.id}`,
          url: `${this.url}/repos/${this.options.org}/${repo.name}/issues/comments/${comment.id}`,
          html_url: `https://github.example/${this.options.org}/${repo.name}/issues/${issue.number}#issuecomment-${comment.id}`,
          issue_url: issueUrl,
          body: comment.body,
          user: this.user(actor, actor.endsWith('[bot]') ? 'Bot' : 'User'),
          created_at: iso,
          updated_at: iso,
          author_association: 'NONE'
        }
      };
    }
    throw new HttpError(404, 'Not Found');
  }

  private issueJson(repo: EmulatedRepo, issue: EmulatedIssue): Record<string, unknown> {
    const u = `${this.url}/repos/${this.options.org}/${repo.name}/issues/${issue.number}`;
    const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString().replace(/\.\d+Z$/, 'Z'));
    return {
      id: 900000 + issue.number,
      node_id: `I_${issue.number}`,
      url: u,
      repository_url: `${this.url}/repos/${this.options.org}/${repo.name}`,
      labels_url: `${u}/labels{/name}`,
      comments_url: `${u}/comments`,
      events_url: `${u}/events`,
      html_url: `https://github.example/${this.options.org}/${repo.name}/issues/${issue.number}`,
      number: issue.number,
      state: issue.state,
      state_reason: issue.stateReason,
      title: issue.title,
      body: issue.body,
      user: this.user(issue.author, issue.author.endsWith('[bot]') ? 'Bot' : 'User'),
      labels: issue.labels.map((name, i) => ({
        id: 700 + i,
        node_id: `LA_${name}`,
        url: `${this.url}/repos/${this.options.org}/${repo.name}/labels/${encodeURIComponent(name)}`,
        name,
        description: null,
        color: 'd73a4a',
        default: false
      })),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: issue.comments.length,
      closed_at: iso(issue.closedAt),
      created_at: iso(issue.createdAt),
      updated_at: iso(issue.updatedAt),
      author_association: 'NONE'
    };
  }

  /**
   * GitHub's GraphQL API, for the part of its schema the action reads (Repository.ref and
   * Repository.object with Commit, Tag, Tree and Blob), executed by the real graphql-js engine.
   */
  private graphql(body: Buffer, credential: string): { status: number; body: unknown; headers: Record<string, string> } {
    let request: { query?: string; variables?: Record<string, unknown> };
    try {
      request = JSON.parse(body.toString('utf8')) as typeof request;
    } catch {
      throw new HttpError(400, 'Problems parsing JSON');
    }
    const began = performance.now();
    const { resetAt } = this.rateWindow();
    this.graphqlPoints = Math.max(0, this.graphqlPoints - 1);
    const rateLimit = {
      cost: 1,
      limit: 5000,
      remaining: this.graphqlPoints,
      used: 5000 - this.graphqlPoints,
      resetAt: new Date(resetAt).toISOString(),
      nodeCount: 1
    };
    const result = graphqlSync({
      schema: graphqlSchema(),
      source: request.query ?? '',
      rootValue: { ...(this.graphqlRoot(credential) as object), rateLimit: () => rateLimit },
      variableValues: request.variables
    });
    this.graphqlMs += performance.now() - began;
    return {
      status: 200,
      body: result,
      headers: {
        'x-ratelimit-resource': 'graphql',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': String(this.graphqlPoints),
        'x-ratelimit-used': String(5000 - this.graphqlPoints),
        'x-ratelimit-reset': String(Math.ceil(resetAt / 1000))
      }
    };
  }

  private graphqlRoot(credential: string): unknown {
    const files = (repo: EmulatedRepo, ref: string): Record<string, string> => ({ ...(repo.files['*'] ?? {}), ...(repo.files[ref] ?? {}) });
    const commitAt = (repo: EmulatedRepo, rev: string): string | undefined => repo.tags[rev] ?? repo.branches?.[rev];
    return {
      repository: ({ owner, name }: { owner: string; name: string }) => {
        const repo = owner === this.options.org && this.graphqlMayRead(credential, name) ? this.repo(name) : undefined;
        if (!repo) return null;
        return {
          ref: ({ qualifiedName }: { qualifiedName: string }) => {
            const tag = qualifiedName.replace(/^refs\/tags\//, '');
            const commit = repo.tags[tag];
            if (!commit || !qualifiedName.startsWith('refs/tags/')) return null;
            const target = repo.annotatedTags?.includes(tag)
              ? { __typename: 'Tag', oid: sha(`tag-object:${tag}`), target: { __typename: 'Commit', oid: commit } }
              : { __typename: 'Commit', oid: commit };
            return { name: tag, prefix: 'refs/tags/', target };
          },
          release: ({ tagName }: { tagName: string }) =>
            repo.releases?.includes(tagName) && repo.tags[tagName]
              ? { url: `https://github.example/${this.options.org}/${repo.name}/releases/tag/${encodeURIComponent(tagName)}`, tagName }
              : null,
          object: ({ expression }: { expression: string }) => {
            const [rev = '', path = ''] = expression.split(':');
            if (!commitAt(repo, rev)) return null;
            const all = files(repo, rev);
            if (path in all)
              return { __typename: 'Blob', oid: sha(`blob ${all[path]}`), text: all[path], byteSize: Buffer.byteLength(all[path] ?? '') };
            const prefix = path ? `${path}/` : '';
            const names = [
              ...new Set(
                Object.keys(all)
                  .filter((p) => p.startsWith(prefix))
                  .map((p) => p.slice(prefix.length).split('/')[0] ?? '')
              )
            ];
            if (names.length === 0) return null;
            return {
              __typename: 'Tree',
              oid: sha(`tree ${rev}:${path}`),
              entries: names.map((entry) => {
                const full = `${prefix}${entry}`;
                const text = all[full];
                return text === undefined
                  ? { name: entry, path: full, type: 'tree', object: { __typename: 'Tree', oid: sha(`tree ${full}`) } }
                  : {
                      name: entry,
                      path: full,
                      type: 'blob',
                      object: { __typename: 'Blob', oid: sha(`blob ${text}`), text, byteSize: Buffer.byteLength(text) }
                    };
              })
            };
          }
        };
      }
    };
  }

  private findWorkflow(repo: EmulatedRepo, idOrFile: string): EmulatedWorkflow {
    const workflow = repo.workflows.find((w) => String(w.id) === idOrFile || w.path.split('/').pop() === idOrFile);
    if (!workflow) throw new HttpError(404, 'Not Found');
    return workflow;
  }

  private dispatch(
    repo: EmulatedRepo,
    idOrFile: string,
    body: Buffer,
    actor: string,
    apiVersion: string
  ): { status: number; body?: unknown } {
    const workflow = this.findWorkflow(repo, idOrFile);
    let payload: { ref?: unknown; inputs?: unknown; return_run_details?: unknown };
    try {
      payload = JSON.parse(body.toString('utf8') || '{}') as typeof payload;
    } catch {
      throw new HttpError(400, 'Problems parsing JSON');
    }
    const mode = this.options.dispatchMode ?? 'run-details';
    if (mode === 'ghes' && 'return_run_details' in payload) throw new HttpError(400, '"return_run_details" is not a permitted key.');
    // 2026-03-10 removed the key: every dispatch answers with its run
    const latest = apiVersion === '2026-03-10';
    if (latest && 'return_run_details' in payload) throw new HttpError(422, '"return_run_details" is not a permitted key.');
    if (typeof payload.ref !== 'string') throw new HttpError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
    const ref = payload.ref.replace(/^refs\/(tags|heads)\//, '');
    const headSha = repo.tags[ref] ?? repo.branches?.[ref];
    if (!headSha) throw new HttpError(422, `No ref found for: ${payload.ref}`);
    if (payload.inputs && typeof payload.inputs === 'object' && Object.keys(payload.inputs).length > 25) {
      throw new HttpError(422, 'you may only define up to 25 `inputs` for a `workflow_dispatch` event');
    }
    const file = { ...(repo.files['*'] ?? {}), ...(repo.files[ref] ?? {}) }[workflow.path];
    if (!file || !/workflow_dispatch/.test(file)) throw new HttpError(422, "Workflow does not have 'workflow_dispatch' trigger");
    this.dispatches.push({
      repo: repo.name,
      workflowId: workflow.id,
      ref,
      inputs: payload.inputs,
      returnRunDetails: payload.return_run_details as boolean | undefined
    });
    const script = this.options.runScript?.(repo.name, workflow, ref, 1) ?? { queuedMs: 200, runMs: 500, conclusion: 'success' };
    const run: EmulatedRun = {
      id: this.nextRunId++,
      repo: repo.name,
      workflowId: workflow.id,
      ref,
      headSha,
      event: 'workflow_dispatch',
      actor,
      createdAt: this.now(),
      script,
      runNumber: this.runs.length + 1,
      dispatched: true
    };
    this.runs.push(run);
    if (latest || (mode === 'run-details' && payload.return_run_details === true)) {
      return {
        status: 200,
        body: {
          workflow_run_id: run.id,
          run_url: `${this.url}/repos/${this.options.org}/${repo.name}/actions/runs/${run.id}`,
          html_url: `https://github.example/${this.options.org}/${repo.name}/actions/runs/${run.id}`
        }
      };
    }
    return { status: 204 };
  }

  private installation(): unknown {
    const account = this.user(this.options.org, 'Organization');
    return {
      id: INSTALLATION_ID,
      account,
      repository_selection: 'all',
      access_tokens_url: `${this.url}/app/installations/${INSTALLATION_ID}/access_tokens`,
      repositories_url: `${this.url}/installation/repositories`,
      html_url: `https://github.example/organizations/${this.options.org}/settings/installations/${INSTALLATION_ID}`,
      app_id: Number(APP_ID),
      app_slug: 'hms-build-workflow-dispatcher',
      target_id: 1,
      target_type: 'Organization',
      permissions: { actions: 'write', contents: 'read', metadata: 'read' },
      events: [],
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      single_file_name: null,
      suspended_by: null,
      suspended_at: null
    };
  }

  private user(login: string, type: string): Record<string, unknown> {
    const u = `${this.url}/users/${login}`;
    return {
      login,
      id: 1,
      node_id: `U_${login}`,
      avatar_url: `https://avatars.example/${login}`,
      gravatar_id: '',
      url: u,
      html_url: `https://github.example/${login}`,
      followers_url: `${u}/followers`,
      following_url: `${u}/following{/other_user}`,
      gists_url: `${u}/gists{/gist_id}`,
      starred_url: `${u}/starred{/owner}{/repo}`,
      subscriptions_url: `${u}/subscriptions`,
      organizations_url: `${u}/orgs`,
      repos_url: `${u}/repos`,
      events_url: `${u}/events{/privacy}`,
      received_events_url: `${u}/received_events`,
      type,
      site_admin: false
    };
  }

  private repositoryJson(repo: EmulatedRepo): Record<string, unknown> {
    const u = `${this.url}/repos/${this.options.org}/${repo.name}`;
    const names = [
      'archive_url',
      'assignees_url',
      'blobs_url',
      'branches_url',
      'collaborators_url',
      'comments_url',
      'commits_url',
      'compare_url',
      'contents_url',
      'contributors_url',
      'deployments_url',
      'downloads_url',
      'events_url',
      'forks_url',
      'git_commits_url',
      'git_refs_url',
      'git_tags_url',
      'hooks_url',
      'issue_comment_url',
      'issue_events_url',
      'issues_url',
      'keys_url',
      'labels_url',
      'languages_url',
      'merges_url',
      'milestones_url',
      'notifications_url',
      'pulls_url',
      'releases_url',
      'stargazers_url',
      'statuses_url',
      'subscribers_url',
      'subscription_url',
      'tags_url',
      'teams_url',
      'trees_url'
    ];
    const urls = Object.fromEntries(names.map((n) => [n, `${u}/${n.replace(/_url$/, '')}`]));
    return {
      id: 100 + this.options.repos.indexOf(repo),
      node_id: `R_${repo.name}`,
      name: repo.name,
      full_name: `${this.options.org}/${repo.name}`,
      owner: this.user(this.options.org, 'Organization'),
      private: false,
      html_url: `https://github.example/${this.options.org}/${repo.name}`,
      description: null,
      fork: false,
      url: u,
      ...urls
    };
  }

  private workflowJson(repo: EmulatedRepo, w: EmulatedWorkflow): Record<string, unknown> {
    return {
      id: w.id,
      node_id: `W_${w.id}`,
      name: w.name,
      path: w.path,
      state: w.state ?? 'active',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      url: `${this.url}/repos/${this.options.org}/${repo.name}/actions/workflows/${w.id}`,
      html_url: `https://github.example/${this.options.org}/${repo.name}/blob/main/${w.path}`,
      badge_url: `https://github.example/${this.options.org}/${repo.name}/workflows/${encodeURIComponent(w.name)}/badge.svg`
    };
  }

  private contentJson(repo: EmulatedRepo, path: string, ref: string, content: string): Record<string, unknown> {
    const u = `${this.url}/repos/${this.options.org}/${repo.name}/contents/${path}?ref=${ref}`;
    const blob = sha(`blob ${content}`);
    return {
      type: 'file',
      encoding: 'base64',
      size: Buffer.byteLength(content),
      name: path.split('/').pop(),
      path,
      content: Buffer.from(content)
        .toString('base64')
        .replace(/(.{60})/g, '$1\n'),
      sha: blob,
      url: u,
      git_url: `${this.url}/repos/${this.options.org}/${repo.name}/git/blobs/${blob}`,
      html_url: `https://github.example/${this.options.org}/${repo.name}/blob/${ref}/${path}`,
      download_url: `https://raw.example/${this.options.org}/${repo.name}/${ref}/${path}`,
      _links: {
        self: u,
        git: `${this.url}/repos/${this.options.org}/${repo.name}/git/blobs/${blob}`,
        html: `https://github.example/${this.options.org}/${repo.name}/blob/${ref}/${path}`
      }
    };
  }

  /**
   * The jobs of one attempt of a run, as `GET …/runs/{id}/attempts/{n}/jobs` lists them: a `lint` job
   * that succeeds, and the build job, whose step named by the script fails when the attempt did.
   */
  jobsJson(run: EmulatedRun, attempt: number): Record<string, unknown>[] {
    const script = attempt === 1 ? run.script : (run.reruns?.[attempt - 2]?.script ?? run.script);
    const state =
      attempt === 1 + this.shownReruns(run).length ? this.runState(run) : { status: 'completed', conclusion: script.conclusion };
    const failing = script.failing ?? { job: 'build', step: 'Build and push the image' };
    const iso = (t: number): string => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
    const base = `${this.url}/repos/${this.options.org}/${run.repo}`;
    const page = `https://github.example/${this.options.org}/${run.repo}`;
    const workflow = this.repo(run.repo)?.workflows.find((w) => w.id === run.workflowId);
    const job = (id: number, name: string, conclusion: RunConclusion | null, failedStep?: string): Record<string, unknown> => ({
      id,
      node_id: `J_${id}`,
      run_id: run.id,
      run_url: `${base}/actions/runs/${run.id}`,
      run_attempt: attempt,
      head_sha: run.headSha,
      workflow_name: workflow?.name ?? null,
      head_branch: run.ref,
      name,
      url: `${base}/actions/jobs/${id}`,
      html_url: `${page}/actions/runs/${run.id}/job/${id}`,
      status: state.status,
      conclusion,
      started_at: iso(run.createdAt),
      completed_at: state.status === 'completed' ? iso(run.createdAt + script.queuedMs + script.runMs) : null,
      check_run_url: `${base}/check-runs/${id}`,
      labels: ['ubuntu-latest'],
      runner_id: 1,
      runner_name: 'GitHub Actions 1',
      runner_group_id: 1,
      runner_group_name: 'GitHub Actions',
      created_at: iso(run.createdAt),
      // the failing step ends as the job did; the steps around it succeed
      steps: ['Set up job', 'Check out', failedStep ?? 'Build and push the image', 'Complete job'].map((step, i) => ({
        name: step,
        status: state.status,
        conclusion: conclusion === null ? null : step === failedStep ? conclusion : 'success',
        number: i + 1
      }))
    });
    const failed = state.status === 'completed' && state.conclusion !== 'success';
    return [
      job(run.id * 100 + 1, 'lint', state.status === 'completed' ? 'success' : null),
      job(run.id * 100 + 2, failing.job, state.status === 'completed' ? state.conclusion : null, failed ? failing.step : undefined)
    ];
  }

  runJson(run: EmulatedRun): Record<string, unknown> {
    const repo = this.repo(run.repo);
    const workflow = repo?.workflows.find((w) => w.id === run.workflowId);
    const state = this.runState(run);
    const u = `${this.url}/repos/${this.options.org}/${run.repo}/actions/runs/${run.id}`;
    const iso = (t: number): string => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
    const repository = repo ? this.repositoryJson(repo) : {};
    return {
      id: run.id,
      name: workflow?.name ?? null,
      node_id: `WFR_${run.id}`,
      check_suite_id: run.id * 10,
      check_suite_node_id: `CS_${run.id}`,
      head_branch: run.ref,
      head_sha: run.headSha,
      path: workflow?.path ?? '',
      display_title: workflow?.name ?? '',
      run_number: run.runNumber,
      run_attempt: 1 + this.shownReruns(run).length,
      event: run.event,
      status: state.status,
      conclusion: state.conclusion,
      workflow_id: run.workflowId,
      url: u,
      html_url: `https://github.example/${this.options.org}/${run.repo}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: iso(run.createdAt),
      updated_at: iso(state.updatedAt),
      run_started_at: iso(state.startedAt),
      actor: this.user(run.actor, run.actor.endsWith('[bot]') ? 'Bot' : 'User'),
      triggering_actor: this.user(run.actor, run.actor.endsWith('[bot]') ? 'Bot' : 'User'),
      jobs_url: `${u}/jobs`,
      logs_url: `${u}/logs`,
      check_suite_url: `${this.url}/repos/${this.options.org}/${run.repo}/check-suites/${run.id * 10}`,
      artifacts_url: `${u}/artifacts`,
      cancel_url: `${u}/cancel`,
      rerun_url: `${u}/rerun`,
      workflow_url: `${this.url}/repos/${this.options.org}/${run.repo}/actions/workflows/${run.workflowId}`,
      head_commit: {
        id: run.headSha,
        tree_id: sha(`tree ${run.headSha}`),
        message: `release ${run.ref}`,
        timestamp: '2026-01-01T00:00:00Z',
        author: { name: 'Test', email: 'test@example.com' },
        committer: { name: 'Test', email: 'test@example.com' }
      },
      repository,
      head_repository: repository
    };
  }
}

/** `/repos/o/r/actions/runs/12` → `/repos/{owner}/{repo}/actions/runs/{run_id}` (for request counts). */
export function templateOf(path: string): string {
  return decodeURIComponent(path)
    .replace(/^\/repos\/[^/]+\/[^/]+/, '/repos/{owner}/{repo}')
    .replace(/\/actions\/runs\/\d+/, '/actions/runs/{run_id}')
    .replace(/\/actions\/workflows\/[^/]+/, '/actions/workflows/{workflow_id}')
    .replace(/\/git\/ref\/tags\/.+$/, '/git/ref/tags/{tag}')
    .replace(/\/git\/tags\/[0-9a-f]{40}$/, '/git/tags/{tag_sha}')
    .replace(/\/contents\/.+$/, '/contents/{path}')
    .replace(/^\/(orgs|users)\/[^/]+\/installation$/, '/$1/{org}/installation')
    .replace(/\/app\/installations\/\d+\//, '/app/installations/{installation_id}/');
}
