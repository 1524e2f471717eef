// A local node:http server that plays the service in the client's unit tests: each test says
// how to answer, and every request it received is kept (headers, path, query, body bytes).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export type Handler = (request: SeenRequest, response: http.ServerResponse) => unknown;

export interface FakeServer {
  readonly url: string;
  readonly seen: SeenRequest[];
  handle(handler: Handler): void;
  close(): Promise<void>;
}

/** Starts a server on a free loopback port; the default handler answers 500. */
export async function startFakeServer(options: { keepBody?: boolean } = {}): Promise<FakeServer> {
  const seen: SeenRequest[] = [];
  let handler: Handler = (_request, response) => {
    response.writeHead(500).end();
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      if (options.keepBody !== false) chunks.push(chunk);
    });
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const seenRequest = { method: request.method ?? '', path: url.pathname, query: url.searchParams, headers: request.headers, body: Buffer.concat(chunks) };
      seen.push(seenRequest);
      void Promise.resolve(handler(seenRequest, response)).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    handle: (next) => {
      handler = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers `status` with `body` as JSON. */
export function json(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers }).end(text);
}

/** A batch meta as the service sends it, with `overrides`. */
export function aMeta(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: 'IN_PROGRESS',
    success: 0,
    failed: 0,
    total: 10,
    batchId: 'batch:00000000-0000-4000-8000-000000000001',
    containerType: 'bag',
    operation: 'create',
    source: 'file',
    pending: 10,
    cancelled: 0,
    createdAt: 1_700_000_000_000,
    startedAt: null,
    completedAt: null,
    hasMore: false,
    callback: { state: 'NONE', attempts: 0 },
    progress: { percent: 0, itemsPerSecond: 0, etaMs: null },
    createdBy: { id: 'demo' },
    ...overrides,
  };
}

export const request = { uri: '/', method: 'GET', queryString: '', body: {} };
