// A callback receiver on loopback for tests: records every request (headers and raw body) and
// answers each with the next planned status (200 once the plan runs out), or holds it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Received {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
  readonly answered: number | 'held';
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Statuses for the next requests, in order; 'hold' keeps a request open until release(). */
  plan(...statuses: Array<number | 'hold'>): void;
  /** Answers every held request with 200. */
  release(): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let planned: Array<number | 'hold'> = [];
  let held: http.ServerResponse[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const next = planned.shift() ?? 200;
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), answered: next === 'hold' ? 'held' : next });
      if (next === 'hold') held.push(response);
      else response.writeHead(next).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/batches`,
    received,
    plan: (...statuses) => {
      planned = statuses;
    },
    release: () => {
      for (const response of held) response.writeHead(200).end();
      held = [];
    },
    close: async () => {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
