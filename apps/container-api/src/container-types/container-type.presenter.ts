// Maps container type snapshots to their JSON answers, in the shapes of the original service's
// read schemas (ContainerTypeResponse, AttributesConfigResponse).
import { Actor } from '@container-service/batch-domain';
import { AttributeConfig, ContainerTypeSnapshot } from '@container-service/container-domain';

/**
 * Who acted, as an OS1 `ActionBy`: never null. Rows stored before every request carried an actor
 * read as the tenant, which is what a request with nothing better is recorded as (§1).
 */
export function actionBy(actor: Actor | null, tenantId: string): Actor {
  return actor ?? { id: tenantId };
}

/** `required` is kept once in the model; the original keeps it in `validation`, so reads show it in both places (§9). */
function presentAttribute(config: AttributeConfig): AttributeConfig & { validation?: AttributeConfig['validation'] & { required?: boolean } } {
  return config.required ? { ...config, validation: { ...config.validation, required: true } } : config;
}

export function presentContainerType(type: ContainerTypeSnapshot) {
  return {
    id: type.name,
    name: type.name,
    isLeaf: type.isLeaf,
    attributes: type.attributes.map(presentAttribute),
    createdAt: type.createdAt,
    updatedAt: type.updatedAt,
    createdBy: actionBy(type.createdBy, type.tenantId),
    updatedBy: actionBy(type.updatedBy, type.tenantId),
  };
}

/** GET .../config/attributes: the original's AttributesConfigResponse data. */
export function presentAttributesConfig(type: ContainerTypeSnapshot) {
  return {
    name: type.name,
    attributes: type.attributes.map(presentAttribute),
    createdAt: type.createdAt,
    createdBy: actionBy(type.createdBy, type.tenantId),
    updatedAt: type.updatedAt,
    updatedBy: actionBy(type.updatedBy, type.tenantId),
  };
}
