// Rows of the container_types table and its TypeORM schema.
import { EntitySchema } from 'typeorm';
import { epochMs } from './epoch-ms.transformer';

export interface ContainerTypeRow {
  tenantId: string;
  name: string;
  isLeaf: boolean;
  attributes: string;
  createdAt: number;
  updatedAt: number;
  createdBy: string | null;
  updatedBy: string | null;
}

export const ContainerTypeSchema = new EntitySchema<ContainerTypeRow>({
  name: 'ContainerType',
  tableName: 'container_types',
  columns: {
    tenantId: { name: 'tenant_id', type: 'varchar', length: 64, primary: true },
    name: { type: 'varchar', length: 16, primary: true },
    isLeaf: { name: 'is_leaf', type: 'boolean' },
    attributes: { type: 'text' },
    createdAt: { name: 'created_at', type: 'bigint', transformer: epochMs },
    updatedAt: { name: 'updated_at', type: 'bigint', transformer: epochMs },
    createdBy: { name: 'created_by', type: 'text', nullable: true },
    updatedBy: { name: 'updated_by', type: 'text', nullable: true },
  },
});
