import { connect } from '../../src/github/client.js';
import { WorkflowDispatcher } from '../../src/github/dispatch.js';
import { ConsoleLog } from '../../src/log.js';
import { GitHubEmulator } from '../support/github-emulator.js';
import { commitOf, hmsRepo, ORG } from '../support/sample-stream.js';
import { testHttp } from '../support/network.js';

describe('connecting as a GitHub App (real @octokit/auth-app, emulator checking the JWT)', () => {
  let github: GitHubEmulator;
  beforeEach(async () => {
    github = await new GitHubEmulator({
      org: ORG,
      repos: [
        hmsRepo('csm', 'none', { 'v1.0.0': commitOf('csm') }),
        hmsRepo('hms-bss', 'cray-bss', { 'v1.28.0': commitOf('bss') }),
        hmsRepo('hms-smd', 'cray-smd', { 'v2.24.0': commitOf('smd') })
      ]
    }).start();
  });
  afterEach(() => github.stop());

  const connectAsApp = (org = ORG, privateKey = github.privateKey) =>
    connect({
      http: testHttp(),
      apiUrl: github.url,
      org,
      repo: 'csm',
      auth: { kind: 'app', appId: github.appId, privateKey },
      log: new ConsoleLog()
    });

  it('finds the installation on the org and names the bot that will dispatch', async () => {
    const connection = await connectAsApp();
    expect(await connection.dispatcherLogin()).toBe('hms-build-workflow-dispatcher[bot]');
    expect(await connection.gitToken()).toMatch(/^ghs_emulated/);
    const { data } = await connection.octokit.request('GET /repos/{owner}/{repo}/tags', { owner: ORG, repo: 'csm' });
    expect(data.map((t) => t.name)).toEqual(['v1.0.0']);
  });

  it('looks for the installation through the product stream repo when the org lookup answers 404', async () => {
    github.faults.push({ method: 'GET', path: /^\/orgs\/[^/]+\/installation$/, status: 404, message: 'Not Found', times: 1 });
    const connection = await connectAsApp();
    expect(await connection.gitToken()).toMatch(/^ghs_emulated/);
    expect(github.requests.map((r) => `${r.status} ${r.path}`).slice(0, 2)).toEqual([
      `404 /orgs/${ORG}/installation`,
      `200 /repos/${ORG}/csm/installation`
    ]);
  });

  it('says the App is not installed when no place knows it, and names a refused key', async () => {
    await expect(
      connect({
        http: testHttp(),
        apiUrl: github.url,
        org: 'Elsewhere',
        auth: { kind: 'app', appId: github.appId, privateKey: github.privateKey },
        log: new ConsoleLog()
      })
    ).rejects.toThrow(
      `the GitHub App ${github.appId} is not installed on Elsewhere: install it on the organization (see README, "GitHub App")`
    );
    const { generateKeyPairSync } = await import('node:crypto');
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    await expect(
      connect({
        http: testHttp(),
        apiUrl: github.url,
        org: ORG,
        auth: { kind: 'app', appId: github.appId, privateKey: otherKey },
        log: new ConsoleLog()
      })
    ).rejects.toThrow(
      /^cannot find the GitHub App installation on the organization Cray-HPE: GitHub refused the token \(401 A JSON web token could not be decoded.*\) for GET \/orgs\/Cray-HPE\/installation: it needs a valid app-id and private-key/
    );
  });

  it('asks for tokens that hold only a scope; the emulator refuses what lies outside it, as GitHub does', async () => {
    const app = await connectAsApp();
    const builds = app.scoped({ repositories: ['hms-bss'], permissions: { actions: 'write' } });
    const planning = app.scoped({ repositories: ['hms-bss', 'hms-smd'], permissions: { contents: 'read', actions: 'read' } });
    const workflowOf = (repo: string) => github.repo(repo)?.workflows[0]?.id ?? 0;

    expect(
      await new WorkflowDispatcher(builds.octokit, ORG, '2022-11-28').dispatch('hms-bss', workflowOf('hms-bss'), 'v1.28.0')
    ).toMatchObject({
      kind: 'run'
    });
    // a repository outside the token's list is not found; a write beyond its permissions is refused
    expect(await new WorkflowDispatcher(builds.octokit, ORG, '2022-11-28').dispatch('hms-smd', workflowOf('hms-smd'), 'v2.24.0')).toEqual({
      kind: 'refused',
      status: 404,
      message: 'Not Found'
    });
    expect(await new WorkflowDispatcher(planning.octokit, ORG, '2022-11-28').dispatch('hms-smd', workflowOf('hms-smd'), 'v2.24.0')).toEqual(
      {
        kind: 'refused',
        status: 403,
        message: 'Resource not accessible by integration'
      }
    );
    const { data } = await planning.octokit.request('GET /repos/{owner}/{repo}/tags', { owner: ORG, repo: 'hms-smd' });
    expect(data.map((t) => t.name)).toEqual(['v2.24.0']);
    await expect(builds.octokit.request('GET /repos/{owner}/{repo}/tags', { owner: ORG, repo: 'hms-bss' })).rejects.toMatchObject({
      status: 403
    });
    expect(github.dispatches.map((d) => d.repo)).toEqual(['hms-bss']);
    expect(github.tokensIssued).toEqual([
      { permissions: { actions: 'write', metadata: 'read' }, repositories: ['hms-bss'] },
      { permissions: { contents: 'read', actions: 'read', metadata: 'read' }, repositories: ['hms-bss', 'hms-smd'] }
    ]);
  });

  it('says which permission the App lacks when GitHub refuses a token scope', async () => {
    await github.stop();
    github = await new GitHubEmulator({ org: ORG, repos: [hmsRepo('csm', 'none', {})], issuesWritable: false }).start();
    const issues = (await connectAsApp()).scoped({ repositories: ['csm'], permissions: { issues: 'write' } });
    await expect(issues.octokit.request('GET /repos/{owner}/{repo}/issues', { owner: ORG, repo: 'csm' })).rejects.toThrow(
      /^GitHub refused a token with issues: write on csm \(422 The permissions requested are not granted to this installation\..*\): give the GitHub App these permissions and install it on these repositories \(README, "GitHub App"\)$/
    );
  });
});
