// Use cases for container types: define one, read one, list a tenant's. Each checks the caller first.
import { AccessVerifier, Actor, Clock, CursorFormat, Result, clipText, domainError, encodeCursor, err, ok, parsePage } from '@container-service/batch-domain';
import { ContainerError } from './container-errors';
import { ContainerType, ContainerTypeSnapshot, containerTypeNameRule } from './container-type';
import { ContainerTypeRepository } from './container-type-repository.port';

interface Caller {
  readonly accessToken: string | undefined;
  readonly tenantId: string;
  readonly actor?: Actor | null;
}

export interface DefineContainerTypeInput extends Caller {
  readonly body: { readonly name?: unknown; readonly isLeaf?: unknown; readonly attributes?: unknown };
}

export class DefineContainerType {
  constructor(
    private readonly types: ContainerTypeRepository,
    private readonly access: AccessVerifier,
    private readonly clock: Clock,
  ) {}

  async execute(
    input: DefineContainerTypeInput,
  ): Promise<Result<ContainerTypeSnapshot, ContainerError<'UNAUTHORIZED' | 'VALIDATION_FAILED' | 'CONTAINER_TYPE_EXISTS'>>> {
    const principal = await this.access.verify(input.accessToken, input.tenantId);
    if (!principal.ok) return principal;
    const defined = ContainerType.define(
      { tenantId: principal.value.tenantId, name: input.body.name, isLeaf: input.body.isLeaf, attributes: input.body.attributes },
      this.clock.now(),
      input.actor ?? null,
    );
    if (!defined.ok) return defined;
    if ((await this.types.add(defined.value)) === 'exists') {
      return err(domainError('CONTAINER_TYPE_EXISTS', `The container type '${defined.value.name}' exists already for this tenant.`));
    }
    return ok(defined.value.toSnapshot());
  }
}

export interface GetContainerTypeInput extends Caller {
  readonly name: string;
}

export class GetContainerType {
  constructor(
    private readonly types: ContainerTypeRepository,
    private readonly access: AccessVerifier,
  ) {}

  async execute(input: GetContainerTypeInput): Promise<Result<ContainerTypeSnapshot, ContainerError<'UNAUTHORIZED' | 'CONTAINER_TYPE_NOT_FOUND'>>> {
    const principal = await this.access.verify(input.accessToken, input.tenantId);
    if (!principal.ok) return principal;
    const type = await this.types.find(principal.value.tenantId, input.name);
    if (type === null) {
      return err(domainError('CONTAINER_TYPE_NOT_FOUND', `No container type '${clipText(input.name, 64)}' exists for this tenant.`));
    }
    return ok(type.toSnapshot());
  }
}

export const CONTAINER_TYPE_PAGE_LIMIT = { default: 50, max: 500 } as const;

export interface ListContainerTypesInput extends Caller {
  readonly limit?: unknown;
  readonly cursor?: unknown;
}

export interface ContainerTypeListing {
  readonly items: readonly ContainerTypeSnapshot[];
  readonly nextCursor: string | null;
}

export class ListContainerTypes {
  constructor(
    private readonly types: ContainerTypeRepository,
    private readonly access: AccessVerifier,
  ) {}

  async execute(input: ListContainerTypesInput): Promise<Result<ContainerTypeListing, ContainerError<'UNAUTHORIZED' | 'VALIDATION_FAILED'>>> {
    const principal = await this.access.verify(input.accessToken, input.tenantId);
    if (!principal.ok) return principal;
    const paging = parsePage(input, CONTAINER_TYPE_PAGE_LIMIT, CONTAINER_TYPE_CURSOR);
    if (!paging.ok) return err(domainError('VALIDATION_FAILED', 'The listing options break some rules.', paging.violations));
    const { limit, after } = paging.page;
    const page = await this.types.list(principal.value.tenantId, { limit, after: after ?? null });
    return ok({
      items: page.items.map((type) => type.toSnapshot()),
      nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter),
    });
  }
}

/** A cursor names the last type served, by name. */
const CONTAINER_TYPE_CURSOR: CursorFormat<string> = {
  maxLength: 64,
  read: (name) => (containerTypeNameRule.test(name) ? name : null),
};

export interface ReplaceContainerTypeAttributesInput extends Caller {
  readonly name: string;
  readonly attributes: unknown;
}

/** PUT /container-types/{name}/config/attributes: replaces the whole configuration. Stored containers are not re-checked. */
export class ReplaceContainerTypeAttributes {
  constructor(
    private readonly types: ContainerTypeRepository,
    private readonly access: AccessVerifier,
    private readonly clock: Clock,
  ) {}

  async execute(
    input: ReplaceContainerTypeAttributesInput,
  ): Promise<Result<ContainerTypeSnapshot, ContainerError<'UNAUTHORIZED' | 'VALIDATION_FAILED' | 'CONTAINER_TYPE_NOT_FOUND'>>> {
    const principal = await this.access.verify(input.accessToken, input.tenantId);
    if (!principal.ok) return principal;
    const type = await this.types.find(principal.value.tenantId, input.name);
    if (type === null) return err(domainError('CONTAINER_TYPE_NOT_FOUND', `No container type '${clipText(input.name, 64)}' exists for this tenant.`));
    if (!Array.isArray(input.attributes)) {
      return err(
        domainError('VALIDATION_FAILED', 'The attribute configuration must be a list.', [
          { path: 'attributes', message: 'must be an array of attribute configurations' },
        ]),
      );
    }
    const replaced = type.replaceAttributes(input.attributes, this.clock.now(), input.actor ?? null);
    if (!replaced.ok) return replaced;
    await this.types.save(type);
    return ok(type.toSnapshot());
  }
}
