// Crash safety for file batches: a service killed with SIGKILL while it processes a 50 000-row
// upload finishes it after a restart, applying every row exactly once; one killed while a file
// is still arriving leaves no batch behind, and what the upload had stored is removed.
import { Database } from '@container-service/persistence-typeorm';
import { SignJWT } from 'jose';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from './support/eventually';
import { Running, kill, start, stop } from './support/service-process';
import { BASE, TEST_SECRET } from './support/test-app';

const ROWS = 50_000;
const BOUNDARY = 'crash-test-boundary';

/** Every tenth row reuses the tracking id of the row before it, so exactly 5 000 must fail. */
function csvRows(from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) {
    const trackingId = i % 10 === 9 ? `T-${i - 1}` : `T-${i}`;
    text += `r-${i},${i % 100},"[{""operator"":""DHL"",""trackingId"":""${trackingId}""}]"\r\n`;
  }
  return text;
}

const HEADER = 'refID,attributes.weight,trackingDetails\r\n';
const partHead = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n`;
const partTail = `\r\n--${BOUNDARY}--\r\n`;

async function token() {
  return new SignJWT({ tid: 'acme' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(new TextEncoder().encode(TEST_SECRET));
}

async function call(running: Running, pathAndQuery: string, init: RequestInit & { duplex?: 'half' } = {}) {
  const headers = {
    'X-COREOS-REQUEST-ID': `crash-${Date.now()}`,
    'X-COREOS-TID': 'acme',
    'X-COREOS-ACCESS': await token(),
    ...(init.headers as Record<string, string>),
  };
  return fetch(`${running.url}${BASE}${pathAndQuery}`, { ...init, headers });
}

async function setUp(extra: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-upload-crash-'));
  const url = `sqlite:${path.join(dir, 'db.sqlite')}`;
  const env = { AUTH_JWT_SECRET: TEST_SECRET, DATABASE_URL: url, DATA_DIR: dir, WORKER_LEASE_MS: '1500', LOG_LEVEL: 'info', ...extra };
  const running = await start(dir, env);
  const defined = await call(running, '/container-types', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bag', attributes: [{ name: 'weight', dataType: 'number', required: true }] }),
  });
  expect(defined.status).toBe(202);
  return { dir, url, env, running };
}

async function meta(running: Running, batchId: string) {
  const response = await call(running, `/bag/batch/upload/status?batchId=${batchId}`);
  return ((await response.json()) as { data: { meta: Record<string, number | string> } }).data.meta;
}

describe('a crash during a file batch', () => {
  it('resumes a 50 000-row upload after SIGKILL and applies every row exactly once', async () => {
    const { dir, url, env, running: first } = await setUp();
    const body = `${partHead}${HEADER}${csvRows(0, ROWS)}${partTail}`;
    const submitted = await call(first, '/bag/batch/upload', {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body,
    });
    expect(submitted.status).toBe(202);
    const batchId = ((await submitted.json()) as { data: { id: string } }).data.id;

    // No bound of its own before: the test's time limit was the only one.
    await eventually(() => meta(first, batchId), {
      timeoutMs: 300_000,
      intervalMs: 20,
      what: '5000 rows processed',
      until: (current) => Number(current.success) + Number(current.failed) >= 5000,
    });
    await kill(first, 'SIGKILL');

    const second = await start(dir, env);
    const after = await eventually(
      async () => {
        const current = await meta(second, batchId);
        expect(Number(current.success) + Number(current.failed) + Number(current.pending) + Number(current.cancelled)).toBe(ROWS);
        return current;
      },
      {
        timeoutMs: 180_000,
        intervalMs: 100,
        what: 'the restarted service to finish the upload',
        until: (current) => current.status !== 'IN_PROGRESS' && current.status !== 'QUEUED',
      },
    );
    await stop(second);

    expect(after).toMatchObject({ status: 'PARTIAL_SUCCESS', source: 'file', success: 45_000, failed: 5_000, pending: 0, total: ROWS });
    const check = await Database.open(url);
    const one = async (sql: string) => Number(Object.values((await check.read((m) => m.query(sql)))[0] as Record<string, unknown>)[0]);
    expect(await one("SELECT COUNT(*) FROM batch_outcomes WHERE state = 'success'")).toBe(45_000);
    // Each failure is the tenth row of its ten, on the line that row was on (header = line 1).
    expect(
      await one(
        "SELECT COUNT(*) FROM batch_outcomes o JOIN batch_items i ON i.batch_pk = o.batch_pk AND i.seq = o.seq WHERE o.state = 'failed' AND o.code = 'TRACKING_ID_TAKEN' AND o.seq % 10 = 9 AND i.row = o.seq + 2",
      ),
    ).toBe(5_000);
    expect(await one('SELECT COUNT(*) FROM containers')).toBe(45_000);
    expect(await one('SELECT COUNT(DISTINCT c.id) FROM containers c JOIN batch_outcomes o ON o.result_id = c.id')).toBe(45_000);
    expect(await one('SELECT COUNT(*) FROM container_tracking')).toBe(45_000);
    expect(await one('SELECT COUNT(*) FROM (SELECT tracking_id FROM container_tracking GROUP BY tenant_id, operator, tracking_id HAVING COUNT(*) > 1)')).toBe(
      0,
    );
    await check.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);

  it('leaves no batch behind when killed while a file arrives, and removes what the upload stored', async () => {
    const { dir, url, env, running: first } = await setUp({ UPLOAD_IDLE_TIMEOUT_MS: '1000' });
    const encoder = new TextEncoder();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode(`${partHead}${HEADER}${csvRows(0, 5000)}`));
        // The rest of the file never comes before the kill.
        await held;
        controller.close();
      },
    });
    const upload = call(first, '/bag/batch/upload', {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: stream,
      duplex: 'half',
    }).catch((error: unknown) => error);

    const observer = await Database.open(url);
    const count = async (sql: string) => Number(Object.values((await observer.read((m) => m.query(sql)))[0] as Record<string, unknown>)[0]);
    while ((await count('SELECT COUNT(*) FROM batch_items')) < 1000) await new Promise((resolve) => setTimeout(resolve, 20));
    await kill(first, 'SIGKILL');
    release();
    // The client never got an answer: its request failed with the connection.
    expect(await upload).toHaveProperty('message', expect.any(String));
    // The rows of the unfinished upload are there, but no read or worker can see their batch.
    expect(await count('SELECT COUNT(*) FROM batches WHERE intake_open = 1')).toBe(1);

    const second = await start(dir, env);
    const listed = await call(second, `/bag/batch/results?batchId=batch:00000000-0000-4000-8000-000000000000`);
    expect(listed.status).toBe(404);
    const deadline = Date.now() + 30_000;
    while ((await count('SELECT COUNT(*) FROM batches')) > 0 || (await count('SELECT COUNT(*) FROM batch_items')) > 0) {
      if (Date.now() > deadline) throw new Error('the abandoned upload was not removed');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await count('SELECT COUNT(*) FROM containers')).toBe(0);
    await stop(second);
    await observer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
