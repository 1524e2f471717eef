// Where /metrics is served: on the API's own port (a fastify route beside the Nest controllers,
// so that it needs no token and stays out of the OpenAPI document), and, for a process without
// HTTP (`npm run worker`), on METRICS_PORT by a small server of its own with /health beside it.
import type { FastifyInstance } from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceMetrics } from './service-metrics';

export const METRICS_PATH = '/metrics';

export function serveMetrics(fastify: FastifyInstance, metrics: ServiceMetrics): void {
  fastify.get(METRICS_PATH, async (_request, reply) => {
    const { contentType, body } = await metrics.scrape();
    return reply.type(contentType).send(body);
  });
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves GET /metrics and GET /health on `port`; anything else is 404. */
export async function startMetricsServer(metrics: ServiceMetrics, at: { port: number; host: string }): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    const answer = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) }).end(body);
    };
    const json = 'application/json; charset=utf-8';
    if ((request.method !== 'GET' && request.method !== 'HEAD') || (path !== '/health' && path !== METRICS_PATH)) {
      answer(404, json, notFound());
      return;
    }
    if (path === '/health') {
      answer(200, json, JSON.stringify({ status: 'ok' }));
      return;
    }
    metrics.scrape().then(
      ({ contentType, body }) => answer(200, contentType, body),
      () =>
        answer(
          503,
          'application/json; charset=utf-8',
          JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', description: 'The metrics could not be read.' } }),
        ),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${at.host.includes(':') ? `[${at.host}]` : at.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const notFound = () => JSON.stringify({ error: { code: 'NOT_FOUND', description: 'This port serves GET /metrics and GET /health only.' } });
