// Expected failures travel as values; exceptions are kept for bugs and broken infrastructure.

export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** One broken rule, located by a path such as `payload[3].trackingDetails[0].operator`. */
export interface Violation {
  readonly path: string;
  readonly message: string;
}

/** An expected failure: a stable machine code, a sentence a person can act on, and optional violations. */
export interface DomainError<C extends string> {
  readonly code: C;
  readonly message: string;
  readonly violations?: readonly Violation[];
}

export const domainError = <C extends string>(code: C, message: string, violations?: readonly Violation[]): DomainError<C> =>
  violations === undefined ? { code, message } : { code, message, violations };
