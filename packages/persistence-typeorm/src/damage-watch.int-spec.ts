import { aBatch, someItems } from '@container-service/batch-domain/testing';
import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import { Database } from './database';
import { DatabaseDamagedError } from './damage-watch';
import { TypeOrmBatchRepository } from './typeorm-batch.repository';
import { sqliteScratch } from '../test/sqlite-scratch';

const PAGE_SIZE = 4096;

const tempFile = sqliteScratch('cs-damage').file;

/** Stores a batch of `items` items through a connection of its own, and moves it into the main file. */
async function fillThroughAnotherConnection(file: string, items: number): Promise<void> {
  const other = await Database.open(`sqlite:${file}`);
  await new TypeOrmBatchRepository(other).add(aBatch({ total: items }), someItems(items));
  await other.close();
  const db = new BetterSqlite3(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Overwrites the root page of `table` with bytes SQLite never wrote. */
function damageTable(file: string, table: string): void {
  const db = new BetterSqlite3(file, { readonly: true });
  const { rootpage } = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(table) as { rootpage: number };
  db.close();
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(PAGE_SIZE, 0xa5), 0, PAGE_SIZE, (rootpage - 1) * PAGE_SIZE);
  fs.closeSync(fd);
}

describe('Database on a damaged file', () => {
  it('refuses to open, saying why, and leaves the file as it was', async () => {
    const file = tempFile();
    await fillThroughAnotherConnection(file, 300);
    damageTable(file, 'batch_items');
    const before = fs.readFileSync(file);

    await expect(Database.open(`sqlite:${file}`)).rejects.toThrow(/database file is damaged.*restore it from a backup/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses to open a file that is not a database at all', async () => {
    const file = tempFile();
    fs.writeFileSync(file, Buffer.alloc(8 * PAGE_SIZE, 0x5a));
    // The message, not toThrow: an error made by the native driver is of another realm than Jest's.
    await expect(Database.open(`sqlite:${file}`)).rejects.toMatchObject({
      message: expect.stringMatching(/database file is damaged \(file is not a database\)/),
    });
  });

  it('once damage shows in use, fails readiness and every later write, here and after a restart', async () => {
    const file = tempFile();
    const database = await Database.open(`sqlite:${file}`);
    // Written by another connection after the start-up check, so this one has none of it cached.
    await fillThroughAnotherConnection(file, 300);
    damageTable(file, 'batch_items');

    await expect(database.write((manager) => manager.query('SELECT COUNT(*) FROM batch_items WHERE ref_id <> ?', ['x']))).rejects.toThrow(/malformed|corrupt/i);
    await expect(database.ping()).rejects.toBeInstanceOf(DatabaseDamagedError);
    // A write that would not touch the damaged pages is refused too: nothing more is promised.
    await expect(database.write((manager) => manager.query('SELECT 1'))).rejects.toBeInstanceOf(DatabaseDamagedError);
    expect(fs.readFileSync(`${file}-damaged`, 'utf8')).toMatch(/SQLITE_CORRUPT/);
    await database.close();

    await expect(Database.open(`sqlite:${file}`)).rejects.toThrow(/found damaged earlier.*remove .*-damaged/);
  });

  it('lets another process using the file see the damage through the mark', async () => {
    const file = tempFile();
    const first = await Database.open(`sqlite:${file}`);
    const second = await Database.open(`sqlite:${file}`);
    await fillThroughAnotherConnection(file, 300);
    damageTable(file, 'batch_items');

    await expect(first.write((manager) => manager.query('SELECT COUNT(*) FROM batch_items WHERE ref_id <> ?', ['x']))).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(second.ping()).rejects.toBeInstanceOf(DatabaseDamagedError);
    await first.close();
    await second.close();
  });

  it('notes damage seen on a read outside its writes', async () => {
    const file = tempFile();
    const database = await Database.open(`sqlite:${file}`);
    await fillThroughAnotherConnection(file, 300);
    damageTable(file, 'batch_items');

    const failure = await database.read((m) => m.query('SELECT COUNT(*) FROM batch_items WHERE ref_id <> ?', ['x'])).catch((error: unknown) => error);
    await expect(database.ping()).resolves.toBeUndefined();
    database.noteFailure(failure);
    await expect(database.ping()).rejects.toBeInstanceOf(DatabaseDamagedError);
    await database.close();
  });

  it('ignores failures that are not damage', async () => {
    const file = tempFile();
    const database = await Database.open(`sqlite:${file}`);
    await expect(database.write((manager) => manager.query('SELECT * FROM no_such_table'))).rejects.toThrow(/no such table/);
    await expect(database.ping()).resolves.toBeUndefined();
    expect(fs.existsSync(`${file}-damaged`)).toBe(false);
    await database.close();
  });
});
