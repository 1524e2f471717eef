// Deterministic builders for container types and containers.
import { Actor } from '@container-service/batch-domain';
import { ContainerSnapshot } from '../container';
import { ContainerType, DefineContainerTypeProps } from '../container-type';

export const T0 = Date.UTC(2026, 0, 1);

export function aContainerType(overrides: Partial<DefineContainerTypeProps> = {}, now = T0, actor: Actor | null = null): ContainerType {
  const defined = ContainerType.define(
    {
      tenantId: 'acme',
      name: 'bag',
      isLeaf: false,
      attributes: [
        { name: 'weight', dataType: 'number', required: true, validation: { range: { min: 0, max: 1000 } } },
        { name: 'colour', dataType: 'string', defaultValue: 'grey', validation: { valueOneOf: ['grey', 'red'] } },
      ],
      ...overrides,
    },
    now,
    actor,
  );
  if (!defined.ok) throw new Error(JSON.stringify(defined.error));
  return defined.value;
}

/** A stored container of acme's type 'bag', as the create handler would write it. */
export function aContainer(overrides: Partial<ContainerSnapshot> = {}): ContainerSnapshot {
  return {
    id: 'bag:00000000-0000-4000-8000-000000000001',
    tenantId: 'acme',
    containerType: 'bag',
    refId: 'r-1',
    scannableId: null,
    trackingDetails: [],
    attributes: { weight: 2 },
    items: [],
    parentId: null,
    isHazmat: false,
    isContainerizable: true,
    isReusable: false,
    createdAt: T0,
    updatedAt: T0,
    createdBy: null,
    updatedBy: null,
    ...overrides,
  };
}
