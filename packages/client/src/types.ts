// The public names of the shapes the client answers with. Most are the schemas generated from
// docs/openapi.json, so that a change of the document changes them (and breaks what relies on
// them at build time); the few answers the document leaves without a schema are written here
// from the contract (§3.1 results, §8 list) and say so.
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

export type Operation = 'create' | 'update';
export type Outcome = 'success' | 'failed' | 'cancelled';
/** The outcomes the results route can be filtered by (from the document). */
export type OutcomeFilter = NonNullable<paths['/core/api/v2/containers/{containerType}/batch/results']['get']['parameters']['query']['outcome']>;

/** Statuses after which nothing changes any more. */
export const FINAL_STATUSES: readonly BatchStatus[] = ['SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED'];

export const isFinished = (meta: Pick<BatchMeta, 'status'>): boolean => FINAL_STATUSES.includes(meta.status);

/** One item of `GET …/batch/results` (contract §11; the document has no schema for it). */
export interface ResultItem {
  readonly refID: string;
  readonly row?: number;
  readonly outcome: Outcome;
  readonly id?: string;
  readonly reason?: string;
  readonly code?: string;
}

/** A page of results; `nextCursor` is null on the last page. */
export interface ResultPage {
  readonly items: ResultItem[];
  readonly nextCursor: string | null;
}

/** A page of `GET …/batches` (contract §8/§11; the document has no schema for it). */
export interface BatchListPage {
  readonly items: BatchMeta[];
  readonly nextCursor: string | null;
}
