// Public entry of the container domain: container types, their attribute rules, and the
// per-item rules of container creates and updates.
export type { ContainerErrorCode } from './container-errors';
export { canonicalJson } from './attribute-config';
export type { AttributeConfig, AttributeDataType, AttributeValidation } from './attribute-config';
export { ContainerType, containerTypeNameRule } from './container-type';
export { CONTAINER_BATCH_KIND, containerBatchScope } from './container-batches';
export { containerConflictKeys } from './container-conflict-keys';
export { cleanContainerItem } from './container-item-cleaning';
export type { Attributes, ItemLine, Money, TrackingDetail } from './container-input';
export type { ContainerTypeSnapshot, DefineContainerTypeProps } from './container-type';
export type { ContainerTypePage, ContainerTypeRepository } from './container-type-repository.port';
export {
  CONTAINER_TYPE_PAGE_LIMIT,
  DefineContainerType,
  GetContainerType,
  ListContainerTypes,
  ReplaceContainerTypeAttributes,
} from './container-type.use-cases';
export type { ContainerTypeListing, DefineContainerTypeInput, GetContainerTypeInput, ListContainerTypesInput } from './container-type.use-cases';
export { CONTAINER_CREATED_STATE } from './container';
export type { ContainerReader, ContainerSnapshot, ContainerStore, ContainerStoreProvider, TrackingOwner } from './container';
export { CreateContainerHandler, UpdateContainerHandler } from './container-item.handlers';
export { GetContainer } from './get-container.use-case';
export type { GetContainerInput } from './get-container.use-case';
export { attributeNamesOf, fileColumnsFor, writeFileRow } from './container-file-row';
export { FAILED_ROW_COLUMNS, containerFileHeaderCheck, containerFileHeaderProblem, misnamedColumnsProblem } from './container-file-header';
export { containerFileTemplate, exampleAttributeValue } from './container-file-template';
export type { ContainerFileOperation, ContainerFileTemplate } from './container-file-template';
export { GetContainerFileTemplate } from './get-container-file-template.use-case';
export type { GetContainerFileTemplateInput } from './get-container-file-template.use-case';
