// Every code the batch domain answers an expected failure with. An app maps each one to its own
// protocol in one place (a Record over this union), so that a new code does not compile until
// the app says how to answer it. Messages say what is wrong in the domain's words; the protocol's
// words (headers, parameters, envelope fields) are the app's to add.
import { DomainError } from './result';

export type BatchErrorCode =
  | 'UNAUTHORIZED'
  | 'VALIDATION_FAILED'
  | 'INVALID_BATCH_ID'
  | 'BATCH_NOT_FOUND'
  | 'BATCH_NOT_CANCELLABLE'
  | 'BATCH_NOT_FINISHED'
  | 'NOTHING_TO_RETRY'
  /** The tenant has no target type of the name given (the target domain's own code is the app's to choose). */
  | 'TARGET_TYPE_NOT_FOUND'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INVALID_FILE'
  | 'PAYLOAD_TOO_LARGE';

/** An expected failure of the batch domain, narrowed to the codes a use case can answer. */
export type BatchError<C extends BatchErrorCode = BatchErrorCode> = DomainError<C>;
