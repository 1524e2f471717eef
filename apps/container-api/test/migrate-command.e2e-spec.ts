// `npm run migrate` (dist/cli/migrate.js) as a deploy pipeline runs it: a child process against a
// fresh SQLite file and a fresh PostgreSQL database, its exit code, its one line, and the tables.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allTables, openDatabase } from '@container-service/persistence-typeorm';
import { freshDatabase } from '@container-service/test-postgres';
import { DIST, cleanEnv, start, stop } from './support/service-process';

const MIGRATE = path.join(DIST, 'cli', 'migrate.js');
const MIGRATIONS = allTables.flatMap((set) => set.migrations.map((Migration) => new Migration().name ?? Migration.name));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function migrate(env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, [MIGRATE], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every migration recorded (a process with DATABASE_MIGRATE=false opens at once) and the tables there. */
async function expectMigrated(url: string): Promise<void> {
  const database = await openDatabase(url, { migrate: false, schemaWaitMs: 0 });
  try {
    for (const table of ['batches', 'batch_items', 'container_types', 'containers']) {
      expect(await database.read((m) => m.query(`SELECT COUNT(*) AS n FROM ${table}`))).toHaveLength(1);
    }
  } finally {
    await database.close();
  }
}

function migrateSuite(store: string, fresh: () => Promise<string>): void {
  it(`migrates a fresh ${store} database, prints the migrations it ran, and then that it is up to date`, async () => {
    const url = await fresh();
    const first = await migrate({ DATABASE_URL: url });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout.split('\n')).toHaveLength(2);
    for (const name of MIGRATIONS) expect(first.stdout).toContain(name);
    await expectMigrated(url);

    const second = await migrate({ DATABASE_URL: url });
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toMatch(/^migrate: .* is up to date\n$/);
  });
}

describe('npm run migrate', () => {
  const folders: string[] = [];
  const folder = (prefix: string) => {
    const made = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    folders.push(made);
    return made;
  };
  migrateSuite('SQLite', () => Promise.resolve(`sqlite:${path.join(folder('cs-migrate-'), 'db.sqlite')}`));

  const base = process.env['TEST_DATABASE_URL'] ?? '';
  const made: { drop(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
    for (const database of made) await database.drop();
  });
  migrateSuite('PostgreSQL', async () => {
    if (base === '') throw new Error('TEST_DATABASE_URL is not set: the jest globalSetup provides a PostgreSQL server');
    const database = await freshDatabase(base, 'cs_migrate');
    made.push(database);
    return database.url;
  });

  it('lets a process started with DATABASE_MIGRATE=false wait for the schema, and start once migrate has run', async () => {
    const dir = folder('cs-migrate-wait-');
    const url = `sqlite:${path.join(dir, 'db.sqlite')}`;
    let started = false;
    const service = start(dir, { DATABASE_URL: url, DATA_DIR: dir, DATABASE_MIGRATE: 'false', WORKER_ENABLED: 'false' }).then((running) => {
      started = true;
      return running;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(started).toBe(false);
    expect((await migrate({ DATABASE_URL: url })).code).toBe(0);
    const running = await service;
    try {
      expect((await fetch(`${running.url}/health/ready`)).status).toBe(200);
    } finally {
      await stop(running);
    }
    // Two processes start and one migrates: seconds on a machine busy with other suites.
  }, 60_000);

  it('fails with exit code 1 and one line when the database cannot be reached, hiding the password', async () => {
    const run = await migrate({ DATABASE_URL: 'postgres://cs:secret@127.0.0.1:1/containers' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^migrate: cannot migrate the database postgres:\/\/cs:\*\*\*@127\.0\.0\.1:1\/containers: .+\n$/);
  });

  it('fails with exit code 1 and one line on a DATABASE_URL it cannot use', async () => {
    const run = await migrate({ DATABASE_URL: 'mysql://db/containers' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^migrate: configuration error: DATABASE_URL must start with sqlite:.*\n$/);
  });
});
