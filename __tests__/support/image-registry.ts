import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, createSign, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { listen, type RunningServer } from './http.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The CNCF distribution registry of Debian's `docker-registry` package (`.ci/run` installs it). */
export const REGISTRY_BINARY = process.env.HMS_REGISTRY_BINARY ?? '/usr/bin/docker-registry';
export const hasRegistry = (): boolean => existsSync(REGISTRY_BINARY) && spawnSync('htpasswd', ['-h']).error === undefined;
/** Said when a suite skips: how to get the registry on this machine. */
export const NO_REGISTRY =
  'skipped: the CNCF distribution registry is not installed (apt-get install docker-registry apache2-utils; .ci/run installs it)';

export const REGISTRY_USER = 'reader';
export const REGISTRY_PASSWORD = 'registry-secret-8c1d';

export interface LocalRegistry {
  /** `127.0.0.1:PORT`, as an image reference names the registry. */
  host: string;
  url: string;
  auth: 'htpasswd' | 'token';
  /** Token requests the token server answered (token mode). */
  readonly tokenRequests: string[];
  /** Token requests that carried credentials (an Authorization header). */
  readonly tokenRequestsWithCredentials: () => number;
  /** Push an image (its config and one layer; or an index of two platforms) and return its digest. */
  push(repository: string, tag: string, image: PushedImage): Promise<string>;
  stop(): Promise<void>;
}

export interface PushedImage {
  /** The config's `created`. */
  created: string;
  labels?: Record<string, string>;
  /** Manifest annotations (OCI only), e.g. `org.opencontainers.image.base.digest`. */
  annotations?: Record<string, string>;
  /** Docker v2 media types instead of OCI. */
  docker?: boolean;
  /** An index of linux/amd64 and linux/arm64 (OCI) or a manifest list (Docker). */
  multiArch?: boolean;
  /** The image's layers (tar.gz, bottom first); one small placeholder blob when not given. */
  layers?: Buffer[];
  /** The config's history, as BuildKit writes it. */
  history?: { created_by: string; empty_layer?: boolean }[];
}

async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** A token server as Docker Hub's: Basic credentials (or none) in, a JWT for the asked scope out, signed by a key the registry trusts. */
async function startTokenServer(dir: string, requests: string[], withCredentials: { count: number }): Promise<RunningServer> {
  const made = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(dir, 'token.key'),
    '-out',
    join(dir, 'token.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=test-token-issuer'
  ]);
  if (made.status !== 0) throw new Error(`openssl: ${made.stderr.toString()}`);
  const key = readFileSync(join(dir, 'token.key'), 'utf8');
  const certDer = Buffer.from(
    readFileSync(join(dir, 'token.crt'), 'utf8')
      .replace(/-----[^-]+-----/g, '')
      .replace(/\s+/g, ''),
    'base64'
  );
  return listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method ?? ''} ${url.pathname}?${url.searchParams.toString()}`);
    const auth = req.headers.authorization ?? '';
    // the action's reads (pull only), not this helper's pushes
    if (auth !== '' && url.searchParams.getAll('scope').every((scope) => scope.endsWith(':pull'))) withCredentials.count++;
    const anonymous = auth === '';
    const valid = auth === `Basic ${Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64')}`;
    if (!anonymous && !valid) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      // anonymous pulls only; a valid user may push too
      const allowed = (actions ?? '').split(',').filter((a) => a === 'pull' || (valid && a === 'push'));
      return type && name ? [{ type, name, actions: allowed }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer.toString('base64')] };
    const claims = {
      iss: 'test-issuer',
      sub: valid ? REGISTRY_USER : '',
      aud: 'test-registry',
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access
    };
    const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(unsigned).sign(key);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${unsigned}.${base64url(signature)}` }));
  });
}

/** Start the real registry on 127.0.0.1, with htpasswd Basic auth or with token auth and a token server of our own. */
export async function startRegistry(auth: 'htpasswd' | 'token'): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'registry-'));
  const port = await freePort();
  const tokenRequests: string[] = [];
  const withCredentials = { count: 0 };
  let tokens: RunningServer | undefined;
  let authConfig: string;
  if (auth === 'htpasswd') {
    const made = spawnSync('htpasswd', ['-Bbn', REGISTRY_USER, REGISTRY_PASSWORD]);
    writeFileSync(join(dir, 'htpasswd'), made.stdout);
    authConfig = `  htpasswd:\n    realm: test-registry\n    path: ${join(dir, 'htpasswd')}\n`;
  } else {
    tokens = await startTokenServer(dir, tokenRequests, withCredentials);
    authConfig =
      `  token:\n    realm: ${tokens.url}/token\n    service: test-registry\n    issuer: test-issuer\n` +
      `    rootcertbundle: ${join(dir, 'token.crt')}\n`;
  }
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n` +
      `  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\nauth:\n${authConfig}`
  );
  const child: ChildProcess = spawn(REGISTRY_BINARY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const answer = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      if (answer.status === 401) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`the registry did not start: ${stderr.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const basic = `Basic ${Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64')}`;
  const authorization = async (repository: string): Promise<string> => {
    if (!tokens) return basic;
    const answer = await fetch(`${tokens.url}/token?service=test-registry&scope=repository:${repository}:pull,push`, {
      headers: { authorization: basic }
    });
    return `Bearer ${((await answer.json()) as { token: string }).token}`;
  };
  const putBlob = async (repository: string, bytes: Buffer, headers: Record<string, string>): Promise<string> => {
    const digest = sha256(bytes);
    const start = await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
    if (start.status !== 202) throw new Error(`blob upload: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location') ?? '', url);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: bytes });
    if (put.status !== 201) throw new Error(`blob put: ${put.status} ${await put.text()}`);
    return digest;
  };
  const putManifest = async (repository: string, reference: string, manifest: object, headers: Record<string, string>): Promise<string> => {
    const body = JSON.stringify(manifest);
    const answer = await fetch(`${url}/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': (manifest as { mediaType: string }).mediaType },
      body
    });
    if (answer.status !== 201) throw new Error(`manifest put: ${answer.status} ${await answer.text()}`);
    return sha256(body);
  };

  /** One platform's manifest: a config blob and a layer blob, both pushed. */
  const pushPlatform = async (repository: string, image: PushedImage, arch: string, headers: Record<string, string>) => {
    const config = Buffer.from(
      JSON.stringify({
        architecture: arch,
        os: 'linux',
        created: image.created,
        config: { Labels: image.labels ?? {} },
        rootfs: { type: 'layers', diff_ids: [] },
        ...(image.history ? { history: image.history } : {})
      })
    );
    const blobs = image.layers ?? [Buffer.from(`layer of ${repository} ${arch} ${image.created}`)];
    const configDigest = await putBlob(repository, config, headers);
    const layerDigests: string[] = [];
    for (const layer of blobs) layerDigests.push(await putBlob(repository, layer, headers));
    return {
      schemaVersion: 2,
      mediaType: image.docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: image.docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length
      },
      layers: blobs.map((layer, i) => ({
        mediaType: image.docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: layerDigests[i],
        size: layer.length
      })),
      ...(image.annotations && !image.docker ? { annotations: image.annotations } : {})
    };
  };

  return {
    host: `127.0.0.1:${port}`,
    url,
    auth,
    tokenRequests,
    tokenRequestsWithCredentials: () => withCredentials.count,
    async push(repository, tag, image) {
      const headers = { authorization: await authorization(repository) };
      if (!image.multiArch) return putManifest(repository, tag, await pushPlatform(repository, image, 'amd64', headers), headers);
      const platforms = [];
      for (const arch of ['arm64', 'amd64']) {
        const manifest = await pushPlatform(repository, image, arch, headers);
        const digest = await putManifest(repository, sha256(JSON.stringify(manifest)), manifest, headers);
        platforms.push({
          mediaType: manifest.mediaType,
          digest,
          size: JSON.stringify(manifest).length,
          platform: { os: 'linux', architecture: arch }
        });
      }
      const index = {
        schemaVersion: 2,
        mediaType: image.docker ? 'application/vnd.docker.distribution.manifest.list.v2+json' : 'application/vnd.oci.image.index.v1+json',
        manifests: platforms,
        ...(image.annotations && !image.docker ? { annotations: image.annotations } : {})
      };
      return putManifest(repository, tag, index, headers);
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        // a registry that does not stop in 3 s is left to the process group's end; the timer must not hold jest
        const timer = setTimeout(resolve, 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await tokens?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
