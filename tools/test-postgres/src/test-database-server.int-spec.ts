// The Jest global hooks' behaviour: start a server when TEST_DATABASE_URL is unset, else use it.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Client } from 'pg';
import { provideTestDatabaseServer } from './test-database-server';

jest.setTimeout(60_000);

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function postmasterPort(folder: string): string | undefined {
  try {
    return readFileSync(`${tmpdir()}/${folder}/data/postmaster.pid`, 'utf8').split('\n')[3]?.trim();
  } catch {
    return undefined;
  }
}

describe('provideTestDatabaseServer', () => {
  const saved = process.env.TEST_DATABASE_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.TEST_DATABASE_URL;
    else process.env.TEST_DATABASE_URL = saved;
  });

  it('starts a throwaway server when TEST_DATABASE_URL is not set, publishes it there, and removes it on stop', async () => {
    delete process.env.TEST_DATABASE_URL;
    const before = new Set(readdirSync(tmpdir()));
    const server = await provideTestDatabaseServer();
    expect(process.env.TEST_DATABASE_URL).toBe(server.url);
    expect(await answers(server.url)).toBe(true);
    // Other runs on the machine may start servers meanwhile: the folder is the one whose postmaster
    // listens on this server's port (line 4 of postmaster.pid).
    const port = new URL(server.url).port;
    const [dir] = readdirSync(tmpdir()).filter((name) => name.startsWith('test-postgres-') && !before.has(name) && postmasterPort(name) === port);
    expect(dir).toBeDefined();

    await server.stop();
    expect(process.env.TEST_DATABASE_URL).toBeUndefined();
    expect(await answers(server.url)).toBe(false);
    expect(existsSync(`${tmpdir()}/${dir!}`)).toBe(false);
  });

  it('uses a given TEST_DATABASE_URL and leaves that server running', async () => {
    delete process.env.TEST_DATABASE_URL;
    const owner = await provideTestDatabaseServer();
    try {
      const given = owner.url;
      process.env.TEST_DATABASE_URL = given;
      const server = await provideTestDatabaseServer();
      expect(server.url).toBe(given);
      await server.stop();
      expect(process.env.TEST_DATABASE_URL).toBe(given);
      expect(await answers(given)).toBe(true);
    } finally {
      await owner.stop();
    }
  });

  it('fails in one line, password hidden, when the given TEST_DATABASE_URL does not answer', async () => {
    process.env.TEST_DATABASE_URL = 'postgres://app:secret@127.0.0.1:1/app';
    await expect(provideTestDatabaseServer()).rejects.toThrow(/^TEST_DATABASE_URL \(postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app\) does not answer: /);
  });
});
