// Container storage over TypeORM: the store that item handlers write through inside a chunk's
// transaction, and the reader for GET. Tracking ids live in their own table whose primary key
// (tenant, operator, tracking id) makes a duplicate impossible even if a check were missed.
import {
  AttributeConfig,
  ContainerReader,
  ContainerSnapshot,
  ContainerStore,
  ContainerStoreProvider,
  TrackingOwner,
} from '@container-service/container-domain';
import { EntityManager } from 'typeorm';
import { Database } from './database';
import { execute, isUniqueViolation, onPostgres, placeholders, select, sized, slices } from './sql';
import { ContainerSchema } from './schemas/container.schema';
import { CONTAINER_COLUMNS, CONTAINER_WIDTH, fromContainerRow, putContainerColumns } from './container.mapper';
import { ArrayElement, InsertColumn, bulkInsert, pgArray, pgChanged, pgRows } from './postgres-statements';

const LIST = 500;

// PostgreSQL's statements of a chunk (postgres-statements.ts): lists as arrays, the text fixed.
// Owners are looked up one index probe per id (a LATERAL subquery with LIMIT that the planner
// cannot flatten): an IN list or a plain join was planned as a walk over the tenant's whole
// (tenant, type) range, or a scan, whose cost grew with its containers.
const SCANNABLE_OWNERS = `SELECT v.scannable_id, c.id FROM unnest($1::varchar[]) AS v(scannable_id)
  CROSS JOIN LATERAL (SELECT id FROM containers WHERE tenant_id = $2 AND container_type = $3 AND scannable_id = v.scannable_id LIMIT 1) c`;
const TRACKING_OWNERS = `SELECT v.operator, v.tracking_id, t.container_id FROM unnest($1::varchar[], $2::varchar[]) AS v(operator, tracking_id)
  CROSS JOIN LATERAL (SELECT container_id FROM container_tracking WHERE tenant_id = $3 AND operator = v.operator AND tracking_id = v.tracking_id LIMIT 1) t`;
const CONTAINER_INSERT_COLUMNS: readonly InsertColumn[] = (
  [
    ['tenant_id', 'varchar'],
    ['id', 'varchar'],
    ['container_type', 'varchar'],
    ['ref_id', 'varchar'],
    ['scannable_id', 'varchar'],
    ['tracking_details', 'text'],
    ['attributes', 'text'],
    ['items', 'text'],
    ['parent_id', 'varchar'],
    ['is_hazmat', 'boolean'],
    ['is_containerizable', 'boolean'],
    ['is_reusable', 'boolean'],
    ['created_at', 'bigint'],
    ['updated_at', 'bigint'],
    ['created_by', 'text'],
    ['updated_by', 'text'],
  ] as const
).map(([name, type]) => ({ name, type }));
const TRACKING_INSERT_COLUMNS: readonly InsertColumn[] = ['tenant_id', 'operator', 'tracking_id', 'container_id'].map((name) => ({ name, type: 'varchar' }));

// SQLite's statements over lists, by the list's length (see `sized`). Tracking owners: one
// primary-key lookup per pair: each OR term names the whole key (tenant_id, operator,
// tracking_id); with the tenant outside the ORs SQLite scans the tenant's whole range instead.
const SCANNABLES_IN = (n: number) =>
  `SELECT scannable_id, id FROM containers WHERE tenant_id = ? AND container_type = ? AND scannable_id IN (${placeholders(n)})`;
const TRACKING_KEYS = (n: number) =>
  `SELECT operator, tracking_id, container_id FROM container_tracking WHERE ${Array.from({ length: n }, () => '(tenant_id = ? AND operator = ? AND tracking_id = ?)').join(' OR ')}`;
const PARENTS_IN = (n: number) =>
  `SELECT c.id, t.is_leaf FROM containers c JOIN container_types t ON t.tenant_id = c.tenant_id AND t.name = c.container_type WHERE c.tenant_id = ? AND c.id IN (${placeholders(n)})`;
const CONTAINERS_IN = (n: number) => `SELECT ${CONTAINER_COLUMNS} FROM containers WHERE tenant_id = ? AND container_type = ? AND id IN (${placeholders(n)})`;
const INSERT_CONTAINERS = (n: number) => `INSERT INTO containers (${CONTAINER_COLUMNS}) VALUES ${placeholders(n, 16)}`;
const INSERT_TRACKING = (n: number) => `INSERT INTO container_tracking (tenant_id, operator, tracking_id, container_id) VALUES ${placeholders(n, 4)}`;
/** Where insertManyIfFree goes back to, inside the chunk's transaction. */
const SAVEPOINT = 'containers_if_free';

interface RawContainerRow {
  tenant_id: string;
  id: string;
  container_type: string;
  ref_id: string | null;
  scannable_id: string | null;
  tracking_details: string;
  attributes: string;
  items: string;
  parent_id: string | null;
  is_hazmat: number | boolean;
  is_containerizable: number | boolean;
  is_reusable: number | boolean;
  created_at: number | string;
  updated_at: number | string;
  created_by: string | null;
  updated_by: string | null;
}

const fromRawRow = (r: RawContainerRow): ContainerSnapshot =>
  fromContainerRow({
    tenantId: r.tenant_id,
    id: r.id,
    containerType: r.container_type,
    refId: r.ref_id,
    scannableId: r.scannable_id,
    trackingDetails: r.tracking_details,
    attributes: r.attributes,
    items: r.items,
    parentId: r.parent_id,
    isHazmat: Boolean(r.is_hazmat),
    isContainerizable: Boolean(r.is_containerizable),
    isReusable: Boolean(r.is_reusable),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    createdBy: r.created_by,
    updatedBy: r.updated_by,
  });

const containerParams = (c: ContainerSnapshot): unknown[] => {
  const params = new Array<unknown>(CONTAINER_WIDTH);
  putContainerColumns(c, params, 0);
  return params;
};

/** Rows per SQLite INSERT: 200 containers are 3 200 parameters, 500 tracking ids 2 000, far below its 32 766. */
const CONTAINERS_PER_INSERT = 200;
const TRACKING_PER_INSERT = 500;

/** The store item handlers write through inside a chunk's transaction: fixed SQL, a few statements per chunk. */
export class TypeOrmContainerStore implements ContainerStore {
  constructor(private readonly tx: EntityManager) {}

  async findType(tenantId: string, name: string) {
    const [row] = await select<{ is_leaf: number | boolean; attributes: string }>(
      this.tx,
      'SELECT is_leaf, attributes FROM container_types WHERE tenant_id = ? AND name = ?',
      [tenantId, name],
    );
    return row === undefined ? null : { isLeaf: Boolean(row.is_leaf), attributes: JSON.parse(row.attributes) as AttributeConfig[] };
  }

  async scannableOwners(tenantId: string, containerType: string, scannableIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const owners = new Map<string, string>();
    if (onPostgres(this.tx)) {
      if (scannableIds.length === 0) return owners;
      const rows = await pgRows<{ scannable_id: string; id: string }>(this.tx, SCANNABLE_OWNERS, [pgArray(scannableIds), tenantId, containerType]);
      for (const row of rows) owners.set(row.scannable_id, row.id);
      return owners;
    }
    for (const part of slices(scannableIds, LIST)) {
      const rows = await select<{ scannable_id: string; id: string }>(this.tx, sized(SCANNABLES_IN, part.length), [tenantId, containerType, ...part]);
      for (const row of rows) owners.set(row.scannable_id, row.id);
    }
    return owners;
  }

  async trackingOwners(tenantId: string, details: readonly { operator: string; trackingId: string }[]): Promise<TrackingOwner[]> {
    const pairs = [...new Map(details.map((d) => [`${d.operator}\u0000${d.trackingId}`, d])).values()];
    const owners: TrackingOwner[] = [];
    if (onPostgres(this.tx)) {
      if (pairs.length === 0) return owners;
      const rows = await pgRows<{ operator: string; tracking_id: string; container_id: string }>(this.tx, TRACKING_OWNERS, [
        pgArray(pairs.map((d) => d.operator)),
        pgArray(pairs.map((d) => d.trackingId)),
        tenantId,
      ]);
      for (const r of rows) owners.push({ operator: r.operator, trackingId: r.tracking_id, containerId: r.container_id });
      return owners;
    }
    for (const part of slices(pairs, LIST)) {
      const rows = await select<{ operator: string; tracking_id: string; container_id: string }>(
        this.tx,
        sized(TRACKING_KEYS, part.length),
        part.flatMap((d) => [tenantId, d.operator, d.trackingId]),
      );
      for (const r of rows) owners.push({ operator: r.operator, trackingId: r.tracking_id, containerId: r.container_id });
    }
    return owners;
  }

  async parents(tenantId: string, containerIds: readonly string[]): Promise<ReadonlyMap<string, { isLeaf: boolean }>> {
    const found = new Map<string, { isLeaf: boolean }>();
    for (const part of slices(containerIds, LIST)) {
      const rows = await select<{ id: string; is_leaf: number | boolean }>(this.tx, sized(PARENTS_IN, part.length), [tenantId, ...part]);
      for (const row of rows) found.set(row.id, { isLeaf: Boolean(row.is_leaf) });
    }
    return found;
  }

  async findMany(tenantId: string, containerType: string, containerIds: readonly string[]): Promise<ReadonlyMap<string, ContainerSnapshot>> {
    const found = new Map<string, ContainerSnapshot>();
    for (const part of slices(containerIds, LIST)) {
      const rows = await select<RawContainerRow>(this.tx, sized(CONTAINERS_IN, part.length), [tenantId, containerType, ...part]);
      for (const row of rows) found.set(row.id, fromRawRow(row));
    }
    return found;
  }

  async insertMany(containers: readonly ContainerSnapshot[]): Promise<void> {
    if (onPostgres(this.tx)) {
      if (containers.length > 0) {
        const insert = bulkInsert(
          'containers',
          CONTAINER_INSERT_COLUMNS,
          containers.map((c) => containerParams(c) as ArrayElement[]),
        );
        await pgChanged(this.tx, insert.text, insert.values);
      }
    } else {
      for (const part of slices(containers, CONTAINERS_PER_INSERT)) {
        const params = new Array<unknown>(part.length * CONTAINER_WIDTH);
        for (let i = 0; i < part.length; i++) putContainerColumns(part[i] as ContainerSnapshot, params, i * CONTAINER_WIDTH);
        await execute(this.tx, sized(INSERT_CONTAINERS, part.length), params);
      }
    }
    await this.insertTracking(containers);
  }

  /**
   * insertMany's statements, after a savepoint: when a unique key refuses a row, going back to it
   * leaves the transaction as it was (on PostgreSQL, usable again). Plain inserts, not ON CONFLICT
   * DO NOTHING: on PostgreSQL that probes every unique index once more before each row, which cost
   * as much as the owner look-ups it would save.
   */
  async insertManyIfFree(containers: readonly ContainerSnapshot[]): Promise<boolean> {
    if (containers.length === 0) return true;
    await execute(this.tx, `SAVEPOINT ${SAVEPOINT}`, []);
    try {
      await this.insertMany(containers);
    } catch (error) {
      // A container id, scannable id or tracking id already held (the tracking table's is its primary key).
      if (!isUniqueViolation(error, { orPrimaryKey: true })) throw error;
      await execute(this.tx, `ROLLBACK TO SAVEPOINT ${SAVEPOINT}`, []);
      await execute(this.tx, `RELEASE SAVEPOINT ${SAVEPOINT}`, []);
      return false;
    }
    await execute(this.tx, `RELEASE SAVEPOINT ${SAVEPOINT}`, []);
    return true;
  }

  async update(container: ContainerSnapshot): Promise<void> {
    const [tenantId, id, ...rest] = containerParams(container);
    const changed = await execute(
      this.tx,
      'UPDATE containers SET container_type = ?, ref_id = ?, scannable_id = ?, tracking_details = ?, attributes = ?, items = ?, parent_id = ?, is_hazmat = ?, is_containerizable = ?, is_reusable = ?, created_at = ?, updated_at = ?, created_by = ?, updated_by = ? WHERE tenant_id = ? AND id = ?',
      [...rest, tenantId, id],
    );
    if (changed !== 1) throw new Error(`Container ${container.id} is not stored`);
    await execute(this.tx, 'DELETE FROM container_tracking WHERE tenant_id = ? AND container_id = ?', [container.tenantId, container.id]);
    await this.insertTracking([container]);
  }

  /** The containers' tracking ids, a row each. */
  private async insertTracking(containers: readonly ContainerSnapshot[]): Promise<void> {
    if (onPostgres(this.tx)) {
      const rows = containers.flatMap((c) => c.trackingDetails.map((d) => [c.tenantId, d.operator, d.trackingId, c.id]));
      if (rows.length === 0) return;
      const insert = bulkInsert('container_tracking', TRACKING_INSERT_COLUMNS, rows);
      await pgChanged(this.tx, insert.text, insert.values);
      return;
    }
    // Four parameters a row, into one array per statement.
    let params: unknown[] = [];
    for (const c of containers) {
      for (const d of c.trackingDetails) {
        params.push(c.tenantId, d.operator, d.trackingId, c.id);
        if (params.length === TRACKING_PER_INSERT * 4) {
          await execute(this.tx, sized(INSERT_TRACKING, TRACKING_PER_INSERT), params);
          params = [];
        }
      }
    }
    if (params.length > 0) await execute(this.tx, sized(INSERT_TRACKING, params.length / 4), params);
  }
}

export class TypeOrmContainerStoreProvider implements ContainerStoreProvider<EntityManager> {
  within(tx: EntityManager): ContainerStore {
    return new TypeOrmContainerStore(tx);
  }
}

export class TypeOrmContainerReader implements ContainerReader {
  constructor(private readonly database: Database) {}

  async find(tenantId: string, containerType: string, containerId: string): Promise<ContainerSnapshot | null> {
    const row = await this.database.read((manager) => manager.findOne(ContainerSchema, { where: { tenantId, containerType, id: containerId } }));
    return row === null ? null : fromContainerRow(row);
  }
}
