// The hot path of a chunk on PostgreSQL: statements sent straight to the transaction's own pg
// connection as named prepared statements, with lists passed as arrays (`unnest($1::text[], …)`)
// instead of one placeholder per value. The text is then the same whatever the list's length, so
// the server parses it once per connection and each chunk sends only its values; TypeORM's path
// would send and parse a statement of thousands of placeholders every time (ADR 0030).
import { EntityManager } from 'typeorm';

/** A name per statement text, the same in every connection of this process (pg prepares it once per connection). */
const names = new Map<string, string>();

function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) names.set(text, (name = `cs_hot_${String(names.size + 1)}`));
  return name;
}

interface PgClient {
  query(config: { name?: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/**
 * Runs `text` (with $n placeholders) as a named statement on the connection of the caller's
 * transaction, the one its other statements use; inside a write transaction only.
 */
async function run(manager: EntityManager, text: string, values: readonly unknown[], planned: Planned): Promise<{ rows: unknown[]; rowCount: number | null }> {
  const runner = manager.queryRunner;
  if (!runner) throw new Error('a hot-path statement must run inside a transaction');
  const client = (await runner.connect()) as PgClient;
  return client.query(planned === 'once' ? { name: nameOf(text), text, values } : { text, values });
}

/**
 * 'once': a named statement, parsed and (after its first runs) planned once per connection, for
 * statements whose plan cannot go wrong (inserts, lookups by a whole unique key). 'each time': an
 * unnamed one, planned with the values in hand, for a statement whose generic plan may not know
 * how few rows a range holds (measured: an outcome UPDATE went from 20 ms to 700 ms a chunk
 * once PostgreSQL switched it to its generic plan).
 */
export type Planned = 'once' | 'each time';

/** The rows a named statement answers. */
export async function pgRows<T>(manager: EntityManager, text: string, values: readonly unknown[], planned: Planned = 'once'): Promise<T[]> {
  return (await run(manager, text, values, planned)).rows as T[];
}

/** How many rows a named statement wrote. */
export async function pgChanged(manager: EntityManager, text: string, values: readonly unknown[], planned: Planned = 'once'): Promise<number> {
  return (await run(manager, text, values, planned)).rowCount ?? 0;
}
