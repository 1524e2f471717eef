// Small ports every use case may need: time, ids, and who is calling.
import { Result } from './result';
import { BatchError } from './batch-errors';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface IdGenerator {
  /** A fresh uuid, lower case, unique; the service's are time-ordered (version 7), fakes may count. */
  uuid(): string;
}

/** The caller behind a verified access token. */
export interface Principal {
  readonly tenantId: string;
  readonly subject: string | null;
}

/**
 * Verifies an access token for a tenant. Every use case calls it first, so that any entry point
 * (HTTP, a queue consumer, a CLI) gets the same checks.
 */
export interface AccessVerifier {
  verify(token: string | undefined, tenantId: string): Promise<Result<Principal, BatchError<'UNAUTHORIZED'>>>;
}
