import { connect, type Connection } from '../../src/github/client.js';
import { MAX_LISTING_PAGES } from '../../src/github/listing.js';
import { listTags } from '../../src/github/tags.js';
import { listWorkflows } from '../../src/github/workflows.js';
import { ConsoleLog } from '../../src/log.js';
import { GitHubEmulator } from '../support/github-emulator.js';
import { listen, readBody, type RunningServer } from '../support/http.js';
import { commitOf, hmsRepo, ORG } from '../support/sample-stream.js';
import { Writable } from 'node:stream';
import { testHttp } from '../support/network.js';

const quiet = () => new ConsoleLog(false, new Writable({ write: (_c, _e, cb) => cb() }), new Writable({ write: (_c, _e, cb) => cb() }));

/**
 * A proxy in front of the emulator that rewrites its answers as a hostile or broken server might:
 * `Link` headers pointing at another origin, and redirects (`Location`) to it or within itself.
 */
async function rewritingProxy(
  upstream: string,
  rewrite: { foreign: string; linkToForeign?: RegExp; redirectToForeign?: RegExp; redirectWithin?: RegExp; endless?: RegExp }
): Promise<RunningServer> {
  let self = '';
  const server = await listen(async (req, res) => {
    const path = req.url ?? '/';
    if (rewrite.redirectToForeign?.test(path)) {
      res.writeHead(302, { location: `${rewrite.foreign}${path}` });
      return void res.end();
    }
    if (rewrite.redirectWithin?.test(path) && !path.includes('moved=1')) {
      res.writeHead(301, { location: `${path}${path.includes('?') ? '&' : '?'}moved=1` });
      return void res.end();
    }
    const body = await readBody(req);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<
      string,
      string
    >;
    const answer = await fetch(`${upstream}${path.replace(/[?&]moved=1/, '')}`, {
      method: req.method,
      headers,
      body: body.length ? body : undefined
    });
    const out: Record<string, string> = {};
    answer.headers.forEach((value, key) => {
      if (key === 'content-encoding' || key === 'content-length' || key === 'transfer-encoding') return;
      // links name the proxy, as a proxy's would; or the foreign origin
      const origin = rewrite.linkToForeign?.test(path) ? rewrite.foreign : self;
      out[key] = key === 'link' ? value.replace(/<http:\/\/[^/]+/g, `<${origin}`) : value;
    });
    if (rewrite.endless?.test(path)) {
      // a next page, always
      const page = Number(new URL(path, self).searchParams.get('page') ?? 1);
      out.link = `<${self}${path.replace(/[?&]page=\d+/, '')}${path.includes('?') ? '&' : '?'}page=${page + 1}>; rel="next"`;
    }
    res.writeHead(answer.status, out);
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  self = server.url;
  return server;
}

describe('credentials stay with the API origin, whatever its answers say', () => {
  let github: GitHubEmulator;
  let foreign: RunningServer;
  let proxy: RunningServer | undefined;
  const foreignRequests: { path: string; authorization?: string }[] = [];

  beforeAll(async () => {
    const manyTags = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`v1.${i}.0`, commitOf(`bss-${i}`)]));
    github = await new GitHubEmulator({ org: ORG, repos: [hmsRepo('hms-bss', 'cray-bss', manyTags)] }).start();
    foreign = await listen((req, res) => {
      foreignRequests.push({ path: req.url ?? '', authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[]');
    });
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    await github.stop();
    await foreign.close();
  });

  const through = async (rewrite: Parameters<typeof rewritingProxy>[1]): Promise<Connection> => {
    proxy = await rewritingProxy(github.url, rewrite);
    return connect({
      http: testHttp(),
      apiUrl: proxy.url,
      org: ORG,
      auth: { kind: 'token', token: 'test-token' },
      log: quiet(),
      retries: 0
    });
  };

  it('does not follow a Link: next to another origin, and says so naming both', async () => {
    const { octokit } = await through({ foreign: foreign.url, linkToForeign: /\/tags/ });
    await expect(listTags(octokit, ORG, 'hms-bss')).rejects.toThrow(
      `GitHub API: GET /repos/${ORG}/hms-bss/tags would go to ${foreign.url}, another origin: refused, the credentials stay with their server`
    );
    expect(foreignRequests).toEqual([]);
  });

  it('does not follow a redirect to another origin', async () => {
    const { octokit } = await through({ foreign: foreign.url, redirectToForeign: /\/actions\/workflows/ });
    await expect(listWorkflows(octokit, ORG, 'hms-bss')).rejects.toThrow(
      `GitHub API: GET /repos/${ORG}/hms-bss/actions/workflows was redirected to ${foreign.url}, another origin: refused`
    );
    expect(foreignRequests).toEqual([]);
  });

  it('gives up a listing whose next page never ends, at a documented cap', async () => {
    const { octokit } = await through({ foreign: foreign.url, endless: /\/tags/ });
    await expect(listTags(octokit, ORG, 'hms-bss')).rejects.toThrow(
      `GitHub API: GET /repos/${ORG}/hms-bss/tags has more than ${MAX_LISTING_PAGES} pages: stopped (a listing without end?)`
    );
  });

  it('follows pagination and redirects within the origin', async () => {
    const { octokit } = await through({ foreign: foreign.url, redirectWithin: /\/tags/ });
    expect(await listTags(octokit, ORG, 'hms-bss')).toHaveLength(150);
    expect(foreignRequests).toEqual([]);
  });
});
