// Finds the PostgreSQL server programs (initdb, pg_ctl, postgres) that a throwaway server needs.
// Debian keeps them off PATH in /usr/lib/postgresql/<major>/bin, so PATH alone is not enough.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const programs = ['initdb', 'pg_ctl', 'postgres'] as const;

/** Thrown when no folder holds the server programs; its message is the one line a developer needs. */
export class PostgresNotFoundError extends Error {
  constructor() {
    super(
      'PostgreSQL server programs (initdb, pg_ctl) not found: install PostgreSQL 15+ (Debian: apt-get install postgresql) or set TEST_DATABASE_URL=postgres://user:password@host:port/db',
    );
    this.name = 'PostgresNotFoundError';
    // Test runners print the stack; for this failure the trace says nothing the line does not.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * The folders to look in, best first: what `pg_config --bindir` names, then the highest
 * /usr/lib/postgresql/<major>/bin, then PATH. TEST_POSTGRES_BINDIR, when set, is the only one:
 * to pick one of several installed versions.
 */
export function defaultSearchDirs(): string[] {
  const chosen = process.env.TEST_POSTGRES_BINDIR;
  if (chosen !== undefined && chosen !== '') return [chosen];
  return [...pgConfigBindir(), ...debianBindirs(), ...(process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '')];
}

/** The first folder that holds all the server programs, or a PostgresNotFoundError. */
export function findServerPrograms(searchDirs: readonly string[] = defaultSearchDirs()): string {
  const found = searchDirs.find((dir) => programs.every((program) => isExecutable(join(dir, program))));
  if (found === undefined) throw new PostgresNotFoundError();
  return found;
}

function pgConfigBindir(): string[] {
  try {
    const bindir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return bindir === '' ? [] : [bindir];
  } catch {
    // No pg_config on PATH (or a broken one): the other places may still have a server.
    return [];
  }
}

function debianBindirs(): string[] {
  const root = '/usr/lib/postgresql';
  let versions: string[];
  try {
    versions = readdirSync(root);
  } catch {
    return [];
  }
  return versions
    .filter((version) => /^\d+(\.\d+)?$/.test(version))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    .map((version) => join(root, version, 'bin'));
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
