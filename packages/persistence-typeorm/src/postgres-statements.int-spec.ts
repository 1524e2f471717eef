// The hot path's statements on a real PostgreSQL: array literals come back as they went in, and
// an array INSERT writes every row, whichever of its columns hold one value for all rows.
import { Database } from './database';
import { bulkInsert, pgArray, pgChanged, pgRows } from './postgres-statements';
import { postgresScratch, requirePostgres } from '../test/postgres-scratch';

if (requirePostgres()) {
  const scratch = postgresScratch('cs_statements');

  describe('PostgreSQL hot-path statements', () => {
    let database: Database;
    beforeAll(async () => {
      database = await Database.open(await scratch.migrated());
    });
    afterAll(async () => {
      await database.close();
    });

    it('passes text, numbers, booleans and NULL through an array literal unchanged', async () => {
      const texts = ['plain', 'quote " inside', 'back\\slash', '{"json":"v\\\\x"}', null, '', 'NULL', 'comma, brace } { ', ' spaces ', 'ünï'];
      const [row] = await database.write((tx) =>
        pgRows<{ texts: (string | null)[]; flags: boolean[]; numbers: string[] }>(
          tx,
          'SELECT $1::text[] AS texts, $2::boolean[] AS flags, $3::bigint[] AS numbers',
          [pgArray(texts), pgArray([1, 0, true, false]), pgArray([1796016583694, -2])],
        ),
      );
      expect(row).toEqual({ texts, flags: [true, false, true, false], numbers: ['1796016583694', '-2'] });
    });

    it('inserts every row, with columns of one value sent once and the others as one JSON text of records', async () => {
      const columns = [
        { name: 'tenant_id', type: 'varchar' },
        { name: 'operator', type: 'varchar' },
        { name: 'tracking_id', type: 'varchar' },
        { name: 'container_id', type: 'varchar' },
      ];
      const rows = [
        ['t-stmt', 'DHL', 'A-1', 'c-1'],
        ['t-stmt', 'DHL', 'A-2', 'c-1'],
        ['t-stmt', 'UPS', 'A-1', 'c-2'],
      ];
      const many = bulkInsert('container_tracking', columns, rows);
      expect(many.values).toEqual([
        't-stmt',
        JSON.stringify([
          { operator: 'DHL', tracking_id: 'A-1', container_id: 'c-1' },
          { operator: 'DHL', tracking_id: 'A-2', container_id: 'c-1' },
          { operator: 'UPS', tracking_id: 'A-1', container_id: 'c-2' },
        ]),
      ]);
      const one = bulkInsert('container_tracking', columns, [['t-stmt', 'FedEx', 'B-1', 'c-3']]);
      // Two rows alike in every column still insert two rows (here refused as a duplicate key).
      const twins = bulkInsert('container_tracking', columns, [
        ['t-twins', 'DHL', 'C-1', 'c-4'],
        ['t-twins', 'DHL', 'C-1', 'c-4'],
      ]);
      const written = await database.write(async (tx) => [await pgChanged(tx, many.text, many.values), await pgChanged(tx, one.text, one.values)]);
      expect(written).toEqual([3, 1]);
      await expect(database.write((tx) => pgChanged(tx, twins.text, twins.values))).rejects.toMatchObject({ code: '23505' });
      const stored = await database.write((tx) =>
        pgRows<{ operator: string; tracking_id: string; container_id: string }>(
          tx,
          "SELECT operator, tracking_id, container_id FROM container_tracking WHERE tenant_id = 't-stmt' ORDER BY operator, tracking_id",
          [],
        ),
      );
      expect(stored).toEqual([
        { operator: 'DHL', tracking_id: 'A-1', container_id: 'c-1' },
        { operator: 'DHL', tracking_id: 'A-2', container_id: 'c-1' },
        { operator: 'FedEx', tracking_id: 'B-1', container_id: 'c-3' },
        { operator: 'UPS', tracking_id: 'A-1', container_id: 'c-2' },
      ]);
    });

    it('inserts flags given as 1/0 or booleans, times past 2^32, NULLs and text of any kind, lone surrogates as U+FFFD', async () => {
      const columns = [
        { name: 'label', type: 'text' },
        { name: 'flag', type: 'boolean' },
        { name: 'at', type: 'bigint' },
        { name: 'maybe', type: 'varchar' },
      ];
      const rows = [
        ['{"a":"b\\"c"}', 1, 1796016583694, null],
        ['line\nbreak \u2028 ü', 0, -2, 'x'],
        ['NULL', true, 0, '{}'],
        ['', false, 2 ** 53 - 1, '"'],
        ['lone \ud800 surrogate', true, 1, 'and \udc00'],
      ];
      const insert = bulkInsert('bulk_probe', columns, rows);
      const stored = await database.write(async (tx) => {
        await tx.query('CREATE TEMP TABLE bulk_probe (n serial, label text, flag boolean, at bigint, maybe varchar) ON COMMIT DROP');
        await pgChanged(tx, insert.text, insert.values);
        return pgRows<{ label: string; flag: boolean; at: string; maybe: string | null }>(tx, 'SELECT label, flag, at, maybe FROM bulk_probe ORDER BY n', []);
      });
      expect(stored).toEqual([
        { label: '{"a":"b\\"c"}', flag: true, at: '1796016583694', maybe: null },
        { label: 'line\nbreak \u2028 ü', flag: false, at: '-2', maybe: 'x' },
        { label: 'NULL', flag: true, at: '0', maybe: '{}' },
        { label: '', flag: false, at: String(2 ** 53 - 1), maybe: '"' },
        // As node-postgres' UTF-8 encoding of a parameter gives it: U+FFFD in its place.
        { label: 'lone \ufffd surrogate', flag: true, at: '1', maybe: 'and \ufffd' },
      ]);
    });
  });
}
