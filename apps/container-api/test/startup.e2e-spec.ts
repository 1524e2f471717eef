// The built service as a process: development mode, production refusal, configuration errors,
// a clean stop on SIGTERM, the worker thread's priority, and the token command.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jwtVerify } from 'jose';
import { BASE } from './support/test-app';
import { DIST, MAIN, cleanEnv, start, stop } from './support/service-process';

// Every folder made here is removed when the file ends.
const folders: string[] = [];
afterAll(() => folders.splice(0).forEach((folder) => fs.rmSync(folder, { recursive: true, force: true })));
const tmp = (): string => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-proc-'));
  folders.push(folder);
  return folder;
};

describe('the service process', () => {
  it('starts in development mode on the SQLite default, prints a demo token, and keeps its secret across restarts', async () => {
    const dir = tmp();
    const first = await start(dir);
    expect(first.devToken).toEqual(expect.any(String));
    expect(fs.existsSync(path.join(dir, 'data', 'container-service.sqlite'))).toBe(true);
    expect(fs.statSync(path.join(dir, 'data', 'dev-jwt-secret')).mode & 0o777).toBe(0o600);

    const headers = { 'X-COREOS-REQUEST-ID': 'startup-1', 'X-COREOS-TID': 'demo', 'X-COREOS-ACCESS': first.devToken! };
    const unknown = await fetch(`${first.url}${BASE}/bag/batch/status?batchId=batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e`, { headers });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('BATCH_NOT_FOUND');
    expect(await stop(first)).toBe(0);

    const second = await start(dir);
    const again = await fetch(`${second.url}${BASE}/bag/batch/status?batchId=batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e`, { headers });
    expect(again.status).toBe(404);
    expect(await stop(second)).toBe(0);
  }, 60_000);

  // Linux only: there a thread has a nice value of its own (see worker-thread.ts).
  (process.platform === 'linux' ? it : it.skip)(
    'runs the batch worker thread at a lower priority than the API thread',
    async () => {
      const nices = (pid: number) =>
        fs.readdirSync(`/proc/${pid}/task`).map((tid) => {
          const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
          return { tid: Number(tid), nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
        });
      const base = os.getPriority(0);
      const lowered = await start(tmp(), { AUTH_JWT_SECRET: 'x'.repeat(32) });
      const threads = nices(lowered.child.pid!);
      expect(threads.find((t) => t.tid === lowered.child.pid)!.nice).toBe(base);
      expect(threads.filter((t) => t.nice === Math.min(19, base + 10))).toHaveLength(1);
      expect(await stop(lowered)).toBe(0);

      const level = await start(tmp(), { AUTH_JWT_SECRET: 'x'.repeat(32), WORKER_THREAD_NICE: '0' });
      expect(nices(level.child.pid!).every((t) => t.nice === base)).toBe(true);
      expect(await stop(level)).toBe(0);
    },
    60_000,
  );

  it('refuses to start in production without a token key, saying what to set', () => {
    const result = spawnSync(process.execPath, [MAIN], { cwd: tmp(), env: cleanEnv({ NODE_ENV: 'production' }), encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'container-api: configuration error: NODE_ENV=production needs an access token key: set AUTH_JWT_SECRET, AUTH_PUBLIC_KEY or AUTH_JWKS_URL',
    );
  });

  it('refuses a bad setting with one line naming it', () => {
    const result = spawnSync(process.execPath, [MAIN], { cwd: tmp(), env: cleanEnv({ PORT: 'http' }), encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual(["container-api: configuration error: PORT must be an integer from 0 to 65535; got 'http'"]);
  });

  it('fails the same way in the API and the worker process: one line saying what failed, exit code 1', () => {
    const fileNotDirectory = path.join(tmp(), 'file');
    fs.writeFileSync(fileNotDirectory, '');
    for (const [program, entry] of [
      ['container-api', MAIN],
      ['container-worker', path.join(DIST, 'worker.js')],
    ] as const) {
      const badSetting = spawnSync(process.execPath, [entry], { cwd: tmp(), env: cleanEnv({ WORKER_CHUNK_SIZE: 'many' }), encoding: 'utf8' });
      expect([badSetting.status, badSetting.stderr.trim().split('\n')]).toEqual([
        1,
        [expect.stringMatching(new RegExp(`^${program}: configuration error: WORKER_CHUNK_SIZE must be an integer`))],
      ]);
      const noStore = spawnSync(process.execPath, [entry], {
        cwd: tmp(),
        env: cleanEnv({ DATABASE_URL: `sqlite:${fileNotDirectory}/db.sqlite` }),
        encoding: 'utf8',
      });
      expect([noStore.status, noStore.stderr.trim().split('\n')]).toEqual([
        1,
        [expect.stringMatching(new RegExp(`^${program}: cannot open the database sqlite:`))],
      ]);
    }
  });

  it('mints tokens for any tenant with the configured secret', async () => {
    const secret = 'cli-secret-that-is-at-least-32-bytes-long';
    const result = spawnSync(process.execPath, [path.join(DIST, 'cli/mint-token.js'), '--tenant', 'acme', '--ttl', '2h'], {
      env: cleanEnv({ AUTH_JWT_SECRET: secret }),
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    const { payload } = await jwtVerify(result.stdout.trim(), new TextEncoder().encode(secret));
    expect(payload.tid).toBe('acme');
    expect(payload.exp! - payload.iat!).toBe(7200);
  });

  it('mints tokens the development service accepts', async () => {
    const dir = tmp();
    const running = await start(dir);
    const minted = spawnSync(process.execPath, [path.join(DIST, 'cli/mint-token.js'), '--tenant', 'acme'], { cwd: dir, env: cleanEnv({}), encoding: 'utf8' });
    expect(minted.status).toBe(0);
    const response = await fetch(`${running.url}${BASE}/container-types`, {
      headers: { 'X-COREOS-REQUEST-ID': 'cli-1', 'X-COREOS-TID': 'acme', 'X-COREOS-ACCESS': minted.stdout.trim() },
    });
    expect(response.status).toBe(200);
    expect(await stop(running)).toBe(0);
  }, 60_000);

  it('refuses a token command without a tenant', () => {
    const result = spawnSync(process.execPath, [path.join(DIST, 'cli/mint-token.js')], {
      env: cleanEnv({ AUTH_JWT_SECRET: 'x'.repeat(32) }),
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--tenant is required/);
  });
});
