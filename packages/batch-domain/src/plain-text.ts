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
