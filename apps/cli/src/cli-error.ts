// What ends a command and how: exit codes (0 all succeeded, 2 some items failed, 1 an error)
// and the one line on stderr that says why, for every kind of failure.
import { ApiError, ConnectionError } from '@container-service/client';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_ITEMS_FAILED = 2;

/** Bad input on the command line or in a file: said as is, exit 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** The line for stderr (without the program name) for anything a command threw. */
export function describeFailure(error: unknown): string {
  if (error instanceof CliError || error instanceof ConnectionError) return error.message;
  if (error instanceof ApiError) {
    const violations = error.additionalInfo.violations;
    const details = Array.isArray(violations)
      ? violations
          .slice(0, 3)
          .map((v: unknown) =>
            typeof v === 'object' && v !== null ? `${String((v as { path?: unknown }).path)}: ${String((v as { message?: unknown }).message)}` : '',
          )
          .filter((text) => text !== '' && !error.description.includes(text.slice(text.indexOf(': ') + 2)))
      : [];
    const named =
      error.code === error.additionalInfo.errorName || typeof error.additionalInfo.errorName !== 'string'
        ? error.code
        : `${error.code} ${error.additionalInfo.errorName}`;
    return `${named} (HTTP ${String(error.status)}): ${[error.description, ...details].filter((t) => t !== '').join('; ')}`;
  }
  if (error instanceof SyntaxError) return `not valid JSON: ${error.message}`;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return (error as Error).message;
  return error instanceof Error ? error.message : String(error);
}
