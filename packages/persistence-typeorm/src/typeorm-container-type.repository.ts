// ContainerTypeRepository over TypeORM.
import { ContainerType, ContainerTypePage, ContainerTypeRepository } from '@container-service/container-domain';
import { MoreThan } from 'typeorm';
import { fromContainerTypeRow, toContainerTypeRow } from './container-type.mapper';
import { Database } from './database';
import { ContainerTypeSchema } from './schemas/container-type.schema';

export class TypeOrmContainerTypeRepository implements ContainerTypeRepository {
  constructor(private readonly database: Database) {}

  async add(type: ContainerType): Promise<'added' | 'exists'> {
    // Write transactions are serialised by Database.write, so the check and the insert cannot interleave.
    return this.database.write(async (manager) => {
      if (await manager.exists(ContainerTypeSchema, { where: { tenantId: type.tenantId, name: type.name } })) return 'exists';
      await manager.insert(ContainerTypeSchema, toContainerTypeRow(type));
      return 'added';
    });
  }

  async save(type: ContainerType): Promise<void> {
    await this.database.write(async (manager) => {
      const { tenantId, name, ...rest } = toContainerTypeRow(type);
      const result = await manager.update(ContainerTypeSchema, { tenantId, name }, rest);
      if (result.affected !== 1) throw new Error(`Container type ${name} is not stored`);
    });
  }

  async find(tenantId: string, name: string): Promise<ContainerType | null> {
    const row = await this.database.reader.manager.findOne(ContainerTypeSchema, { where: { tenantId, name } });
    return row === null ? null : fromContainerTypeRow(row);
  }

  async list(tenantId: string, page: { limit: number; after?: string | null }): Promise<ContainerTypePage> {
    const rows = await this.database.reader.manager.find(ContainerTypeSchema, {
      where: page.after ? { tenantId, name: MoreThan(page.after) } : { tenantId },
      order: { name: 'ASC' },
      take: page.limit + 1,
    });
    const items = rows.slice(0, page.limit).map(fromContainerTypeRow);
    return { items, nextAfter: rows.length > page.limit ? items[items.length - 1]!.name : null };
  }
}
