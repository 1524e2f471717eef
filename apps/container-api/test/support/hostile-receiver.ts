// Callback receivers that misbehave, on loopback, for the tests of contract §13: the URL's first
// path segment says how to answer, the second tags the callback (so that tests can count the
// requests of one callback, and how many of them were open at once).
//   ok       200 at once             fail     500 at once
//   trickle  200, then one byte of body every 50 ms, for ever
//   huge     200, then body as fast as the socket takes it, for ever
//   silent   reads the request and never answers
//   headers  sends the status line, then one header line every 50 ms, for ever
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Behaviour = 'ok' | 'fail' | 'trickle' | 'huge' | 'silent' | 'headers';

interface HostileRequest {
  readonly behaviour: string;
  readonly tag: string;
  readonly at: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface HostileReceiver {
  url(behaviour: Behaviour, tag?: string): string;
  readonly requests: HostileRequest[];
  /** Requests of `tag` open now, and the most that were ever open at once. */
  open(tag: string): number;
  mostOpen(tag: string): number;
  /** Requests open now, all tags. */
  readonly openNow: number;
  close(): Promise<void>;
}

export async function startHostileReceiver(): Promise<HostileReceiver> {
  const requests: HostileRequest[] = [];
  const open = new Map<string, number>();
  const most = new Map<string, number>();
  let openNow = 0;
  const timers = new Set<NodeJS.Timeout>();
  const every = (ms: number, tick: () => void, until: http.ServerResponse) => {
    const timer = setInterval(tick, ms);
    timers.add(timer);
    until.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  };
  const server = http.createServer((request, response) => {
    const [, behaviour = 'ok', tag = ''] = (request.url ?? '/').split('?')[0]!.split('/');
    openNow++;
    open.set(tag, (open.get(tag) ?? 0) + 1);
    most.set(tag, Math.max(most.get(tag) ?? 0, open.get(tag)!));
    response.on('close', () => {
      openNow--;
      open.set(tag, open.get(tag)! - 1);
    });
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ behaviour, tag, at: Date.now(), headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      switch (behaviour) {
        case 'fail':
          response.writeHead(500).end('no');
          return;
        case 'trickle':
          response.writeHead(200, { 'content-type': 'text/plain' });
          every(50, () => response.write('.'), response);
          return;
        case 'huge': {
          response.writeHead(200, { 'content-type': 'application/octet-stream' });
          const block = Buffer.alloc(64 * 1024, 120);
          const pump = () => {
            while (!response.destroyed && response.write(block));
          };
          response.on('drain', pump);
          pump();
          return;
        }
        case 'silent':
          return;
        case 'headers': {
          const socket = response.socket!;
          socket.write('HTTP/1.1 200 OK\r\n');
          let n = 0;
          every(50, () => socket.write(`X-Slow-${n++}: x\r\n`), response);
          return;
        }
        default:
          return response.writeHead(200).end('ok');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (behaviour, tag = 'x') => `http://127.0.0.1:${port}/${behaviour}/${tag}`,
    requests,
    open: (tag) => open.get(tag) ?? 0,
    mostOpen: (tag) => most.get(tag) ?? 0,
    get openNow() {
      return openNow;
    },
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
