// An error on its way to the client: a catalog code, a sentence, and additional information.
import { DomainError } from '@container-service/batch-domain';
import { ErrorCode, HTTP_STATUS_OF, isErrorCode } from './error-codes';

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly description: string,
    readonly additionalInfo: Record<string, unknown> = {},
  ) {
    super(description);
  }

  get status(): number {
    return HTTP_STATUS_OF[this.code];
  }

  /** Wraps an expected failure from a use case; a code outside the catalog is a bug. */
  static fromDomain(error: DomainError): ApiError {
    if (!isErrorCode(error.code)) throw new Error(`Domain error code ${error.code} has no HTTP mapping`);
    return new ApiError(error.code, error.message, error.violations ? { violations: error.violations } : {});
  }
}

/** Returns the value of a use case's result, or throws its error for the global filter to render. */
export function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: DomainError }): T {
  if (!result.ok) throw ApiError.fromDomain(result.error);
  return result.value;
}
