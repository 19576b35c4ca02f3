import { describeWith } from '../support/skips.js';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { listen, type RunningServer } from '../support/http.js';
import { parseImageReference, type ImageReference } from '../../src/registry/image-reference.js';
import { RegistryClient, RegistryError } from '../../src/registry/registry-client.js';
import {
  hasRegistry,
  NO_REGISTRY,
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startRegistry,
  type LocalRegistry
} from '../support/image-registry.js';
import { startSilentServer } from '../support/silent-server.js';
import { testHttp } from '../support/network.js';
import { OriginBoundFetch } from '../../src/http/origin-bound-fetch.js';

const ref = (text: string): ImageReference => {
  const parsed = parseImageReference(text);
  if (!parsed) throw new Error(`not a reference: ${text}`);
  return parsed;
};

const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

const withRegistry = describeWith('docker-registry', hasRegistry(), NO_REGISTRY);

describe.each(['htpasswd', 'token'] as const)('the registry client against the real CNCF registry (%s auth)', (auth) => {
  withRegistry('reads', () => {
    let registry: LocalRegistry;
    beforeAll(async () => {
      registry = await startRegistry(auth);
    }, 30_000);
    afterAll(async () => {
      await registry?.stop();
    });

    const client = (credentials = true): RegistryClient =>
      new RegistryClient({
        credentialsFor: (host) =>
          credentials && host === registry.host ? { username: REGISTRY_USER, password: REGISTRY_PASSWORD } : undefined,
        rewrites: [],
        namedHosts: new Set([registry.host]),
        timeoutMs: 5000,
        http: testHttp()
      });

    it('reads the linux/amd64 manifest of an OCI index, its config, the base digest annotation; each image once', async () => {
      const digest = await registry.push('docker.io/library/golang', '1.23-alpine', {
        created: '2026-11-20T10:00:00Z',
        multiArch: true
      });
      const image = await registry.push('csm-docker/stable/cray-smd', '2.24.0', {
        created: '2026-11-28T02:00:00Z',
        annotations: { 'org.opencontainers.image.base.digest': digest }
      });
      const c = client();
      const base = ref(`${registry.host}/docker.io/library/golang:1.23-alpine`);
      expect(await c.imageFacts(base)).toEqual({ found: true, digest, created: '2026-11-20T10:00:00Z' });
      expect(await c.imageFacts(ref(`${registry.host}/csm-docker/stable/cray-smd:2.24.0`))).toEqual({
        found: true,
        digest: image,
        created: '2026-11-28T02:00:00Z',
        baseDigest: digest
      });
      const sent = { ...c.requests };
      await c.imageFacts(base);
      expect(c.requests).toEqual(sent);
      // an index: index, platform manifest, config; an image: manifest, config; the registry asked once how it authenticates
      expect(sent).toMatchObject({ probe: 1, manifest: 3, blob: 2 });
      expect(sent.token).toBe(auth === 'token' ? 2 : 0);
    });

    it('reads Docker v2 manifest lists and a base digest label', async () => {
      await registry.push('docker.io/library/alpine', '3.15', { created: '2023-08-07T19:20:20Z', docker: true, multiArch: true });
      await registry.push('hms/labelled', '1.0.0', {
        created: '2026-11-01T00:00:00Z',
        docker: true,
        labels: { 'org.opencontainers.image.base.digest': 'sha256:' + 'a'.repeat(64) }
      });
      const c = client();
      expect(await c.imageFacts(ref(`${registry.host}/docker.io/library/alpine:3.15`))).toMatchObject({
        found: true,
        created: '2023-08-07T19:20:20Z'
      });
      expect(await c.imageFacts(ref(`${registry.host}/hms/labelled:1.0.0`))).toMatchObject({ baseDigest: 'sha256:' + 'a'.repeat(64) });
    });

    it('says an image is missing, and names image and registry when the credentials are refused', async () => {
      expect(await client().imageFacts(ref(`${registry.host}/hms/nothing:9.9.9`))).toEqual({
        found: false,
        reason: `${registry.host}/hms/nothing:9.9.9 is not in the registry`
      });
      const wrong = new RegistryClient({
        credentialsFor: () => ({ username: REGISTRY_USER, password: 'wrong' }),
        rewrites: [],
        namedHosts: new Set([registry.host]),
        timeoutMs: 5000,
        http: testHttp()
      });
      if (auth === 'token') {
        // the token server is on another port over plain http: it gets no credentials, and gives an anonymous pull
        await expect(wrong.imageFacts(ref(`${registry.host}/hms/labelled:1.0.0`))).resolves.toMatchObject({ found: true });
        expect(registry.tokenRequestsWithCredentials()).toBe(0);
        return;
      }
      await expect(wrong.imageFacts(ref(`${registry.host}/hms/labelled:1.0.0`))).rejects.toThrow(
        new RegExp(`^${registry.host}/hms/labelled:1\\.0\\.0: registry ${registry.host}: `)
      );
    });

    if (auth === 'token')
      it('gets an anonymous token for pulls when it has no credentials, as from Docker Hub', async () => {
        await registry.push('docker.io/library/busybox', '1.36', { created: '2026-01-01T00:00:00Z' });
        const before = registry.tokenRequests.length;
        expect(await client(false).imageFacts(ref(`${registry.host}/docker.io/library/busybox:1.36`))).toMatchObject({ found: true });
        expect(registry.tokenRequests.slice(before)).toEqual([
          'GET /token?service=test-registry&scope=repository%3Adocker.io%2Flibrary%2Fbusybox%3Apull'
        ]);
      });
  });
});

describe('the registry client against registries that misbehave', () => {
  const servers: RunningServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  type Answer = { status: number; headers?: Record<string, string>; body?: string };
  /** A registry of the test's own on 127.0.0.1; its `host:port`, as an image reference names it. */
  async function serve(handler: (path: string, headers: IncomingHttpHeaders) => Answer): Promise<string> {
    const server = await listen((req, res) => {
      const answer = handler(req.url ?? '/', req.headers);
      res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
    });
    servers.push(server);
    return server.url.replace('http://', '');
  }

  const clientFor = (host: string, timeoutMs = 5000): RegistryClient =>
    new RegistryClient({
      credentialsFor: (registry) => (registry === host ? { username: 'u', password: 'secret-password' } : undefined),
      rewrites: [],
      namedHosts: new Set([host]),
      timeoutMs,
      http: testHttp()
    });

  it('names the image and the registry when it answers what is not a manifest', async () => {
    const host = await serve(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '<html>' }));
    await expect(clientFor(host).imageFacts(ref(`${host}/hms/x:1`))).rejects.toThrow(
      `${host}/hms/x:1: registry ${host}: GET /v2/hms/x/manifests/1 answered what is not JSON`
    );
  });

  it('does not read a loopback registry named only by content, nor send it credentials', async () => {
    const asked: string[] = [];
    const host = await serve((path) => {
      asked.push(path);
      return { status: 200, body: '{}' };
    });
    const anonymous = new RegistryClient({
      credentialsFor: () => ({ username: 'chart-user', password: 'chart-password' }),
      rewrites: [],
      namedHosts: new Set(),
      timeoutMs: 5000,
      http: testHttp()
    });
    await expect(anonymous.imageFacts(ref(`${host}/csm-docker/stable/cray-smd:1`))).rejects.toThrow(
      `${host}/csm-docker/stable/cray-smd:1: registry ${host}: ${host} is a loopback or private address named only by the repositories' content: not read (name it in registry-hosts to read it)`
    );
    expect(asked).toEqual([]);
  });

  it('believes nothing whose bytes are not its digest, and computes a manifest digest the registry leaves out', async () => {
    const config = JSON.stringify({ created: '2026-01-01T00:00:00Z', config: {} });
    const manifest = JSON.stringify({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { digest: sha256('another config') }
    });
    const host = await serve((path): Answer =>
      path.includes('/manifests/') ? { status: 200, body: manifest } : { status: 200, body: config }
    );
    await expect(clientFor(host).imageFacts(ref(`${host}/hms/x:1`))).rejects.toThrow(
      `GET /v2/hms/x/blobs/${sha256('another config')} answered bytes whose digest is ${sha256(config)}, not the ${sha256('another config')} asked for`
    );
    const honest = JSON.stringify({ mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: sha256(config) } });
    const plain = await serve((path): Answer =>
      path.includes('/manifests/') ? { status: 200, body: honest } : { status: 200, body: config }
    );
    expect(await clientFor(plain).imageFacts(ref(`${plain}/hms/x:1`))).toMatchObject({ found: true, digest: sha256(honest) });
  });

  it('never sends the token request of an https registry over plain http', async () => {
    const asked: { url: string; authorization: string | null }[] = [];
    const fake = (url: string, init: RequestInit): Promise<Response> => {
      asked.push({ url, authorization: new Headers(init.headers).get('authorization') });
      return Promise.resolve(
        new Response('{}', {
          status: 401,
          headers: { 'www-authenticate': 'Bearer realm="http://registry.example:8080/token",service="r"' }
        })
      );
    };
    const client = new RegistryClient({
      credentialsFor: () => ({ username: 'u', password: 'secret-password' }),
      rewrites: [],
      namedHosts: new Set(['registry.example']),
      timeoutMs: 5000,
      http: new OriginBoundFetch(new AbortController().signal, { fetch: fake })
    });
    await expect(client.imageFacts(ref('registry.example/hms/x:1'))).rejects.toThrow(
      'its token server http://registry.example:8080 is plain http: refused, the registry is read over https'
    );
    expect(asked.every((a) => a.url.startsWith('https://') && a.authorization === null)).toBe(true);
  });

  it('follows a redirect to another origin without the credentials', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const config = JSON.stringify({ created: '2026-01-01T00:00:00Z', config: {} });
    const storage = await serve((_path, headers) => {
      seen.push(headers);
      return { status: 200, body: config };
    });
    const manifest = JSON.stringify({ mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: sha256(config) } });
    const host = await serve((path, headers): Answer => {
      if (!headers.authorization) return { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } };
      if (path.includes('/manifests/')) return { status: 200, headers: { 'docker-content-digest': sha256(manifest) }, body: manifest };
      return { status: 307, headers: { location: `http://${storage}/blob` } };
    });
    expect(await clientFor(host).imageFacts(ref(`${host}/hms/x:1`))).toEqual({
      found: true,
      digest: sha256(manifest),
      created: '2026-01-01T00:00:00Z'
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.authorization).toBeUndefined();
  });

  it('asks a token server on another host for an anonymous token: the credentials stay with the registry', async () => {
    const asked: IncomingHttpHeaders[] = [];
    const tokens = await serve((_path, headers) => {
      asked.push(headers);
      return { status: 200, body: JSON.stringify({ token: 'anonymous-token' }) };
    });
    const tokenPort = tokens.split(':')[1] ?? '';
    const host = await serve((path, headers): Answer => {
      if (headers.authorization !== 'Bearer anonymous-token')
        return { status: 401, headers: { 'www-authenticate': `Bearer realm="http://localhost:${tokenPort}/token",service="r"` } };
      if (path.includes('/manifests/')) return { status: 404 };
      return { status: 200, body: '{}' };
    });
    expect(await clientFor(host).imageFacts(ref(`${host}/hms/x:1`))).toMatchObject({ found: false });
    expect(asked).toHaveLength(1);
    expect(asked[0]?.authorization).toBeUndefined();
  });

  it('names a registry that never answers, and asks it nothing more this run', async () => {
    const silent = await startSilentServer();
    try {
      const host = silent.url.replace('http://', '');
      const c = clientFor(host, 500);
      await expect(c.imageFacts(ref(`${host}/hms/a:1`))).rejects.toThrow(
        `${host}/hms/a:1: registry ${host}: ${silent.url} gave no answer in 0.5 s`
      );
      await expect(c.imageFacts(ref(`${host}/hms/b:1`))).rejects.toBeInstanceOf(RegistryError);
      expect(silent.requests).toHaveLength(1);
    } finally {
      await silent.close();
    }
  });
});
