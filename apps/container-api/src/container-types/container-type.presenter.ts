// Maps a container type snapshot to its JSON answer.
import { ContainerTypeSnapshot } from '@container-service/container-domain';

export function presentContainerType(type: ContainerTypeSnapshot) {
  return {
    id: type.name,
    name: type.name,
    isLeaf: type.isLeaf,
    attributes: type.attributes,
    createdAt: type.createdAt,
    updatedAt: type.updatedAt,
    createdBy: type.createdBy,
    updatedBy: type.updatedBy,
  };
}
