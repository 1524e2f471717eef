// Rows of the containers and container_tracking tables, and their TypeORM schemas.
import { EntitySchema } from 'typeorm';
import { epochMs } from './epoch-ms.transformer';

export interface ContainerRow {
  tenantId: string;
  id: string;
  containerType: string;
  refId: string | null;
  scannableId: string | null;
  trackingDetails: string;
  attributes: string;
  items: string;
  parentId: string | null;
  isHazmat: boolean;
  isContainerizable: boolean;
  isReusable: boolean;
  createdAt: number;
  updatedAt: number;
  createdBy: string | null;
  updatedBy: string | null;
}

export interface ContainerTrackingRow {
  tenantId: string;
  operator: string;
  trackingId: string;
  containerId: string;
}

export const ContainerSchema = new EntitySchema<ContainerRow>({
  name: 'Container',
  tableName: 'containers',
  columns: {
    tenantId: { name: 'tenant_id', type: 'varchar', length: 64, primary: true },
    id: { type: 'varchar', length: 64, primary: true },
    containerType: { name: 'container_type', type: 'varchar', length: 16 },
    refId: { name: 'ref_id', type: 'varchar', length: 128, nullable: true },
    scannableId: { name: 'scannable_id', type: 'varchar', length: 128, nullable: true },
    trackingDetails: { name: 'tracking_details', type: 'text' },
    attributes: { type: 'text' },
    items: { type: 'text' },
    parentId: { name: 'parent_id', type: 'varchar', length: 200, nullable: true },
    isHazmat: { name: 'is_hazmat', type: 'boolean' },
    isContainerizable: { name: 'is_containerizable', type: 'boolean' },
    isReusable: { name: 'is_reusable', type: 'boolean' },
    createdAt: { name: 'created_at', type: 'bigint', transformer: epochMs },
    updatedAt: { name: 'updated_at', type: 'bigint', transformer: epochMs },
    createdBy: { name: 'created_by', type: 'text', nullable: true },
    updatedBy: { name: 'updated_by', type: 'text', nullable: true },
  },
});

export const ContainerTrackingSchema = new EntitySchema<ContainerTrackingRow>({
  name: 'ContainerTracking',
  tableName: 'container_tracking',
  columns: {
    tenantId: { name: 'tenant_id', type: 'varchar', length: 64, primary: true },
    operator: { type: 'varchar', length: 64, primary: true },
    trackingId: { name: 'tracking_id', type: 'varchar', length: 128, primary: true },
    containerId: { name: 'container_id', type: 'varchar', length: 64 },
  },
});
