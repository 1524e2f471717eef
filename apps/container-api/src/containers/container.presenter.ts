// Maps a container snapshot to its JSON answer, in the shape of the original's ContainerResponse:
// `state` always, `parentId` only when there is one (never null), who acted never null.
import { CONTAINER_CREATED_STATE, ContainerSnapshot } from '@container-service/container-domain';
import { actionBy } from '../container-types/container-type.presenter';

export function presentContainer(c: ContainerSnapshot) {
  return {
    id: c.id,
    containerType: c.containerType,
    state: CONTAINER_CREATED_STATE,
    refID: c.refId,
    scannableId: c.scannableId,
    trackingDetails: c.trackingDetails,
    attributes: c.attributes,
    items: c.items,
    ...(c.parentId === null ? {} : { parentId: c.parentId }),
    isHazmat: c.isHazmat,
    isContainerizable: c.isContainerizable,
    isReusable: c.isReusable,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    createdBy: actionBy(c.createdBy, c.tenantId),
    updatedBy: actionBy(c.updatedBy, c.tenantId),
  };
}
