// Reading the service's answers in e2e tests: the status and the envelope checked in one call,
// the envelope's `data` typed as the test expects it. A wrong answer fails with the status, the
// error code and the answer's text, not with "cannot read properties of undefined".
import type { RawAnswer } from './raw-http';
import type { TestResponse } from './test-app';

/** What the helpers read of an answer; both test clients' answers have it. */
export type Answer = Pick<TestResponse | RawAnswer, 'status' | 'body' | 'text'>;

/** The error envelope's `error`, as the contract writes it. */
export interface EnvelopeError {
  readonly code: string;
  readonly message: string;
  readonly additionalInfo?: Record<string, unknown>;
}

/** A 202's `data`: the batch (or container type) taken. */
interface Accepted {
  readonly id: string;
}

function shown(response: Answer): string {
  const code = (response.body as { error?: { code?: unknown } } | undefined)?.error?.code;
  const text = response.text.length > 1000 ? `${response.text.slice(0, 1000)}…` : response.text;
  return `${response.status}${typeof code === 'string' ? ` ${code}` : ''}: ${text}`;
}

/** Fails unless the answer has `status`, showing the answer. */
export function expectStatus(response: Answer, status: number): void {
  if (response.status !== status) throw new Error(`expected an answer with status ${status}, got ${shown(response)}`);
}

/** The `data` of an answer with `status` (200 by default), typed as the caller says. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape it reads; this is the one cast
export function dataOf<T>(response: Answer, status = 200): T {
  expectStatus(response, status);
  return (response.body as { data: T }).data;
}

/** The id of a 202 answer (a batch or container type taken). */
export function acceptedId(response: Answer): string {
  return dataOf<Accepted>(response, 202).id;
}

/** Fails unless the answer is an error envelope with `status` and `code`; the error, for more checks. */
export function expectEnvelopeError(response: Answer, status: number, code: string): EnvelopeError {
  const error = (response.body as { error?: EnvelopeError } | undefined)?.error;
  if (response.status !== status || error?.code !== code) throw new Error(`expected an error answer ${status} ${code}, got ${shown(response)}`);
  return error;
}
