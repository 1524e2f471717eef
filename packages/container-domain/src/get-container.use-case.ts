// GetContainer: one container of the calling tenant, under its type.
import { AccessVerifier, Result, checkTargetTypeName, clipText, domainError, err, ok } from '@container-service/batch-domain';
import { ContainerError } from './container-errors';
import { ContainerReader, ContainerSnapshot } from './container';
import { containerTypeNameRule } from './container-type';

export interface GetContainerInput {
  readonly accessToken: string | undefined;
  readonly tenantId: string;
  readonly containerType: string;
  readonly containerId: string;
}

export class GetContainer {
  constructor(
    private readonly containers: ContainerReader,
    private readonly access: AccessVerifier,
  ) {}

  async execute(input: GetContainerInput): Promise<Result<ContainerSnapshot, ContainerError<'UNAUTHORIZED' | 'VALIDATION_FAILED' | 'CONTAINER_NOT_FOUND'>>> {
    const principal = await this.access.verify(input.accessToken, input.tenantId);
    if (!principal.ok) return principal;
    const containerType = checkTargetTypeName(containerTypeNameRule, input.containerType);
    if (!containerType.ok) return containerType;
    const found = input.containerId.length <= 64 ? await this.containers.find(principal.value.tenantId, input.containerType, input.containerId) : null;
    if (found === null) {
      return err(
        domainError('CONTAINER_NOT_FOUND', `No container '${clipText(input.containerId, 64)}' of type '${input.containerType}' exists for this tenant.`),
      );
    }
    return ok(found);
  }
}
