import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { GitHubEmulator } from './support/github-emulator.js';
import { commitOf, hmsRepo, ORG } from './support/sample-stream.js';

/**
 * Keeps the GitHub emulator honest: every answer the action relies on is validated against
 * GitHub's own OpenAPI description (npm package @octokit/openapi).
 */
const require = createRequire(import.meta.url);
const SPEC_FILE = require.resolve('@octokit/openapi/generated/api.github.com.json');
type Spec = {
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
        requestBody?: { content: Record<string, { schema: unknown }> };
      }
    >
  >;
  components: Record<string, Record<string, unknown>>;
};
const spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as Spec;

/** OpenAPI 3.0 `nullable` → JSON Schema; local refs → refs into the one added document. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'nullable' || k === 'discriminator' || k === 'example' || k === 'examples') continue;
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace(/^#/, 'github#') : toJsonSchema(v);
  }
  if ((node as { nullable?: boolean }).nullable) return { anyOf: [out, { type: 'null' }] };
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ $id: 'github', components: toJsonSchema(spec.components) as object });
const cache = new Map<string, ValidateFunction>();

function responseValidator(path: string, method: string, status: string): ValidateFunction {
  const key = `${method} ${path} ${status}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let response = spec.paths[path]?.[method]?.responses[status];
  if (response?.$ref) response = spec.components.responses?.[response.$ref.split('/').pop() ?? ''] as typeof response;
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`no schema for ${key}`);
  const validate = ajv.compile(toJsonSchema(schema) as object);
  cache.set(key, validate);
  return validate;
}

function requestValidator(path: string, method: string): ValidateFunction {
  const schema = spec.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
  return ajv.compile(toJsonSchema(schema) as object);
}

describe('GitHub emulator answers match the OpenAPI description', () => {
  let github: GitHubEmulator;
  let installationToken = '';
  beforeAll(async () => {
    const tags: Record<string, string> = {};
    for (let i = 0; i < 130; i++) tags[`v1.${i}.0`] = commitOf(`t${i}`);
    github = await new GitHubEmulator({
      org: ORG,
      repos: [hmsRepo('hms-smd', 'cray-smd', { ...tags, 'v2.23.0': commitOf('smd') }, { annotatedTags: ['v2.23.0'] })]
    }).start();
  });
  afterAll(() => github.stop());

  async function call(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {}
  ): Promise<{ status: number; body: unknown; headers: Headers }> {
    const response = await fetch(`${github.url}${url}`, {
      method,
      headers: {
        authorization: 'token test-token',
        accept: 'application/vnd.github+json',
        ...headers,
        ...(body ? { 'content-type': 'application/json' } : {})
      },
      body: body ? JSON.stringify(body) : undefined
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: response.headers };
  }

  function expectValid(path: string, method: string, answer: { status: number; body: unknown }): void {
    const validate = responseValidator(path, method, String(answer.status));
    const ok = validate(answer.body);
    if (!ok) throw new Error(`${method.toUpperCase()} ${path} ${answer.status}: ${ajv.errorsText(validate.errors)}`);
  }

  it('App installation and installation token', async () => {
    const { createAppAuth } = await import('@octokit/auth-app');
    const auth = createAppAuth({ appId: github.appId, privateKey: github.privateKey });
    const { token: jwt } = await auth({ type: 'app' });
    const installation = await call('GET', `/orgs/${ORG}/installation`, undefined, { authorization: `Bearer ${jwt}` });
    expect(installation.status).toBe(200);
    expectValid('/orgs/{org}/installation', 'get', installation);
    const token = await call('POST', '/app/installations/777/access_tokens', undefined, { authorization: `Bearer ${jwt}` });
    expect(token.status).toBe(201);
    expectValid('/app/installations/{installation_id}/access_tokens', 'post', token);
    installationToken = (token.body as { token: string }).token;
    const bad = await call('GET', `/orgs/${ORG}/installation`, undefined, { authorization: 'Bearer a.b.c' });
    expect(bad.status).toBe(401);
  });

  it('tags with Link pagination, refs, annotated tags', async () => {
    const first = await call('GET', `/repos/${ORG}/hms-smd/tags?per_page=100`);
    expectValid('/repos/{owner}/{repo}/tags', 'get', first);
    expect((first.body as unknown[]).length).toBe(100);
    expect(first.headers.get('link')).toMatch(
      /<http:\/\/127\.0\.0\.1:\d+\/repos\/Cray-HPE\/hms-smd\/tags\?per_page=100&page=2>; rel="next", <[^>]+page=2>; rel="last"/
    );
    const second = await call('GET', `/repos/${ORG}/hms-smd/tags?per_page=100&page=2`);
    expect((second.body as unknown[]).length).toBe(31);
    expect(second.headers.get('link')).toContain('rel="prev"');
    const ref = await call('GET', `/repos/${ORG}/hms-smd/git/ref/tags%2Fv2.23.0`);
    expectValid('/repos/{owner}/{repo}/git/ref/{ref}', 'get', ref);
    const object = (ref.body as { object: { sha: string; type: string } }).object;
    expect(object.type).toBe('tag');
    const tag = await call('GET', `/repos/${ORG}/hms-smd/git/tags/${object.sha}`);
    expectValid('/repos/{owner}/{repo}/git/tags/{tag_sha}', 'get', tag);
    const missing = await call('GET', `/repos/${ORG}/hms-smd/git/ref/tags/v9.9.9`);
    expect(missing.status).toBe(404);
    expectValid('/repos/{owner}/{repo}/git/ref/{ref}', 'get', missing);
  });

  it('workflows, contents at a ref, dispatch with run details, runs, cancel', async () => {
    const workflows = await call('GET', `/repos/${ORG}/hms-smd/actions/workflows`);
    expectValid('/repos/{owner}/{repo}/actions/workflows', 'get', workflows);
    const id = (workflows.body as { workflows: { id: number }[] }).workflows[0]?.id ?? 0;
    const file = await call('GET', `/repos/${ORG}/hms-smd/contents/.github/workflows/build_and_release_image.yaml?ref=v2.23.0`);
    expectValid('/repos/{owner}/{repo}/contents/{path}', 'get', file);
    const dir = await call('GET', `/repos/${ORG}/hms-smd/contents/.github/workflows?ref=v2.23.0`);
    expectValid('/repos/{owner}/{repo}/contents/{path}', 'get', dir);

    const body = { ref: 'v2.23.0', return_run_details: true };
    expect(requestValidator('/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', 'post')(body)).toBe(true);
    const dispatched = await call('POST', `/repos/${ORG}/hms-smd/actions/workflows/${id}/dispatches`, body, {
      authorization: `token ${installationToken}`
    });
    expect(dispatched.status).toBe(200);
    expectValid('/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', 'post', dispatched);
    const noRef = await call('POST', `/repos/${ORG}/hms-smd/actions/workflows/${id}/dispatches`, { ref: 'v0.0.0' });
    expect(noRef).toMatchObject({ status: 422, body: { message: 'No ref found for: v0.0.0' } });
    // the dispatch operation documents no error bodies; GitHub sends its basic-error shape
    expect(ajv.validate({ $ref: 'github#/components/schemas/basic-error' }, noRef.body)).toBe(true);

    const runs = await call('GET', `/repos/${ORG}/hms-smd/actions/runs?event=workflow_dispatch`);
    expectValid('/repos/{owner}/{repo}/actions/runs', 'get', runs);
    const workflowRuns = await call('GET', `/repos/${ORG}/hms-smd/actions/workflows/${id}/runs?branch=v2.23.0&status=queued`);
    expectValid('/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', 'get', workflowRuns);
    const runId = (dispatched.body as { workflow_run_id: number }).workflow_run_id;
    const run = await call('GET', `/repos/${ORG}/hms-smd/actions/runs/${runId}`);
    expectValid('/repos/{owner}/{repo}/actions/runs/{run_id}', 'get', run);
    expect((run.body as { actor: { login: string } }).actor.login).toBe('hms-build-workflow-dispatcher[bot]');
    const cancel = await call('POST', `/repos/${ORG}/hms-smd/actions/runs/${runId}/cancel`);
    expectValid('/repos/{owner}/{repo}/actions/runs/{run_id}/cancel', 'post', cancel);
  });

  it('re-runs of failed jobs: 403 while the run goes, 201, then a new attempt of the same run id', async () => {
    let now = Date.parse('2026-11-26T07:00:00Z');
    const flaky = await new GitHubEmulator({
      org: ORG,
      repos: [hmsRepo('hms-bss', 'cray-bss', { 'v1.0.0': commitOf('bss') })],
      now: () => now,
      runScript: (_repo, _workflow, _ref, attempt) => ({ queuedMs: 1000, runMs: 5000, conclusion: attempt === 1 ? 'failure' : 'success' })
    }).start();
    const at = async (method: string, path: string): Promise<{ status: number; body: unknown }> => {
      const response = await fetch(`${flaky.url}/repos/${ORG}/hms-bss${path}`, {
        method,
        headers: { authorization: 'token test-token', accept: 'application/vnd.github+json' }
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    };
    try {
      const workflowId = flaky.repo('hms-bss')?.workflows[0]?.id ?? 0;
      const dispatched = await fetch(`${flaky.url}/repos/${ORG}/hms-bss/actions/workflows/${workflowId}/dispatches`, {
        method: 'POST',
        headers: { authorization: 'token test-token', 'content-type': 'application/json' },
        body: JSON.stringify({ ref: 'v1.0.0', return_run_details: true })
      });
      const runId = ((await dispatched.json()) as { workflow_run_id: number }).workflow_run_id;
      const early = await at('POST', `/actions/runs/${runId}/rerun-failed-jobs`);
      expect(early.status).toBe(403);
      expect(ajv.validate({ $ref: 'github#/components/schemas/basic-error' }, early.body)).toBe(true);
      now += 10_000;
      const failed = await at('GET', `/actions/runs/${runId}`);
      expect(failed.body).toMatchObject({ status: 'completed', conclusion: 'failure', run_attempt: 1 });
      const rerun = await at('POST', `/actions/runs/${runId}/rerun-failed-jobs`);
      expect(rerun.status).toBe(201);
      expectValid('/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs', 'post', rerun);
      const queued = await at('GET', `/actions/runs/${runId}`);
      expectValid('/repos/{owner}/{repo}/actions/runs/{run_id}', 'get', queued);
      expect(queued.body).toMatchObject({ id: runId, status: 'queued', conclusion: null, run_attempt: 2 });
      now += 2000;
      expect((await at('GET', `/actions/runs/${runId}`)).body).toMatchObject({ status: 'in_progress', run_attempt: 2 });
      now += 5000;
      const listed = await at('GET', '/actions/runs?event=workflow_dispatch');
      expectValid('/repos/{owner}/{repo}/actions/runs', 'get', listed);
      expect((listed.body as { workflow_runs: unknown[] }).workflow_runs[0]).toMatchObject({
        id: runId,
        status: 'completed',
        conclusion: 'success',
        run_attempt: 2
      });
      expect((await at('POST', `/actions/runs/${runId}/rerun-failed-jobs`)).status).toBe(403);
      expect(flaky.reruns).toEqual([{ repo: 'hms-bss', runId, attempt: 2 }]);
    } finally {
      await flaky.stop();
    }
  });

  it('issues: create, list by label and state, update, comment, close and reopen', async () => {
    const created = await call('POST', `/repos/${ORG}/hms-smd/issues`, {
      title: 'Rebuilds failing',
      body: 'x',
      labels: ['image-rebuild-failures']
    });
    expect(created.status).toBe(201);
    expectValid('/repos/{owner}/{repo}/issues', 'post', created);
    const number = (created.body as { number: number }).number;
    const listed = await call('GET', `/repos/${ORG}/hms-smd/issues?labels=image-rebuild-failures&state=all&per_page=100`);
    expectValid('/repos/{owner}/{repo}/issues', 'get', listed);
    expect((listed.body as { number: number }[]).map((i) => i.number)).toEqual([number]);
    expect(((await call('GET', `/repos/${ORG}/hms-smd/issues?labels=other`)).body as unknown[]).length).toBe(0);
    const comment = await call('POST', `/repos/${ORG}/hms-smd/issues/${number}/comments`, { body: 'All green' });
    expect(comment.status).toBe(201);
    expectValid('/repos/{owner}/{repo}/issues/{issue_number}/comments', 'post', comment);
    const closed = await call('PATCH', `/repos/${ORG}/hms-smd/issues/${number}`, { state: 'closed', state_reason: 'completed' });
    expectValid('/repos/{owner}/{repo}/issues/{issue_number}', 'patch', closed);
    expect(closed.body).toMatchObject({ state: 'closed', state_reason: 'completed', comments: 1 });
    expect(((await call('GET', `/repos/${ORG}/hms-smd/issues?labels=image-rebuild-failures`)).body as unknown[]).length).toBe(0);
    const reopened = await call('PATCH', `/repos/${ORG}/hms-smd/issues/${number}`, { state: 'open', body: 'y' });
    expect(reopened.body).toMatchObject({ state: 'open', state_reason: 'reopened', body: 'y', closed_at: null });
    expect((await call('PATCH', `/repos/${ORG}/hms-smd/issues/999`, { body: 'z' })).status).toBe(404);
  });

  it('conditional requests: 304 with no body, not counted against the rate limit', async () => {
    const first = await call('GET', `/repos/${ORG}/hms-smd/actions/workflows`);
    const remaining = Number(first.headers.get('x-ratelimit-remaining'));
    expect(first.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    const again = await call('GET', `/repos/${ORG}/hms-smd/actions/workflows`, undefined, {
      'if-none-match': first.headers.get('etag') ?? ''
    });
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
    expect(Number(again.headers.get('x-ratelimit-remaining'))).toBe(remaining);
  });

  it('errors: bad credentials and unknown repos', async () => {
    const unauthorized = await call('GET', `/repos/${ORG}/hms-smd/tags`, undefined, { authorization: 'token nope' });
    expect(unauthorized).toMatchObject({ status: 401, body: { message: 'Bad credentials' } });
    const missing = await call('GET', `/repos/${ORG}/nope/actions/workflows`);
    expect(missing.status).toBe(404);
  });
});
