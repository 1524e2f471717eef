// Deterministic container type builders.
import { Actor } from '@container-service/batch-domain';
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
