import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { allResults } from './all-results';
import { ApiError } from './api-error';
import { batchEvents } from './batch-events';
import { createBatchClient } from './batch-client';
import { uploadFile } from './upload-file';
import { waitForBatch } from './wait-for-batch';
import { FakeServer, aMeta, json, request, startFakeServer } from '../test/fake-http-server';

const BATCH = 'batch:00000000-0000-4000-8000-000000000001';

/** A server that reads every upload to its end and answers its byte count as the batch id. */
const COUNTING_SERVER = `
  const server = require('node:http').createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk) => (bytes += chunk.length));
    req.on('end', () => res.writeHead(202, { 'Content-Type': 'application/json' }).end(JSON.stringify({ data: { id: 'bytes:' + bytes } })));
  });
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

describe('client helpers', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer();
  });
  afterEach(() => server.close());
  const client = () => createBatchClient({ baseUrl: server.url, tenant: 'acme', token: 't' });

  describe('waitForBatch', () => {
    it('long-polls with ?wait until the batch is final and reports each answer before that', async () => {
      const statuses = ['QUEUED', 'IN_PROGRESS', 'PARTIAL_SUCCESS'];
      server.handle((_req, res) => json(res, 200, { data: { meta: aMeta({ status: statuses.shift() }), errors: [], success: [] }, request }));
      const seen: string[] = [];
      const final = await waitForBatch(client(), 'bag', BATCH, { waitSeconds: 7, onProgress: (a) => seen.push(a.meta.status) });

      expect(final.meta.status).toBe('PARTIAL_SUCCESS');
      expect(seen).toEqual(['QUEUED', 'IN_PROGRESS']);
      expect(server.seen.map((r) => r.query.get('wait'))).toEqual(['7', '7', '7']);
    });
  });

  describe('allResults', () => {
    it('follows nextCursor through every page, in order', async () => {
      server.handle((req, res) => {
        const cursor = req.query.get('cursor');
        const page =
          cursor === null ? { items: [{ refID: 'a', outcome: 'failed' }], nextCursor: 'c2' } : { items: [{ refID: 'b', outcome: 'failed' }], nextCursor: null };
        json(res, 200, { data: page, request });
      });
      const items = [];
      for await (const item of allResults(client(), 'bag', BATCH, { outcome: 'failed', pageSize: 1 })) items.push(item.refID);

      expect(items).toEqual(['a', 'b']);
      expect(server.seen.map((r) => [r.query.get('cursor'), r.query.get('limit'), r.query.get('outcome')])).toEqual([
        [null, '1', 'failed'],
        ['c2', '1', 'failed'],
      ]);
    });
  });

  describe('batchEvents', () => {
    const sse = (name: string, meta: unknown, id?: string) => `${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(meta)}\n\n`;

    it('yields progress events and the final done, skipping keep-alive comments', async () => {
      server.handle((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(sse('progress', aMeta({ success: 2, pending: 8 })));
        res.write(': keep-alive\n\n');
        res.end(sse('done', aMeta({ status: 'SUCCESS', success: 10, pending: 0 })));
      });
      const events = [];
      for await (const event of batchEvents(client(), 'bag', BATCH)) events.push([event.type, event.meta.success]);

      expect(events).toEqual([
        ['progress', 2],
        ['done', 10],
      ]);
      expect(server.seen[0]?.headers.accept).toBe('text/event-stream');
    });

    it('connects again when the stream ends before done, sending the last event id', async () => {
      let connection = 0;
      server.handle((_req, res) => {
        connection += 1;
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        if (connection === 1) res.end(sse('progress', aMeta({ success: 3 }), 'e-1'));
        else res.end(sse('done', aMeta({ status: 'SUCCESS', success: 10, pending: 0 })));
      });
      const events = [];
      for await (const event of batchEvents(client(), 'bag', BATCH, { reconnectDelayMs: 10 })) events.push(event.type);

      expect(events).toEqual(['progress', 'done']);
      expect(server.seen.map((r) => r.headers['last-event-id'])).toEqual([undefined, 'e-1']);
    });

    it('gives up after the attempts it was allowed', async () => {
      server.handle((_req, res) => res.writeHead(200, { 'Content-Type': 'text/event-stream' }).end());
      const run = async () => {
        for await (const _event of batchEvents(client(), 'bag', BATCH, { reconnectAttempts: 2, reconnectDelayMs: 5 })) continue;
      };
      await expect(run()).rejects.toThrow(/ended 3 times in a row/);
      expect(server.seen).toHaveLength(3);
    });

    it('throws the error answer at once, without connecting again', async () => {
      server.handle((_req, res) => json(res, 404, { error: { code: 'BATCH_NOT_FOUND', description: 'no', additionalInfo: {} }, request }));
      const run = async () => {
        for await (const _event of batchEvents(client(), 'bag', BATCH, { reconnectDelayMs: 5 })) continue;
      };
      await expect(run()).rejects.toBeInstanceOf(ApiError);
      expect(server.seen).toHaveLength(1);
    });
  });

  describe('uploadFile', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'client-upload-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('sends the file as the multipart part `file` with its name, and the callback as JSON', async () => {
      const file = path.join(dir, 'bags.csv');
      fs.writeFileSync(file, 'refID\nr-1\n');
      server.handle((_req, res) => json(res, 202, { data: { id: BATCH }, request }));
      const id = await uploadFile(client(), 'bag', 'update', file, { callback: { url: 'https://example.com/hook' } });

      expect(id).toBe(BATCH);
      const seen = server.seen[0];
      expect(seen?.method).toBe('PUT');
      expect(seen?.path).toBe('/core/api/v2/containers/bag/batch/upload');
      expect(seen?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      const body = seen?.body.toString() ?? '';
      expect(body).toContain('name="file"; filename="bags.csv"');
      expect(body).toContain('refID\nr-1\n');
      expect(body).toContain('{"url":"https://example.com/hook"}');
    });

    it('answers the error the service sends before it has read the whole file', async () => {
      const file = path.join(dir, 'refused.csv');
      fs.writeFileSync(file, Buffer.alloc(16 * 1024 * 1024, 'a'));
      await server.close();
      const early = http.createServer((req, res) => {
        json(res, 401, { error: { code: 'UNAUTHORIZED', description: 'The access token is malformed.', additionalInfo: {} }, request });
        req.resume();
      });
      await new Promise<void>((resolve) => early.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${String((early.address() as AddressInfo).port)}`;
      try {
        const failure = await uploadFile(createBatchClient({ baseUrl: url, tenant: 'acme', token: 'bad' }), 'bag', 'create', file).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(ApiError);
        expect(failure).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      } finally {
        early.closeAllConnections();
        await new Promise((resolve) => early.close(resolve));
        server = await startFakeServer();
      }
    });

    it('streams a large file from disk instead of reading it into memory', async () => {
      // 96 MiB on disk, sent to a server in another process (that counts the bytes and keeps
      // none), so that this process holds only what the client buffers.
      const file = path.join(dir, 'big.csv');
      const size = 96 * 1024 * 1024;
      const line = Buffer.from(`${'x'.repeat(1023)}\n`);
      const fd = fs.openSync(file, 'w');
      for (let written = 0; written < size; written += line.length) fs.writeSync(fd, line);
      fs.closeSync(fd);
      const receiver = spawn(process.execPath, ['-e', COUNTING_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        const port = await new Promise<string>((resolve) => receiver.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
        const before = process.memoryUsage().arrayBuffers;
        let peak = before;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 5);
        const id = await uploadFile(createBatchClient({ baseUrl: `http://127.0.0.1:${port}`, tenant: 'acme', token: 't' }), 'bag', 'create', file);
        clearInterval(sampler);

        expect(Number(id.slice('bytes:'.length))).toBeGreaterThan(size);
        // fetch() with fs.openAsBlob held about the whole file here (ADR 0025).
        expect(peak - before).toBeLessThan(48 * 1024 * 1024);
      } finally {
        receiver.kill();
      }
    });
  });
});
