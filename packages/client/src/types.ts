// The public names of the shapes the client answers with: the schemas generated from
// docs/openapi.json, so that a change of the document changes them (and breaks what relies on
// them at build time). Only `Operation` is named here: the document says it with POST and PUT.
import type { components, paths } from './generated/openapi';

type Schemas = components['schemas'];

export type BatchMeta = Schemas['BatchMetaDto'];
export type BatchStatus = BatchMeta['status'];
export type BatchProgress = Schemas['BatchProgressDto'];
export type BatchResponse = Schemas['BatchResponseDto'];
export type BatchError = Schemas['BatchErrorDto'];
export type BatchSuccess = Schemas['BatchSuccessDto'];
export type CreateItem = Schemas['CreateItemDto'];
export type UpdateItem = Schemas['UpdateItemDto'];
export type CreateBatchBody = Schemas['CreateBatchBodyDto'];
export type UpdateBatchBody = Schemas['UpdateBatchBodyDto'];
export type Callback = Schemas['CallbackDto'];
export type AttributeConfig = Schemas['AttributeConfigDto'];
export type CreateContainerType = Schemas['CreateContainerTypeDto'];
export type ContainerType = Schemas['ContainerTypeDto'];
export type ContainerTypePage = Schemas['ContainerTypePageDto'];
export type AttributesConfig = Schemas['AttributesConfigDto'];
export type AttributesReplaced = Schemas['AttributesReplacedDto'];
/** One item of `GET …/batch/results`. */
export type ResultItem = Schemas['ItemResultDto'];
/** A page of results; `nextCursor` is null on the last page. */
export type ResultPage = Schemas['BatchResultsPageDto'];
/** A page of `GET …/batches`, newest first; `nextCursor` is null on the last page. */
export type BatchListPage = Schemas['BatchListPageDto'];
/** A container as `GET …/containers/{containerType}/{containerId}` answers it. */
export type Container = Schemas['ContainerDto'];
/** The error codes this client knows (`error.code`); a newer service may answer others. */
export type ErrorCode = Schemas['ErrorCode'];
/** The catalog names of errors (`error.additionalInfo.errorName`). */
export type ErrorName = Schemas['ErrorName'];
/** `error.additionalInfo` of an error answer. */
export type ErrorInfo = Schemas['ErrorInfoDto'];

export type Operation = 'create' | 'update';
export type Outcome = ResultItem['outcome'];
/** The outcomes the results route can be filtered by (from the document). */
export type OutcomeFilter = NonNullable<paths['/core/api/v2/containers/{containerType}/batch/results']['get']['parameters']['query']['outcome']>;

/** Statuses after which nothing changes any more. */
export const FINAL_STATUSES: readonly BatchStatus[] = ['SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED'];

export const isFinished = (meta: Pick<BatchMeta, 'status'>): boolean => FINAL_STATUSES.includes(meta.status);
