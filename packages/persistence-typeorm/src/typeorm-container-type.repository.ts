// ContainerTypeRepository over TypeORM. Writers assumed: any number, in any process, on a store
// whose transactions are atomic but may interleave (ADR 0016). So `add` is one conditional insert
// (INSERT … ON CONFLICT DO NOTHING on the type's primary key): of two requests defining the same
// type at once, one adds it and the other is told it exists, never a constraint failure.
import { ContainerType, ContainerTypePage, ContainerTypeRepository } from '@container-service/container-domain';
import { MoreThan } from 'typeorm';
import { fromContainerTypeRow, toContainerTypeRow } from './container-type.mapper';
import { Database } from './database';
import { ContainerTypeSchema } from './schemas/container-type.schema';
import { execute } from './sql';

const ADD_TYPE = `INSERT INTO container_types (tenant_id, name, is_leaf, attributes, created_at, updated_at, created_by, updated_by)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, name) DO NOTHING`;

export class TypeOrmContainerTypeRepository implements ContainerTypeRepository {
  constructor(private readonly database: Database) {}

  async add(type: ContainerType): Promise<'added' | 'exists'> {
    const row = toContainerTypeRow(type);
    const params = [row.tenantId, row.name, row.isLeaf, row.attributes, row.createdAt, row.updatedAt, row.createdBy, row.updatedBy];
    const added = await this.database.write((manager) => execute(manager, ADD_TYPE, params));
    return added === 1 ? 'added' : 'exists';
  }

  async save(type: ContainerType): Promise<void> {
    await this.database.write(async (manager) => {
      const { tenantId, name, ...rest } = toContainerTypeRow(type);
      const result = await manager.update(ContainerTypeSchema, { tenantId, name }, rest);
      if (result.affected !== 1) throw new Error(`Container type ${name} is not stored`);
    });
  }

  async find(tenantId: string, name: string): Promise<ContainerType | null> {
    const row = await this.database.read((manager) => manager.findOne(ContainerTypeSchema, { where: { tenantId, name } }));
    return row === null ? null : fromContainerTypeRow(row);
  }

  async list(tenantId: string, page: { limit: number; after?: string | null }): Promise<ContainerTypePage> {
    const rows = await this.database.read((manager) =>
      manager.find(ContainerTypeSchema, {
        where: page.after ? { tenantId, name: MoreThan(page.after) } : { tenantId },
        order: { name: 'ASC' },
        take: page.limit + 1,
      }),
    );
    const items = rows.slice(0, page.limit).map(fromContainerTypeRow);
    const last = items.at(-1);
    return { items, nextAfter: rows.length > page.limit && last !== undefined ? last.name : null };
  }
}
