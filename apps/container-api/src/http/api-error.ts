// An error on its way to the client: a catalog code, a sentence, and additional information.
import { DomainError, Result } from '@container-service/batch-domain';
import { CATALOG_CODE_OF, DomainErrorCode, ErrorCode, HTTP_STATUS_OF, HTTP_STATUS_OF_OS1, Os1ErrorCode, Os1Spelling } from './error-codes';

export class ApiError extends Error {
  constructor(
    /** The catalog name, shown as `additionalInfo.errorName` (and as `error.code` unless an OS1 code stands in). */
    readonly code: ErrorCode,
    readonly description: string,
    readonly additionalInfo: Record<string, unknown> = {},
    /** The original service's code for this error on this route, when it has one (§2). */
    readonly os1Code: Os1ErrorCode | null = null,
  ) {
    super(description);
  }

  get status(): number {
    return this.os1Code === null ? HTTP_STATUS_OF[this.code] : HTTP_STATUS_OF_OS1[this.os1Code];
  }

  /** What clients read in `error.code`. */
  get wireCode(): string {
    return this.os1Code ?? this.code;
  }

  /** Wraps an expected failure from a use case in the catalog's code, with the protocol's words added. */
  static fromDomain(error: DomainError<DomainErrorCode>, spelling: Os1Spelling = {}): ApiError {
    const code = CATALOG_CODE_OF[error.code];
    return new ApiError(code, describe(error), error.violations ? { violations: error.violations } : {}, spelling[code] ?? null);
  }
}

/**
 * A domain's sentence with what only the protocol knows: how a batch id is passed, and where the
 * rules a request breaks are listed.
 */
function describe(error: DomainError<DomainErrorCode>): string {
  if (error.code === 'INVALID_BATCH_ID') return 'The batchId query parameter is required, as batch:<uuid>.';
  if (error.code === 'VALIDATION_FAILED' && error.violations) return `${error.message} Each broken rule is listed in additionalInfo.violations.`;
  return error.message;
}

/**
 * Returns the value of a use case's result, or throws its error for the global filter to render;
 * `spelling` names the errors this route answers with the original service's codes.
 */
export function unwrap<T>(result: Result<T, DomainError<DomainErrorCode>>, spelling: Os1Spelling = {}): T {
  if (!result.ok) throw ApiError.fromDomain(result.error, spelling);
  return result.value;
}
