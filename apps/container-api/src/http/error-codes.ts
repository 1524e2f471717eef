// The contract's error catalog, and how each domain's codes are answered in it. The Records make a
// new code, of the catalog or of a domain, fail to compile until it has a status and a spelling.
import type { BatchErrorCode } from '@container-service/batch-domain';
import type { ContainerErrorCode } from '@container-service/container-domain';

export type ErrorCode =
  | 'MISSING_HEADER'
  | 'INVALID_HEADER'
  | 'INVALID_BATCH_ID'
  | 'VALIDATION_FAILED'
  | 'INVALID_FILE'
  | 'UNAUTHORIZED'
  | 'CONTAINER_TYPE_NOT_FOUND'
  | 'BATCH_NOT_FOUND'
  | 'CONTAINER_NOT_FOUND'
  | 'NOT_FOUND'
  | 'CONTAINER_TYPE_EXISTS'
  | 'BATCH_NOT_CANCELLABLE'
  | 'BATCH_NOT_FINISHED'
  | 'NOTHING_TO_RETRY'
  | 'REQUEST_TIMEOUT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'SERVICE_UNAVAILABLE';

export const HTTP_STATUS_OF: Record<ErrorCode, number> = {
  MISSING_HEADER: 400,
  INVALID_HEADER: 400,
  INVALID_BATCH_ID: 400,
  VALIDATION_FAILED: 400,
  INVALID_FILE: 400,
  UNAUTHORIZED: 401,
  CONTAINER_TYPE_NOT_FOUND: 404,
  BATCH_NOT_FOUND: 404,
  CONTAINER_NOT_FOUND: 404,
  NOT_FOUND: 404,
  CONTAINER_TYPE_EXISTS: 409,
  BATCH_NOT_CANCELLABLE: 409,
  BATCH_NOT_FINISHED: 409,
  NOTHING_TO_RETRY: 409,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  SERVICE_UNAVAILABLE: 503,
};

/**
 * The original service's numeric codes that OS1 clients branch on (contract §2). They are not
 * domain codes: they spell some of the catalog's errors on the routes where the original used them,
 * and the catalog name goes beside them in `additionalInfo.errorName`.
 */
export type Os1ErrorCode = '100920043304' | '100920021050';

export const HTTP_STATUS_OF_OS1: Record<Os1ErrorCode, number> = {
  '100920043304': 400,
  '100920021050': 400,
};

/** Which catalog errors a route answers with an OS1 code instead of its own. */
export type Os1Spelling = Partial<Readonly<Record<ErrorCode, Os1ErrorCode>>>;

/** The container-type routes (§9): the reference app creates a type only on a 400 100920043304, and reads 100920021050 as "already there". */
export const CONTAINER_TYPE_ROUTE_CODES: Os1Spelling = {
  CONTAINER_TYPE_NOT_FOUND: '100920043304',
  CONTAINER_TYPE_EXISTS: '100920021050',
};

/** Every code a use case of this service can answer with. */
export type DomainErrorCode = BatchErrorCode | ContainerErrorCode;

/**
 * The catalog code each domain code is answered with. The batch domain knows its targets only as
 * "target types": here they are container types.
 */
export const CATALOG_CODE_OF: Record<DomainErrorCode, ErrorCode> = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  INVALID_BATCH_ID: 'INVALID_BATCH_ID',
  BATCH_NOT_FOUND: 'BATCH_NOT_FOUND',
  BATCH_NOT_CANCELLABLE: 'BATCH_NOT_CANCELLABLE',
  BATCH_NOT_FINISHED: 'BATCH_NOT_FINISHED',
  NOTHING_TO_RETRY: 'NOTHING_TO_RETRY',
  TARGET_TYPE_NOT_FOUND: 'CONTAINER_TYPE_NOT_FOUND',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  INVALID_FILE: 'INVALID_FILE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  CONTAINER_TYPE_EXISTS: 'CONTAINER_TYPE_EXISTS',
  CONTAINER_TYPE_NOT_FOUND: 'CONTAINER_TYPE_NOT_FOUND',
  CONTAINER_NOT_FOUND: 'CONTAINER_NOT_FOUND',
};
