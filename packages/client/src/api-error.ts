// The two ways a call can fail: the service answered with an error envelope (ApiError, carrying
// its stable `code`), or no answer came at all (ConnectionError). Callers branch on the class and
// the code, never on message text.
import type { components } from './generated/openapi';
import type { ErrorCode } from './types';

/** The `error` member of the service's error envelope (contract §2). */
export type ErrorBody = components['schemas']['ErrorDto'];

/**
 * The codes of the document, still open to any other string: a service newer than this client may
 * answer a code it does not know, and an answer without an envelope is named `HTTP_<status>`.
 * `(string & {})` keeps the known codes offered by completion and checked in comparisons.
 */
export type ApiErrorCode = ErrorCode | (string & {});

/** The service answered with a non-2xx status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    /** The envelope's `error.code` (`BATCH_NOT_FOUND`, `100920043304`, …), or `HTTP_<status>` for an answer without an envelope. */
    readonly code: ApiErrorCode,
    readonly description: string,
    /** `errorName`, `violations`, `header`… as the service sent them (unchecked: a newer service may send more); `{}` without an envelope. */
    readonly additionalInfo: Readonly<Record<string, unknown>>,
    /** The `X-COREOS-REQUEST-ID` the call was sent with, to find it in the service's logs. */
    readonly requestId: string | null,
  ) {
    super(`${String(status)} ${code}: ${description}`);
  }

  /** Builds the error from whatever body came back: the envelope when there is one. */
  static fromAnswer(status: number, body: unknown, requestId: string | null): ApiError {
    const error = isRecord(body) && isRecord(body.error) ? body.error : null;
    if (error !== null && typeof error.code === 'string') {
      const description = typeof error.description === 'string' ? error.description : '';
      const additionalInfo = isRecord(error.additionalInfo) ? error.additionalInfo : {};
      return new ApiError(status, error.code, description, additionalInfo, requestId);
    }
    const text = typeof body === 'string' && body.length > 0 ? body.slice(0, 200) : 'the answer carried no error envelope';
    return new ApiError(status, `HTTP_${String(status)}`, text, {}, requestId);
  }
}

/** No HTTP answer: refused connection, unknown host, reset, or an aborted call. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';

  constructor(
    readonly url: string,
    /** The system error code when there is one (`ECONNREFUSED`, `ENOTFOUND`, …). */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach ${url}: ${reason}`, options);
  }

  static from(url: string, error: unknown): ConnectionError {
    return new ConnectionError(url, systemCode(error), { cause: error });
  }
}

/** fetch() reports a refused connection as `TypeError: fetch failed` with the system error as its cause. */
function systemCode(error: unknown): string {
  // Duck-typed: errors made in another realm (a test sandbox) are not `instanceof Error` here.
  // Without a code, the innermost message says most (`fetch failed` wraps `bad port`).
  let current: unknown = error;
  let message = String(error);
  for (let depth = 0; depth < 4 && isRecord(current); depth++) {
    if (typeof current.code === 'string' && current.code.length > 0) return current.code;
    if (current.name === 'AbortError') return 'aborted';
    if (typeof current.message === 'string' && current.message !== '') message = current.message;
    current = current.cause;
  }
  return message;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
