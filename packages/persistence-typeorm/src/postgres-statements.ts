// The hot path of a chunk on PostgreSQL: statements sent straight to the transaction's own pg
// connection as named prepared statements, with lists passed as arrays (`unnest($1::text[], …)`)
// or, for rows to insert, as one JSON text of records, instead of one placeholder per value. The
// text is then the same whatever the list's length, so the server parses it once per connection
// and each chunk sends only its values; TypeORM's path would send and parse a statement of
// thousands of placeholders every time (ADR 0029).
import { EntityManager } from 'typeorm';

/** A name per statement text, the same in every connection of this process (pg prepares it once per connection). */
const names = new Map<string, string>();
/**
 * At most this many named texts: a chunk's inserts vary with which columns hold one value (a few
 * patterns in practice), and texts past the bound go unnamed rather than pile up in every connection.
 */
const MOST_NAMES = 256;

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MOST_NAMES) names.set(text, (name = `cs_hot_${String(names.size + 1)}`));
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
  const name = planned === 'once' ? nameOf(text) : undefined;
  return client.query(name === undefined ? { text, values } : { name, text, values });
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

/** A value of an array literal or of a `bulkInsert` row: text, numbers, booleans, or NULL. */
export type ArrayElement = string | number | boolean | null | undefined;

/**
 * `values` as PostgreSQL's text form of an array (`{"a","b",NULL}`), for a `$n::type[]` parameter.
 * pg would build the same literal from a JS array with two regular-expression replaces per
 * element; here most elements (ids, names) have nothing to escape and are only quoted.
 */
export function pgArray(values: readonly ArrayElement[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const value = values[i];
    if (value === null || value === undefined) out += 'NULL';
    else if (typeof value !== 'string') out += String(value);
    else if (value.includes('"') || value.includes('\\')) out += `"${value.replace(/["\\]/g, '\\$&')}"`;
    else out += `"${value}"`;
  }
  return `${out}}`;
}

/**
 * Text with any lone surrogate replaced by U+FFFD, as node-postgres' UTF-8 encoding of a parameter
 * does: JSON.stringify writes one as `\\udXXX`, which PostgreSQL's JSON reader refuses.
 */
function wellFormed(value: ArrayElement): ArrayElement {
  if (typeof value !== 'string') return value;
  // ES2024 methods, in Node 20 (the project's TypeScript library is older).
  const text = value as string & { isWellFormed(): boolean; toWellFormed(): string };
  return text.isWellFormed() ? value : text.toWellFormed();
}

/** A column of a `bulkInsert`: its name and PostgreSQL type. */
export interface InsertColumn {
  readonly name: string;
  readonly type: string;
}

/**
 * One INSERT of `rows` (values in the order of `columns`) as an `INSERT … SELECT … FROM
 * json_to_recordset(…)`: a column whose value is the same in every row (the tenant, the type, the
 * time and actor of a chunk) is sent once as a plain parameter, the others as one JSON text of
 * records. That halves what a chunk of creates sends; each pattern of same-valued columns is a
 * statement text of its own. JSON rather than one array per column (`unnest`): the values are
 * mostly JSON text themselves, full of quotes, which an array literal escapes one value at a time
 * in JavaScript, and JSON.stringify and the server's JSON reader both handle natively (a 200 000-row
 * upload's items: 0.5 s of the API's time, gone).
 */
export function bulkInsert(table: string, columns: readonly InsertColumn[], rows: readonly (readonly ArrayElement[])[]): { text: string; values: unknown[] } {
  const first = rows[0] ?? [];
  const same = columns.map((_, c) => rows.every((row) => row[c] === first[c]));
  // More than one row needs at least one column from the records, or the SELECT would give a single row.
  if (rows.length > 1 && same.every(Boolean)) same[0] = false;
  const values: unknown[] = [];
  const varying: Array<{ readonly column: InsertColumn; readonly at: number }> = [];
  const select = columns.map((column, c) => {
    if (same[c] === true) {
      values.push(wellFormed(first[c] ?? null));
      return `$${String(values.length)}::${column.type}`;
    }
    varying.push({ column, at: c });
    return `v.${column.name}`;
  });
  let from = '';
  if (varying.length > 0) {
    const records = rows.map((row) => {
      const record: Record<string, ArrayElement> = {};
      for (const { column, at } of varying) record[column.name] = wellFormed(row[at] ?? null);
      return record;
    });
    values.push(JSON.stringify(records));
    const fields = varying.map(({ column }) => `${column.name} ${column.type}`);
    from = ` FROM json_to_recordset($${String(values.length)}::json) AS v(${fields.join(', ')})`;
  }
  return { text: `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) SELECT ${select.join(', ')}${from}`, values };
}
