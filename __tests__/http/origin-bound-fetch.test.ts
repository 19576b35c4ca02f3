import { createGzip } from 'node:zlib';
import type { IncomingHttpHeaders } from 'node:http';
import { CancelledError, ForeignOriginError } from '../../src/errors.js';
import {
  ERROR_BODY_BYTES,
  HttpDowngrade,
  HttpNoAnswer,
  HttpTooLarge,
  OriginBoundFetch,
  REQUESTS_PER_ORIGIN,
  type RequestPolicy
} from '../../src/http/origin-bound-fetch.js';
import { listen, type RunningServer } from '../support/http.js';

const MB = 1024 * 1024;
const policy = (over: Partial<RequestPolicy> = {}): RequestPolicy => ({
  service: 'test server',
  timeoutMs: 5000,
  maxBytes: 4 * MB,
  redirects: 'same-origin',
  ...over
});

/** Write `megabytes` of zeros through gzip: about 1 KB on the wire per MB inflated. */
function gzipZeros(res: import('node:http').ServerResponse, megabytes: number): void {
  const gzip = createGzip();
  gzip.pipe(res);
  const chunk = Buffer.alloc(MB);
  let left = megabytes;
  const write = (): void => {
    while (left > 0) {
      left--;
      if (!gzip.write(chunk)) {
        gzip.once('drain', write);
        return;
      }
    }
    gzip.end();
  };
  res.on('close', () => {
    left = 0;
    gzip.destroy();
  });
  write();
}

describe('the one network policy', () => {
  const servers: RunningServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const serve = async (handler: Parameters<typeof listen>[0]): Promise<string> => {
    const server = await listen(handler);
    servers.push(server);
    return server.url;
  };
  const http = (signal = new AbortController().signal): OriginBoundFetch => new OriginBoundFetch(signal);

  it('reads an error body only as far as its message needs: a 500 inflating to 1 GB is cut at its bound', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(500, { 'content-encoding': 'gzip' });
      gzipZeros(res, 1024);
    });
    const before = process.memoryUsage().rss;
    const answer = await http().request(`${url}/v2/`, policy());
    expect(answer.status).toBe(500);
    expect(answer.body.length).toBe(ERROR_BODY_BYTES);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * MB);
  });

  it('refuses a body past its bound after decompression, and a body that inflates past the ratio bound', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      gzipZeros(res, 1024);
    });
    await expect(http().request(`${url}/blob`, policy())).rejects.toThrow(HttpTooLarge);
    // 256 MB of zeros in about 250 KB, its size declared: stopped once it inflates past 200 times that
    const chunks: Buffer[] = [];
    const gzip = createGzip();
    gzip.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise((resolve) => gzip.on('end', resolve));
    for (let i = 0; i < 256; i++) gzip.write(Buffer.alloc(MB));
    gzip.end();
    await done;
    const bomb = Buffer.concat(chunks);
    const declared = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(bomb.length) }).end(bomb);
    });
    await expect(http().request(`${declared}/blob`, policy({ maxBytes: 2048 * MB }))).rejects.toThrow(/inflates more than 200 times/);
  });

  it('streams a 2xx body to a sink under the same bound (nothing held), and keeps an error body for its message', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/missing') res.writeHead(404, { 'content-type': 'text/plain' }).end('blob unknown');
      else res.writeHead(200).end(Buffer.alloc(3 * MB, 7));
    });
    let sunk = 0;
    const answer = await http().request(`${url}/blob`, policy(), { sink: (chunk) => void (sunk += chunk.byteLength) });
    expect(answer).toMatchObject({ status: 200, body: Buffer.alloc(0) });
    expect(sunk).toBe(3 * MB);
    const missing = await http().request(`${url}/missing`, policy(), { sink: () => undefined });
    expect(missing.body.toString()).toBe('blob unknown');
    await expect(http().request(`${url}/blob`, policy({ maxBytes: MB }), { sink: () => undefined })).rejects.toThrow(HttpTooLarge);
    // a sink that refuses what it is given ends the exchange with its error
    await expect(
      http().request(`${url}/blob`, policy(), {
        sink: () => {
          throw new Error('not a tar');
        }
      })
    ).rejects.toThrow('not a tar');
  });

  it('ends a body that drips a byte at a time, at its idle deadline', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 2500);
      res.on('close', () => clearInterval(timer));
    });
    const error = await http()
      .request(`${url}/manifest`, policy({ idleMs: 1000 }))
      .then(
        () => undefined,
        (e: unknown) => e
      );
    expect(error).toBeInstanceOf(HttpNoAnswer);
    expect((error as Error).message).toBe('test server: GET /manifest sent nothing for 1 s in its answer');
  });

  it('sends credentials only to their origin: a redirect elsewhere is refused, or followed without them', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const other = await serve((req, res) => {
      seen.push(req.headers);
      res.writeHead(200).end('blob');
    });
    const url = await serve((_req, res) => {
      res.writeHead(307, { location: `${other}/storage` }).end();
    });
    const credential = { origin: url, authorization: 'Basic c2VjcmV0' };
    await expect(http().request(`${url}/blob`, policy(), { credential })).rejects.toThrow(ForeignOriginError);
    expect(seen).toHaveLength(0);
    const answer = await http().request(`${url}/blob`, policy({ redirects: 'drop-credentials' }), {
      credential,
      headers: { authorization: 'Bearer also-secret' }
    });
    expect(answer.body.toString()).toBe('blob');
    expect(seen[0]?.authorization).toBeUndefined();
  });

  it('never follows https to plain http', async () => {
    const asked: string[] = [];
    const fake = (url: string): Promise<Response> => {
      asked.push(url);
      return Promise.resolve(new Response(null, { status: 302, headers: { location: 'http://registry.example:8080/blob' } }));
    };
    const client = new OriginBoundFetch(new AbortController().signal, { fetch: fake });
    await expect(client.request('https://registry.example/v2/x/blobs/sha256:1', policy({ redirects: 'drop-credentials' }))).rejects.toThrow(
      HttpDowngrade
    );
    expect(asked).toEqual(['https://registry.example/v2/x/blobs/sha256:1']);
  });

  it('keeps at most its limit of requests in flight per origin', async () => {
    let inFlight = 0;
    let most = 0;
    const url = await serve(async (_req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 30));
      inFlight--;
      res.writeHead(200).end('{}');
    });
    const client = http();
    await Promise.all(Array.from({ length: 30 }, (_, i) => client.request(`${url}/token?i=${i}`, policy())));
    expect(most).toBe(REQUESTS_PER_ORIGIN);
  });

  it('a cancel aborts the requests in flight at once', async () => {
    let closed = 0;
    const url = await serve((req) => {
      req.socket.on('close', () => closed++);
    });
    const cancel = new AbortController();
    const client = http(cancel.signal);
    const pending = Promise.allSettled([
      client.request(`${url}/a`, policy({ timeoutMs: 60_000 })),
      client.request(`${url}/b`, policy({ timeoutMs: 60_000 }))
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    cancel.abort('SIGTERM');
    const settled = await pending;
    expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as Error).constructor : undefined))).toEqual([
      CancelledError,
      CancelledError
    ]);
    // the server sees its connections closed: nothing is left waiting on a deadline
    for (let i = 0; i < 50 && closed < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(2);
    await expect(client.request(`${url}/c`, policy())).rejects.toThrow(CancelledError);
  });
});
