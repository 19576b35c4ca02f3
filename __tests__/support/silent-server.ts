import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SilentServer {
  url: string;
  /** Request lines received so far (`GET /path HTTP/1.1`); each stays unanswered. */
  readonly requests: string[];
  /** Connections open now (a client that gave up has closed its own). */
  open(): number;
  close(): Promise<void>;
}

/** A server on 127.0.0.1 that accepts every connection, reads what it is sent, and never answers. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('latin1').split('\r\n')) if (/^[A-Z]+ \S+ HTTP\/1\.[01]$/.test(line)) requests.push(line);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })
  };
}
