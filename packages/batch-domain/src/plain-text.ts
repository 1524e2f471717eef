// Text that is stored as its own column and read back exactly, on every store: well-formed
// Unicode (a lone surrogate, which JSON allows as an escape, is stored by SQLite as bytes that
// read back as U+FFFD, and replaced by U+FFFD on PostgreSQL, so two different references could
// come back the same) and no NUL (which CSV files refuse, so a failed-rows export holding one
// could not be uploaded again).

/** Whether `value` is well-formed Unicode without a NUL character. */
export function isPlainText(value: string): boolean {
  // An ES2024 method, in Node 20 (the project's TypeScript library is older).
  return (value as string & { isWellFormed(): boolean }).isWellFormed() && !value.includes('\u0000');
}

/** Why text is refused when `isPlainText` is false. */
export const NOT_PLAIN_TEXT = 'must be well-formed Unicode text without NUL characters';

/**
 * `value` made plain text: each lone surrogate and each NUL becomes U+FFFD. For text the service
 * writes itself but that may quote what it was given (a failure's reason naming an attribute, a
 * pattern), so that every store keeps it as it is and answers it alike.
 */
export function asPlainText(value: string): string {
  if (isPlainText(value)) return value;
  return (value as string & { toWellFormed(): string }).toWellFormed().replaceAll('\u0000', '\uFFFD');
}

/** The first `max` UTF-16 code units of `value`, one fewer where the cut would split a surrogate pair. */
export function clipText(value: string, max: number): string {
  if (value.length <= max) return value;
  const last = value.charCodeAt(max - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
