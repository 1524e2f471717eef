// Public entry of the container domain: container types, their attribute rules, and the
// per-item rules of container creates and updates.
export type { ContainerErrorCode } from './container-errors';
export {
  ATTRIBUTE_DATA_TYPES,
  DEFAULT_MAX_STRING_LENGTH,
  MAX_ATTRIBUTES,
  MAX_STRING_LENGTH,
  canonicalJson,
  checkAttributeValue,
  longestString,
  parseAttributeConfigs,
} from './attribute-config';
export type { AttributeConfig, AttributeDataType, AttributeValidation } from './attribute-config';
export { MAX_JSON_DEPTH, nestsDeeperThan, textNestsDeeperThan } from './json-depth';
export { MAX_REGEX_LENGTH, MAX_REGEX_PROGRAM_SIZE, MAX_TYPE_REGEX_COST, REGEX_WORK_BUDGET, checkRegexSafety, compileAttributeRegex, estimateRegexCost } from './safe-regex';
export type { CompiledRegex, RegexVerdict } from './safe-regex';
export { ContainerType, containerTypeNameRule } from './container-type';
export { CONTAINER_BATCH_KIND, containerBatchScope } from './container-batches';
export {
  MAX_ITEM_LINES,
  MAX_TRACKING_DETAILS,
  QUANTITY_UNITS,
  checkAttributes,
  cleanContainerItem,
  mergeAttributes,
  parseCreateInput,
  parseItemLines,
  parseTrackingDetails,
  parseUpdateInput,
} from './container-input';
export type {
  Attributes,
  ContainerCreateInput,
  ContainerUpdateInput,
  ItemLine,
  ItemRejection,
  ItemRuleCode,
  Money,
  TrackingDetail,
  TypeRules,
} from './container-input';
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
export {
  ATTRIBUTE_COLUMN_PREFIX,
  CREATE_COLUMNS,
  UPDATE_COLUMNS,
  attributeNamesOf,
  fileColumnsFor,
  readFileRow,
  writeFileRow,
} from './container-file-row';
export { MAX_ATTRIBUTE_COLUMNS, MAX_UNREAD_COLUMNS, containerFileHeaderProblem } from './container-file-header';
