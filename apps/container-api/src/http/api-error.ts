// An error on its way to the client: a catalog code, a sentence, and additional information.
import { DomainError } from '@container-service/batch-domain';
import { ErrorCode, HTTP_STATUS_OF, HTTP_STATUS_OF_OS1, Os1ErrorCode, Os1Spelling, isErrorCode } from './error-codes';

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

  /** Wraps an expected failure from a use case; a code outside the catalog is a bug. */
  static fromDomain(error: DomainError, spelling: Os1Spelling = {}): ApiError {
    if (!isErrorCode(error.code)) throw new Error(`Domain error code ${error.code} has no HTTP mapping`);
    return new ApiError(error.code, error.message, error.violations ? { violations: error.violations } : {}, spelling[error.code] ?? null);
  }
}

/**
 * Returns the value of a use case's result, or throws its error for the global filter to render;
 * `spelling` names the errors this route answers with the original service's codes.
 */
export function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: DomainError }, spelling: Os1Spelling = {}): T {
  if (!result.ok) throw ApiError.fromDomain(result.error, spelling);
  return result.value;
}
