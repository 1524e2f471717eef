// Paging as every listing takes it, read in one place: a `limit` (absent or empty: the listing's
// default) and a `cursor` this service gave out (absent or empty: the first page). A cursor is
// base64url text naming a position; each listing says what its positions look like.
import { Violation } from './result';

export interface PageLimit {
  readonly default: number;
  readonly max: number;
}

/** How one listing writes its positions into cursors and reads them back. */
export interface CursorFormat<P> {
  /** The longest cursor this listing gives out, in characters. */
  readonly maxLength: number;
  /** The position a cursor's text names, or null when the text is not one this listing wrote. */
  read(text: string): P | null;
}

export interface PageRequest<P> {
  readonly limit: number;
  /** Where the page starts after; undefined for the first page. */
  readonly after: P | undefined;
}

export type PageParse<P> = { readonly ok: true; readonly page: PageRequest<P> } | { readonly ok: false; readonly violations: readonly Violation[] };

/** Reads `limit` and `cursor` as a client gave them; every broken rule is a violation named after its option. */
export function parsePage<P>(input: { readonly limit?: unknown; readonly cursor?: unknown }, limits: PageLimit, cursors: CursorFormat<P>): PageParse<P> {
  const limit = parseLimit(input.limit, limits);
  const after = parseCursor(input.cursor, cursors);
  const violations: Violation[] = [];
  if (limit === null) violations.push({ path: 'limit', message: `must be an integer from 1 to ${limits.max}` });
  if (after === null) violations.push({ path: 'cursor', message: 'is not a cursor this service gave out' });
  return limit === null || after === null ? { ok: false, violations } : { ok: true, page: { limit, after } };
}

/** A cursor for `text`, which the listing's CursorFormat reads back. */
export const encodeCursor = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

function parseLimit(raw: unknown, limits: PageLimit): number | null {
  if (raw === undefined || raw === '') return limits.default;
  // One digit more than the maximum has: a leading zero is tolerated, a runaway number is not parsed.
  const digits = String(limits.max).length + 1;
  if (typeof raw !== 'string' || raw.length > digits || !/^\d+$/.test(raw)) return null;
  const limit = Number(raw);
  return limit >= 1 && limit <= limits.max ? limit : null;
}

/** The position after which the page starts; undefined for none; null for a cursor that is not ours. */
function parseCursor<P>(raw: unknown, cursors: CursorFormat<P>): P | undefined | null {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > cursors.maxLength || !/^[A-Za-z0-9_-]+$/.test(raw)) return null;
  return cursors.read(Buffer.from(raw, 'base64url').toString('utf8'));
}
