// Container storage over TypeORM: the store that item handlers write through inside a chunk's
// transaction, and the reader for GET. Tracking ids live in their own table whose primary key
// (tenant, operator, tracking id) makes a duplicate impossible even if a check were missed.
import { Actor } from '@container-service/batch-domain';
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
import { ContainerRow, ContainerSchema, ContainerTrackingSchema } from './schemas/container.schema';
import { ContainerTypeSchema } from './schemas/container-type.schema';

const json = (value: unknown) => JSON.stringify(value);
const actor = (value: string | null) => (value === null ? null : (JSON.parse(value) as Actor));

export function toContainerRow(c: ContainerSnapshot): ContainerRow {
  return {
    tenantId: c.tenantId,
    id: c.id,
    containerType: c.containerType,
    refId: c.refId,
    scannableId: c.scannableId,
    trackingDetails: json(c.trackingDetails),
    attributes: json(c.attributes),
    items: json(c.items),
    parentId: c.parentId,
    isHazmat: c.isHazmat,
    isContainerizable: c.isContainerizable,
    isReusable: c.isReusable,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    createdBy: c.createdBy === null ? null : json(c.createdBy),
    updatedBy: c.updatedBy === null ? null : json(c.updatedBy),
  };
}

export function fromContainerRow(r: ContainerRow): ContainerSnapshot {
  return {
    tenantId: r.tenantId,
    id: r.id,
    containerType: r.containerType,
    refId: r.refId,
    scannableId: r.scannableId,
    trackingDetails: JSON.parse(r.trackingDetails),
    attributes: JSON.parse(r.attributes),
    items: JSON.parse(r.items),
    parentId: r.parentId,
    isHazmat: Boolean(r.isHazmat),
    isContainerizable: Boolean(r.isContainerizable),
    isReusable: Boolean(r.isReusable),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    createdBy: actor(r.createdBy),
    updatedBy: actor(r.updatedBy),
  };
}

export class TypeOrmContainerStore implements ContainerStore {
  constructor(private readonly tx: EntityManager) {}

  async findType(tenantId: string, name: string) {
    const row = await this.tx.findOne(ContainerTypeSchema, { select: { isLeaf: true, attributes: true }, where: { tenantId, name } });
    return row === null ? null : { isLeaf: Boolean(row.isLeaf), attributes: JSON.parse(row.attributes) as AttributeConfig[] };
  }

  async scannableOwner(tenantId: string, containerType: string, scannableId: string): Promise<string | null> {
    const row = await this.tx.findOne(ContainerSchema, { select: { id: true }, where: { tenantId, containerType, scannableId } });
    return row?.id ?? null;
  }

  async trackingOwners(tenantId: string, details: readonly { operator: string; trackingId: string }[]): Promise<TrackingOwner[]> {
    if (details.length === 0) return [];
    // One primary-key lookup per pair: (tenant_id, operator, tracking_id).
    const rows = await this.tx.find(ContainerTrackingSchema, { where: details.map((d) => ({ tenantId, operator: d.operator, trackingId: d.trackingId })) });
    return rows.map((r) => ({ operator: r.operator, trackingId: r.trackingId, containerId: r.containerId }));
  }

  async parentOf(tenantId: string, containerId: string): Promise<{ isLeaf: boolean } | null> {
    const row = await this.tx
      .createQueryBuilder()
      .select('t.is_leaf', 'isLeaf')
      .from(ContainerSchema, 'c')
      .innerJoin(ContainerTypeSchema.options.name, 't', 't.tenant_id = c.tenant_id AND t.name = c.container_type')
      .where('c.tenant_id = :tenantId AND c.id = :containerId', { tenantId, containerId })
      .getRawOne<{ isLeaf: number | boolean }>();
    return row ? { isLeaf: Boolean(row.isLeaf) } : null;
  }

  async find(tenantId: string, containerType: string, containerId: string): Promise<ContainerSnapshot | null> {
    const row = await this.tx.findOne(ContainerSchema, { where: { tenantId, containerType, id: containerId } });
    return row === null ? null : fromContainerRow(row);
  }

  async insert(container: ContainerSnapshot): Promise<void> {
    await this.tx.insert(ContainerSchema, toContainerRow(container));
    await this.insertTracking(container);
  }

  async update(container: ContainerSnapshot): Promise<void> {
    const { tenantId, id, ...rest } = toContainerRow(container);
    const result = await this.tx.update(ContainerSchema, { tenantId, id }, rest);
    if (result.affected !== 1) throw new Error(`Container ${id} is not stored`);
    await this.tx.delete(ContainerTrackingSchema, { tenantId, containerId: id });
    await this.insertTracking(container);
  }

  private async insertTracking(container: ContainerSnapshot): Promise<void> {
    if (container.trackingDetails.length === 0) return;
    await this.tx.insert(
      ContainerTrackingSchema,
      container.trackingDetails.map((d) => ({ tenantId: container.tenantId, operator: d.operator, trackingId: d.trackingId, containerId: container.id })),
    );
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
    const row = await this.database.reader.manager.findOne(ContainerSchema, { where: { tenantId, containerType, id: containerId } });
    return row === null ? null : fromContainerRow(row);
  }
}
