// Two domains on one database: container batches and the batches of a second, tiny domain (notes,
// with a table of its own) share the batch tables. Each worker claims only the kinds it has
// handlers for, each domain's use cases never see the other's batches even under the same type
// name, and both process to the end.
import {
  BatchContext,
  BatchScope,
  CancelBatch,
  GetBatchStatus,
  HandledOutcome,
  ItemHandler,
  ListBatches,
  PendingItem,
  ProcessBatchChunk,
  SubmitBatch,
} from '@container-service/batch-domain';
import { FixedClock, SequentialIdGenerator, StaticAccessVerifier } from '@container-service/batch-domain/testing';
import { CONTAINER_BATCH_KIND, CreateContainerHandler, UpdateContainerHandler, containerBatchScope } from '@container-service/container-domain';
import { aContainerType } from '@container-service/container-domain/testing';
import { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { openDatabase } from './database';
import { TableSet, batchTables, containerTables } from './table-sets';
import { TypeOrmBatchProcessingStore } from './typeorm-batch-processing.store';
import { TypeOrmBatchRepository } from './typeorm-batch.repository';
import { TypeOrmContainerStoreProvider } from './typeorm-container.store';
import { TypeOrmContainerTypeRepository } from './typeorm-container-type.repository';
import { execute } from './sql';
import { postgresScratch, requirePostgres } from '../test/postgres-scratch';
import { sqliteScratch } from '../test/sqlite-scratch';

const NOTE_KIND = 'note';
const noteScope: BatchScope = { kind: NOTE_KIND, targetType: { parameter: 'noteType', description: 'must be letters', test: (name) => /^[a-z]+$/.test(name) } };

/** The notes domain's one handler: writes each note into its own table, in the chunk's transaction. */
class NoteHandler implements ItemHandler<EntityManager> {
  readonly seen: string[] = [];
  async handleChunk(tx: EntityManager, context: BatchContext, items: readonly PendingItem[]): Promise<HandledOutcome[]> {
    const outcomes: HandledOutcome[] = [];
    for (const item of items) {
      this.seen.push(`${context.kind}/${item.refId}`);
      const text = (item.input as { text?: unknown }).text;
      if (typeof text !== 'string' || text === '') {
        outcomes.push({ kind: 'failed', reason: 'text must not be empty', code: 'NOTE_INVALID' });
        continue;
      }
      await execute(tx, 'INSERT INTO notes (tenant_id, ref_id, text) VALUES (?, ?, ?)', [context.tenantId, item.refId, text]);
      outcomes.push({ kind: 'success', resultId: `note:${item.refId}` });
    }
    return outcomes;
  }
}

/** The notes domain's tables, a set of its own beside the batch and container sets. */
class NoteTables1799000000000 implements MigrationInterface {
  name = 'NoteTables1799000000000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE TABLE notes (tenant_id varchar(64) NOT NULL, ref_id varchar(128) NOT NULL, text text NOT NULL, PRIMARY KEY (tenant_id, ref_id))',
    );
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE notes');
  }
}
const noteTables: TableSet = { name: 'note', entities: [], migrations: [NoteTables1799000000000] };

const tempUrl = sqliteScratch('cs-kinds').url;
const stores: Array<[string, () => Promise<string> | string]> = [['a SQLite file', tempUrl]];
if (requirePostgres()) {
  const scratch = postgresScratch('cs_kinds');
  stores.push(['PostgreSQL', () => scratch.fresh()]);
}

async function setUp(url: string) {
  const database = await openDatabase(url, { schemas: [batchTables, containerTables, noteTables] });
  const types = new TypeOrmContainerTypeRepository(database);
  await types.add(aContainerType({ name: 'bag', attributes: [] }));
  const batches = new TypeOrmBatchRepository(database);
  const access = new StaticAccessVerifier().grant('tok-acme', 'acme').grant('tok-beta', 'beta');
  const clock = new FixedClock();
  const ids = new SequentialIdGenerator();
  const submitOptions = { targetTypeNotFoundCode: 'TYPE_NOT_FOUND', maxItems: 10, referenceField: { create: 'refID', update: 'refID' } };
  const containers = {
    submit: new SubmitBatch(batches, { exists: async (tenantId, name) => (await types.find(tenantId, name)) !== null }, access, clock, ids, {
      ...containerBatchScope,
      ...submitOptions,
    }),
    status: new GetBatchStatus(batches, access, containerBatchScope, clock),
    list: new ListBatches(batches, { exists: async () => true }, access, containerBatchScope),
    cancel: new CancelBatch(batches, access, containerBatchScope, clock),
  };
  const notes = {
    submit: new SubmitBatch(batches, { exists: async () => true }, access, clock, ids, { ...noteScope, ...submitOptions }),
    status: new GetBatchStatus(batches, access, noteScope, clock),
    list: new ListBatches(batches, { exists: async () => true }, access, noteScope),
    cancel: new CancelBatch(batches, access, noteScope, clock),
  };
  // Two workers, each with a store of its own on the one database, as two services would have.
  const containerStore = new TypeOrmBatchProcessingStore(database);
  const noteStore = new TypeOrmBatchProcessingStore(database);
  const stores = new TypeOrmContainerStoreProvider();
  const noteHandler = new NoteHandler();
  const workers = {
    containers: {
      store: containerStore,
      process: new ProcessBatchChunk(
        containerStore,
        { [CONTAINER_BATCH_KIND]: { create: new CreateContainerHandler(stores, ids), update: new UpdateContainerHandler(stores) } },
        clock,
        2,
      ),
    },
    notes: { store: noteStore, process: new ProcessBatchChunk(noteStore, { [NOTE_KIND]: { create: noteHandler, update: noteHandler } }, clock, 2) },
  };
  const count = async (table: string) => Number((await database.read((m) => m.query(`SELECT COUNT(*) AS n FROM ${table}`)))[0].n);
  return { database, batches, containers, notes, workers, noteHandler, count, clock };
}

type Worker = Awaited<ReturnType<typeof setUp>>['workers']['notes'];

/** Claims and processes batches until none of the worker's kinds is left; the ids it processed, in order. */
async function drain(worker: Worker, owner: string, now: number): Promise<string[]> {
  const processed: string[] = [];
  for (;;) {
    const lease = await worker.store.claim(owner, worker.process.kinds, now, now + 10_000);
    if (lease === null) return processed;
    processed.push(`${lease.locator.kind}/${lease.locator.batchId}`);
    while (!(await worker.process.execute(lease)).done);
  }
}

const created = (result: { ok: boolean; value?: unknown }): string => {
  if (!result.ok) throw new Error(`not submitted: ${JSON.stringify(result)}`);
  return (result.value as { batchId: string }).batchId;
};

for (const [label, url] of stores) {
  describe(`two domains sharing one database on ${label}`, () => {
    it('keeps claims, reads and commands of each kind to its own batches, and processes both to the end', async () => {
      const { database, containers, notes, workers, noteHandler, count } = await setUp(await url());
      const asked = { accessToken: 'tok-acme', tenantId: 'acme', targetType: 'bag', operation: 'create' as const, source: 'json' as const, actor: null };
      const bagBatch = created(await containers.submit.execute({ ...asked, payload: [{ refID: 'b-1' }, { refID: 'b-2' }, { refID: 'b-3' }] }));
      const noteBatch = created(
        await notes.submit.execute({
          ...asked,
          payload: [
            { refID: 'n-1', text: 'hello' },
            { refID: 'n-2', text: '' },
          ],
        }),
      );
      const betaNotes = created(await notes.submit.execute({ ...asked, accessToken: 'tok-beta', tenantId: 'beta', payload: [{ refID: 'n-1', text: 'beta' }] }));

      // Reads and commands under the same type name never cross kinds.
      const read = { accessToken: 'tok-acme', tenantId: 'acme', targetType: 'bag' };
      expect(await containers.status.execute({ ...read, batchId: noteBatch })).toMatchObject({ ok: false, error: { code: 'BATCH_NOT_FOUND' } });
      expect(await notes.status.execute({ ...read, batchId: bagBatch })).toMatchObject({ ok: false, error: { code: 'BATCH_NOT_FOUND' } });
      expect(await containers.cancel.execute({ ...read, batchId: noteBatch })).toMatchObject({ ok: false, error: { code: 'BATCH_NOT_FOUND' } });
      const listed = async (list: ListBatches) => {
        const result = await list.execute(read);
        return result.ok ? result.value.items.map((b) => b.id as string) : result.error.code;
      };
      expect(await listed(containers.list)).toEqual([bagBatch]);
      expect(await listed(notes.list)).toEqual([noteBatch]);

      // Each worker is offered only its kinds: beta's notes wait, but not for the container worker.
      expect(await workers.containers.store.othersWaiting('acme', workers.containers.process.kinds, 1000)).toBe(false);
      expect(await workers.notes.store.othersWaiting('acme', workers.notes.process.kinds, 1000)).toBe(true);
      expect(await drain(workers.containers, 'w-containers', 1000)).toEqual([`container/${bagBatch}`]);
      // Tenant turns are one per tenant, whatever the kind: acme was just served, so beta goes first.
      expect(await drain(workers.notes, 'w-notes', 1000)).toEqual([`note/${betaNotes}`, `note/${noteBatch}`]);
      expect(noteHandler.seen).toEqual(['note/n-1', 'note/n-1', 'note/n-2']);

      const bagStatus = await containers.status.execute({ ...read, batchId: bagBatch });
      expect(bagStatus.ok && [bagStatus.value.status, bagStatus.value.successes.length]).toEqual(['SUCCESS', 3]);
      const noteStatus = await notes.status.execute({ ...read, batchId: noteBatch });
      expect(noteStatus.ok && [noteStatus.value.status, noteStatus.value.failures.map((f) => f.code)]).toEqual(['PARTIAL_SUCCESS', ['NOTE_INVALID']]);
      expect([await count('containers'), await count('notes')]).toEqual([3, 2]);
      await database.close();
    });
  });
}
