// Where the server programs are looked for, and the one line a developer gets when there are none.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSearchDirs, findServerPrograms, PostgresNotFoundError } from './server-programs';
import { startThrowawayPostgres } from './throwaway-postgres';

const notFoundLine =
  'PostgreSQL server programs (initdb, pg_ctl) not found: install PostgreSQL 15+ (Debian: apt-get install postgresql) or set TEST_DATABASE_URL=postgres://user:password@host:port/db';

describe('findServerPrograms', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'server-programs-spec-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function folderWith(name: string, programs: readonly string[]): string {
    const dir = join(root, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    for (const program of programs) {
      writeFileSync(join(dir, program), '#!/bin/sh\n');
      chmodSync(join(dir, program), 0o755);
    }
    return dir;
  }

  it('fails with one line saying how to get a server when no folder has the programs', () => {
    const empty = folderWith('empty', []);
    expect(() => findServerPrograms([empty])).toThrow(PostgresNotFoundError);
    expect(() => findServerPrograms([empty])).toThrow(notFoundLine);
    expect(new PostgresNotFoundError().stack).toBe(`PostgresNotFoundError: ${notFoundLine}`);
  });

  it('passes over a folder that has only some of the programs', () => {
    const clientOnly = folderWith('client-only', ['pg_ctl']);
    const server = folderWith('server', ['initdb', 'pg_ctl', 'postgres']);
    expect(findServerPrograms([clientOnly, server])).toBe(server);
    expect(() => findServerPrograms([clientOnly])).toThrow(PostgresNotFoundError);
  });

  it('does not count programs it may not run', () => {
    const dir = folderWith('not-executable', ['initdb', 'pg_ctl', 'postgres']);
    chmodSync(join(dir, 'postgres'), 0o644);
    expect(() => findServerPrograms([dir])).toThrow(PostgresNotFoundError);
  });

  it('looks only where TEST_POSTGRES_BINDIR says when it is set', () => {
    const saved = process.env.TEST_POSTGRES_BINDIR;
    process.env.TEST_POSTGRES_BINDIR = '/opt/postgres-17/bin';
    try {
      expect(defaultSearchDirs()).toEqual(['/opt/postgres-17/bin']);
    } finally {
      if (saved === undefined) delete process.env.TEST_POSTGRES_BINDIR;
      else process.env.TEST_POSTGRES_BINDIR = saved;
    }
  });

  it('makes startThrowawayPostgres fail with that line, not start anything', async () => {
    const empty = folderWith('empty', []);
    await expect(startThrowawayPostgres({ searchDirs: [empty] })).rejects.toThrow(notFoundLine);
  });
});
