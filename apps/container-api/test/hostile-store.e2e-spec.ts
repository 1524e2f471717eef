// A damaged SQLite file (contract §13): the service refuses to start on one, saying why, and once
// damage shows while it runs, readiness fails and submits answer 503: no 202 for work that cannot
// be done. The damage is real: pages of the file overwritten behind the service's back.
import BetterSqlite3 from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { eventually } from './support/eventually';
import { MAIN, Running, cleanEnv, start, stop } from './support/service-process';
import { BASE, TEST_SECRET } from './support/test-app';

const PAGE_SIZE = 4096;

const token = () =>
  new SignJWT({ tid: 'acme' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('ops')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(TEST_SECRET));

let calls = 0;

async function call(running: Running, method: string, route: string, body?: unknown): Promise<{ status: number; body: { error?: { code: string } } }> {
  const response = await fetch(`${running.url}${route}`, {
    method,
    headers: {
      'X-COREOS-REQUEST-ID': `store-${++calls}`,
      'X-COREOS-TID': 'acme',
      'X-COREOS-ACCESS': await token(),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
}

/** Overwrites the root page of `table` with bytes SQLite never wrote, after moving the WAL into the file. */
function damageTable(file: string, table: string): void {
  const db = new BetterSqlite3(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const { rootpage } = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(table) as { rootpage: number };
  db.close();
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(PAGE_SIZE, 0xa5), 0, PAGE_SIZE, (rootpage - 1) * PAGE_SIZE);
  fs.closeSync(fd);
}

const items = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ refID: `r-${from + i}`, scannableId: `S-${from + i}` }));

const waitFor = async <T>(probe: () => Promise<T | null>, ms: number): Promise<T> =>
  (await eventually(probe, { timeoutMs: ms, intervalMs: 100, what: 'the store to answer', until: (value) => value !== null })) as T;

describe('a damaged store', () => {
  let dir: string;
  let file: string;
  const env = () => ({ AUTH_JWT_SECRET: TEST_SECRET, DATABASE_URL: `sqlite:${file}`, DATA_DIR: dir });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-store-'));
    file = path.join(dir, 'db.sqlite');
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is noticed while the service runs: readiness fails, submits answer 503, and a restart refuses to start', async () => {
    const running = await start(dir, env());
    try {
      expect((await call(running, 'POST', `${BASE}/container-types`, { name: 'bag', isLeaf: false })).status).toBe(202);
      const first = await call(running, 'POST', `${BASE}/bag/batch`, { payload: items(0, 300) });
      expect(first.status).toBe(202);
      const id = (first.body as unknown as { data: { id: string } }).data.id;
      await waitFor(
        async () =>
          ((await call(running, 'GET', `${BASE}/bag/batch/status?batchId=${id}`)).body as unknown as { data: { meta: { status: string } } }).data.meta
            .status === 'SUCCESS' || null,
        20_000,
      );

      damageTable(file, 'containers');
      // The worker needs the damaged table to apply this batch: that is where the damage shows.
      expect((await call(running, 'POST', `${BASE}/bag/batch`, { payload: items(300, 300) })).status).toBe(202);

      const ready = await waitFor(async () => {
        const response = await fetch(`${running.url}/health/ready`);
        return response.status === 503 ? response : null;
      }, 20_000);
      expect(ready.headers.get('retry-after')).not.toBeNull();
      const refused = await call(running, 'POST', `${BASE}/bag/batch`, { payload: items(600, 10) });
      expect(refused.status).toBe(503);
      expect(refused.body.error?.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      expect(await stop(running)).toBe(0);
    }

    const again = spawnSync(process.execPath, [MAIN], { cwd: dir, env: cleanEnv(env()), encoding: 'utf8', timeout: 20_000 });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/found damaged earlier.*remove .*db\.sqlite-damaged/);
  }, 90_000);

  it('is noticed by a read too: the read answers 503 and from then on readiness and submits fail', async () => {
    const running = await start(dir, { ...env(), STATUS_CACHE_ENTRIES: '0' });
    try {
      expect((await call(running, 'POST', `${BASE}/container-types`, { name: 'bag', isLeaf: false })).status).toBe(202);
      const first = await call(running, 'POST', `${BASE}/bag/batch`, { payload: items(0, 300) });
      const id = (first.body as unknown as { data: { id: string } }).data.id;
      await waitFor(
        async () =>
          ((await call(running, 'GET', `${BASE}/bag/batch/status?batchId=${id}`)).body as unknown as { data: { meta: { status: string } } }).data.meta
            .status === 'SUCCESS' || null,
        20_000,
      );
      expect((await fetch(`${running.url}/health/ready`)).status).toBe(200);

      damageTable(file, 'batch_outcomes');
      const read = await call(running, 'GET', `${BASE}/bag/batch/results?batchId=${id}`);
      expect(read.status).toBe(503);
      expect((await fetch(`${running.url}/health/ready`)).status).toBe(503);
      expect((await call(running, 'POST', `${BASE}/bag/batch`, { payload: items(300, 10) })).status).toBe(503);
    } finally {
      expect(await stop(running)).toBe(0);
    }
  }, 60_000);

  it('refuses to start on a file damaged while it was stopped, saying why', async () => {
    const running = await start(dir, env());
    expect((await call(running, 'POST', `${BASE}/container-types`, { name: 'bag', isLeaf: false })).status).toBe(202);
    expect((await call(running, 'POST', `${BASE}/bag/batch`, { payload: items(0, 300) })).status).toBe(202);
    expect(await stop(running)).toBe(0);
    damageTable(file, 'batch_items');

    const result = spawnSync(process.execPath, [MAIN], { cwd: dir, env: cleanEnv(env()), encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot open the database .*: the database file is damaged .*restore it from a backup/);
  }, 60_000);
});
