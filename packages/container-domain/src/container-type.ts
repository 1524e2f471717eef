// A container type of one tenant: its name, whether it is a leaf (holds items), and its
// attribute configuration, which every container of the type is checked against.
import { Actor, Result, TargetTypeRule, Violation, domainError, err, ok } from '@container-service/batch-domain';
import { ContainerError } from './container-errors';
import { AttributeConfig, parseAttributeConfigs } from './attribute-config';

const CONTAINER_TYPE_NAME = /^[A-Za-z]{3,16}$/;

/** The container type name rule, in the shape the batch domain's use cases take. */
export const containerTypeNameRule: TargetTypeRule = {
  parameter: 'containerType',
  description: 'must be 3 to 16 letters (A-Z, a-z)',
  test: (name) => CONTAINER_TYPE_NAME.test(name),
};

export interface ContainerTypeSnapshot {
  readonly tenantId: string;
  readonly name: string;
  readonly isLeaf: boolean;
  readonly attributes: readonly AttributeConfig[];
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: Actor | null;
  readonly updatedBy: Actor | null;
}

export interface DefineContainerTypeProps {
  readonly tenantId: string;
  readonly name: unknown;
  readonly isLeaf?: unknown;
  readonly attributes?: unknown;
}

export class ContainerType {
  private constructor(private state: ContainerTypeSnapshot) {}

  static define(props: DefineContainerTypeProps, now: number, actor: Actor | null): Result<ContainerType, ContainerError<'VALIDATION_FAILED'>> {
    const violations: Violation[] = [];
    if (typeof props.name !== 'string' || !containerTypeNameRule.test(props.name)) {
      violations.push({ path: 'name', message: containerTypeNameRule.description });
    }
    if (props.isLeaf !== undefined && typeof props.isLeaf !== 'boolean') violations.push({ path: 'isLeaf', message: 'must be a boolean' });
    const attributes = parseAttributeConfigs(props.attributes);
    if (!attributes.ok) violations.push(...attributes.error);
    if (violations.length > 0 || !attributes.ok) {
      return err(domainError('VALIDATION_FAILED', 'The container type definition breaks some rules.', violations));
    }
    return ok(
      new ContainerType({
        tenantId: props.tenantId,
        name: props.name as string,
        isLeaf: props.isLeaf === true,
        attributes: attributes.value,
        createdAt: now,
        updatedAt: now,
        createdBy: actor,
        updatedBy: actor,
      }),
    );
  }

  static fromSnapshot(snapshot: ContainerTypeSnapshot): ContainerType {
    return new ContainerType({ ...snapshot, attributes: [...snapshot.attributes] });
  }

  toSnapshot(): ContainerTypeSnapshot {
    return { ...this.state, attributes: [...this.state.attributes] };
  }

  get name(): string {
    return this.state.name;
  }

  get tenantId(): string {
    return this.state.tenantId;
  }

  get isLeaf(): boolean {
    return this.state.isLeaf;
  }

  /** Replaces the attribute configuration; stored containers are not re-checked. */
  replaceAttributes(raw: unknown, now: number, actor: Actor | null): Result<void, ContainerError<'VALIDATION_FAILED'>> {
    const attributes = parseAttributeConfigs(raw);
    if (!attributes.ok) {
      return err(domainError('VALIDATION_FAILED', 'The attribute configuration breaks some rules.', attributes.error));
    }
    this.state = { ...this.state, attributes: attributes.value, updatedAt: now, updatedBy: actor };
    return ok(undefined);
  }
}
