// GetContainerFileTemplate: the CSV template of one of the caller's container types, for creates
// or updates (contract §3.3). Checks in the contract's order: token, then the type name and the
// operation, then whether the tenant has the type.
import { AccessVerifier, Result, checkTargetTypeName, domainError, err, ok } from '@container-service/batch-domain';
import { ContainerError } from './container-errors';
import { ContainerFileOperation, ContainerFileTemplate, containerFileTemplate } from './container-file-template';
import { containerTypeNameRule } from './container-type';
import { ContainerTypeRepository } from './container-type-repository.port';

export interface GetContainerFileTemplateInput {
  readonly accessToken: string | undefined;
  readonly tenantId: string;
  readonly containerType: string;
  /** `create` or `update`; absent means `create`. */
  readonly operation: unknown;
}

const OPERATIONS: readonly ContainerFileOperation[] = ['create', 'update'];

export class GetContainerFileTemplate {
  constructor(
    private readonly types: Pick<ContainerTypeRepository, 'find'>,
    private readonly access: AccessVerifier,
  ) {}

  async execute(
    input: GetContainerFileTemplateInput,
  ): Promise<Result<ContainerFileTemplate, ContainerError<'UNAUTHORIZED' | 'VALIDATION_FAILED' | 'CONTAINER_TYPE_NOT_FOUND'>>> {
    const principal = await this.access.verify(input.accessToken, input.tenantId);
    if (!principal.ok) return principal;
    // The same answer as every batch route gives a bad type name.
    const name = checkTargetTypeName(containerTypeNameRule, input.containerType);
    if (!name.ok) return name;
    if (input.operation !== undefined && !OPERATIONS.includes(input.operation as ContainerFileOperation)) {
      return err(domainError('VALIDATION_FAILED', 'operation must be create or update.', [{ path: 'operation', message: 'must be create or update' }]));
    }
    const type = await this.types.find(principal.value.tenantId, input.containerType);
    if (type === null) {
      return err(domainError('CONTAINER_TYPE_NOT_FOUND', `No ${containerTypeNameRule.parameter} '${input.containerType}' exists for this tenant.`));
    }
    return ok(containerFileTemplate((input.operation as ContainerFileOperation | undefined) ?? 'create', type.toSnapshot()));
  }
}
