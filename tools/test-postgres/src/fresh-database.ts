// One database per test suite on a shared server, so that suites running side by side (or one
// after another on a reused TEST_DATABASE_URL) never see each other's rows.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface FreshDatabase {
  /** The base URL with its database swapped for the new one; user, password and options kept. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, closing whatever connections are still open on it; safe to call twice. */
  drop(): Promise<void>;
}

// PostgreSQL cuts identifiers at 63 bytes; the random tail must survive the cut.
const maxPrefixLength = 40;

export async function freshDatabase(baseUrl: string, prefix: string): Promise<FreshDatabase> {
  const cleanPrefix =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .slice(0, maxPrefixLength)
      .replace(/^_+|_+$/g, '') || 'test';
  // Unique across processes and runs: jest workers share the server and a reused server keeps
  // the databases of runs that were killed before they could drop theirs.
  const name = `${cleanPrefix}_${String(process.pid)}_${randomBytes(4).toString('hex')}`;
  await onServer(baseUrl, `CREATE DATABASE ${quote(name)}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      // FORCE (PostgreSQL 13+): a pool a failing test left open must not keep the database alive.
      await onServer(baseUrl, `DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
    },
  };
}

async function onServer(baseUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
