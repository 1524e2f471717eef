// A streaming CSV reader (RFC 4180): UTF-8 (a BOM is dropped), comma-separated, double-quoted
// cells that may hold commas, quotes ("") and line breaks, LF or CRLF line ends. It reads chunks
// as they arrive and keeps only the record in hand, so memory does not grow with the file. Each
// record comes with the line it starts on; blank lines are skipped but counted, and a final line
// break adds no record. Bytes that are not UTF-8, a NUL, a record over the size or cell caps, or a
// quoted cell that never closes make the file unreadable; the caps are checked as the record
// grows, so a giant line is refused without being held whole. A quote inside an unquoted cell, or
// text after a closing quote, is kept as it is.
//
// Spreadsheets in many locales export files separated by ';'. The separator is read off the
// header line (docs/api.md, "Submitting CSV files"): ';' when the header holds at least one ';'
// and no ',' outside quotes, else ','. Until that line is complete its text waits (within the
// header's cap); a ',' outside quotes settles it at once.
//
// Cells are written and read back for spreadsheets (contract §13): the writer puts a ' before a
// cell a spreadsheet would run as a formula, and the reader takes one such ' off again, so that a
// file this service wrote uploads back to the values it came from.
import { asPlainText } from '@container-service/batch-domain';
import type { FileProblem, FileRecord } from '@container-service/batch-domain';
import { SeparatorSniffer } from './csv-separator';

/** What one record may hold before the file is refused (docs/api.md, "Submitting CSV files"). */
export interface CsvLimits {
  /** Characters of any record, line breaks inside quoted cells included. */
  readonly recordChars: number;
  /** Characters of the first record, the header: it is kept for the whole upload and stored with the batch. */
  readonly headerChars: number;
  /** Cells of any record. */
  readonly cells: number;
}

export const DEFAULT_CSV_LIMITS: CsvLimits = { recordChars: 1024 * 1024, headerChars: 64 * 1024, cells: 1024 };

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const APOSTROPHE = 0x27;

/** A cell a spreadsheet would run as a formula, or one that already carries the ' that guards one. */
const FORMULA_START = /^'*[=+\-@\t\r]/;
/** A cell written by spreadsheetCell: the first ' is the guard. */
const GUARDED_FORMULA = /^'+[=+\-@\t\r]/;

/** A cell as written for spreadsheets: a ' before one that starts with =, +, -, @, TAB or CR (or with 's and then one). */
export function spreadsheetCell(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** The value a spreadsheetCell came from: one leading ' dropped, only when 's and then =, +, -, @, TAB or CR follow. */
export function unguardedCell(cell: string): string {
  return cell.charCodeAt(0) === APOSTROPHE && GUARDED_FORMULA.test(cell) ? cell.slice(1) : cell;
}

const unreadable = (message: string): FileProblem => ({ problem: 'INVALID_FILE', message });

/** The push parser behind readCsvRecords: feed it text, take the records it completes. */
export class CsvParser {
  private cells: string[] = [];
  private cell = '';
  private inQuotes = false;
  /** Inside a quoted cell the last character was a quote: it closes the cell, or escapes a quote. */
  private afterQuote = false;
  private prevCR = false;
  private sawQuote = false;
  private recordChars = 0;
  private line = 1;
  private recordLine = 1;
  private sawHeader = false;
  private problem: FileProblem | null = null;
  private readonly limits: CsvLimits;
  /** The cell separator, once the header line has shown it; null before. */
  private separator: number | null = null;
  private readonly sniff = new SeparatorSniffer();

  constructor(limits: Partial<CsvLimits> = {}) {
    this.limits = { ...DEFAULT_CSV_LIMITS, ...limits };
  }

  /** Reads `text`, adding each record it completes to `out`; a problem stops the reading for good. */
  push(text: string, out: FileRecord[]): FileProblem | null {
    if (this.problem) return this.problem;
    if (this.separator === null) {
      const found = this.sniff.read(text, Math.min(this.limits.headerChars, this.limits.recordChars), this.limits.cells);
      if (found === null) return null;
      this.separator = found;
      return this.parse(this.sniff.take(), out);
    }
    return this.parse(text, out);
  }

  private parse(text: string, out: FileRecord[]): FileProblem | null {
    const separator = this.separator ?? COMMA;
    const n = text.length;
    let from = 0;
    let recordFrom = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      const prevWasCR = this.prevCR;
      this.prevCR = c === CR;
      if (c === NUL) return this.fail(`line ${this.line} holds a NUL character: this is not a text file`);
      if (this.inQuotes) {
        if (this.afterQuote) {
          this.afterQuote = false;
          if (c === QUOTE) continue; // "" is one quote: this one stays in the cell text
          this.inQuotes = false; // the quote closed the cell; read c as outside quotes
        } else {
          if (c === QUOTE) {
            this.cell += text.slice(from, i);
            from = i + 1;
            this.afterQuote = true;
          } else if (c === CR || (c === LF && !prevWasCR)) {
            this.line++;
          }
          continue;
        }
      }
      if (c === separator) {
        // A cell follows every separator: past the cap, the record has too many whatever comes next.
        if (this.cells.length + 1 >= this.limits.cells) return this.tooManyCells();
        this.cell += text.slice(from, i);
        this.cells.push(unguardedCell(this.cell));
        this.cell = '';
        from = i + 1;
      } else if (c === CR || c === LF) {
        if (c === LF && prevWasCR) {
          from = i + 1; // the LF of a CRLF whose CR already ended the record
          recordFrom = from;
          continue;
        }
        if (this.recordChars + (i - recordFrom) > this.maxChars()) return this.tooLong();
        this.cell += text.slice(from, i);
        this.endRecord(out);
        this.line++;
        this.recordLine = this.line;
        from = i + 1;
        recordFrom = from;
      } else if (c === QUOTE && from === i && this.cell.length === 0) {
        this.inQuotes = true;
        this.sawQuote = true;
        from = i + 1;
      }
    }
    this.cell += text.slice(from, n);
    this.recordChars += n - recordFrom;
    return this.recordChars > this.maxChars() ? this.tooLong() : null;
  }

  /** Ends the input, adding the last record when the file does not end in a line break. */
  end(out: FileRecord[]): FileProblem | null {
    if (this.problem) return this.problem;
    if (this.separator === null) {
      this.separator = this.sniff.settle();
      const problem = this.parse(this.sniff.take(), out);
      if (problem) return problem;
    }
    if (this.inQuotes && !this.afterQuote) return this.fail(`the quoted cell starting on line ${this.recordLine} is never closed`);
    this.endRecord(out);
    return null;
  }

  private maxChars(): number {
    return this.sawHeader ? this.limits.recordChars : Math.min(this.limits.headerChars, this.limits.recordChars);
  }

  private tooLong(): FileProblem {
    const what = this.sawHeader ? `the record starting on line ${this.recordLine}` : 'the header line';
    return this.fail(`${what} is longer than ${this.maxChars()} characters`);
  }

  private tooManyCells(): FileProblem {
    const what = this.sawHeader ? `the record starting on line ${this.recordLine}` : 'the header line';
    return this.fail(`${what} has more than ${this.limits.cells} cells`);
  }

  private endRecord(out: FileRecord[]): void {
    if (this.cells.length > 0 || this.cell.length > 0 || this.sawQuote) {
      this.cells.push(unguardedCell(this.cell));
      out.push({ line: this.recordLine, cells: this.cells });
      this.sawHeader = true;
    }
    this.cells = [];
    this.cell = '';
    this.sawQuote = false;
    this.inQuotes = false;
    this.afterQuote = false;
    this.recordChars = 0;
  }

  private fail(message: string): FileProblem {
    this.problem = unreadable(message);
    return this.problem;
  }
}

/**
 * Reads records from a byte stream as it arrives. The stream is not destroyed when the reader
 * stops early, so the caller can still drain it.
 */
export async function* readCsvRecords(chunks: AsyncIterable<Uint8Array>, limits: Partial<CsvLimits> = {}): AsyncGenerator<FileRecord | FileProblem> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parser = new CsvParser(limits);
  const out: FileRecord[] = [];
  const notText: FileProblem = unreadable('the file is not UTF-8 text');
  for await (const chunk of chunks) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      yield notText;
      return;
    }
    const problem = parser.push(text, out);
    yield* out;
    out.length = 0;
    if (problem) {
      yield problem;
      return;
    }
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    yield notText;
    return;
  }
  const problem = parser.push(rest, out) ?? parser.end(out);
  yield* out;
  if (problem) yield problem;
}

/**
 * One CSV line (CRLF-terminated) for spreadsheets: each cell made plain text (a NUL, which no CSV
 * file may hold and an upload refuses, becomes U+FFFD, as a lone surrogate does in UTF-8), guarded
 * by spreadsheetCell, then quoted when it holds a comma, quote or line break.
 */
export function csvLine(cells: readonly string[]): string {
  let line = '';
  for (const [i, raw] of cells.entries()) {
    const cell = spreadsheetCell(asPlainText(raw));
    if (i > 0) line += ',';
    line += /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
  }
  return `${line}\r\n`;
}
