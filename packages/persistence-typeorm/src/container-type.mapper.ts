// Explicit mapping between ContainerType snapshots and container type rows.
import { Actor } from '@container-service/batch-domain';
import { AttributeConfig, ContainerType } from '@container-service/container-domain';
import { ContainerTypeRow } from './schemas/container-type.schema';

export function toContainerTypeRow(type: ContainerType): ContainerTypeRow {
  const s = type.toSnapshot();
  return {
    tenantId: s.tenantId,
    name: s.name,
    isLeaf: s.isLeaf,
    attributes: JSON.stringify(s.attributes),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    createdBy: s.createdBy === null ? null : JSON.stringify(s.createdBy),
    updatedBy: s.updatedBy === null ? null : JSON.stringify(s.updatedBy),
  };
}

export function fromContainerTypeRow(row: ContainerTypeRow): ContainerType {
  return ContainerType.fromSnapshot({
    tenantId: row.tenantId,
    name: row.name,
    isLeaf: row.isLeaf,
    attributes: JSON.parse(row.attributes) as AttributeConfig[],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    createdBy: row.createdBy === null ? null : (JSON.parse(row.createdBy) as Actor),
    updatedBy: row.updatedBy === null ? null : (JSON.parse(row.updatedBy) as Actor),
  });
}
