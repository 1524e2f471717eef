// Reading `Result` values in tests: the value of a success, the error of a failure, or a failure
// that says what came instead (the error's code and message, or the value), where
// `expect(result.ok && result.value.x)` would only report `false`.
import { Result } from '../result';

type CodeOf<E> = E extends { readonly code: infer C extends string } ? C : never;

function shown(value: unknown): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- typed string, but undefined for undefined and functions
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
  } catch {
    return String(value);
  }
}

/** The value of a successful result; fails with the error when it is not one. */
export function expectOk<T, E>(result: Result<T, E>): T {
  if (!result.ok) throw new Error(`expected a successful result, got the error ${shown(result.error)}`);
  return result.value;
}

/** The error of a failed result, with `code` when one is given; fails with the value or the other error. */
export function expectErr<T, E>(result: Result<T, E>, code?: CodeOf<E>): E {
  if (result.ok) throw new Error(`expected a failed result${code === undefined ? '' : ` with code ${code}`}, got the value ${shown(result.value)}`);
  const actual = (result.error as { code?: unknown } | null)?.code;
  if (code !== undefined && actual !== code) throw new Error(`expected a failed result with code ${code}, got the error ${shown(result.error)}`);
  return result.error;
}
