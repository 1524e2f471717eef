// Which character separates the cells of an uploaded CSV file, read off its header line
// (docs/api.md, "Files from spreadsheets"): ';' when the header holds at least one ';' and no ','
// outside quotes, as spreadsheets in many locales export; else ','. The CSV reader holds the
// header's text back until this says which, within the header's caps.

const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Watches the text of the header line for the separator: a ',' outside quotes means ',' at once;
 * the end of the line (outside quotes), the end of the file, or the header's caps mean ';' when
 * one was seen outside quotes, else ','. A quote opens a quoted cell only at the start of a cell,
 * as in the parser; either separator starts a cell here, since which one counts is not known yet.
 */
export class SeparatorSniffer {
  private text = '';
  private scanned = 0;
  private inQuotes = false;
  /** Inside quotes the last character was a quote: it closes the cell, or escapes a quote. */
  private afterQuote = false;
  private cellStart = true;
  private semicolons = 0;

  /** Takes more text; the separator once it is known, else null (the text is kept). */
  read(text: string, maxChars: number, maxCells: number): number | null {
    this.text += text;
    for (; this.scanned < this.text.length; this.scanned++) {
      const c = this.text.charCodeAt(this.scanned);
      if (this.inQuotes) {
        if (this.afterQuote) {
          this.afterQuote = false;
          if (c === QUOTE) continue;
          this.inQuotes = false;
          this.cellStart = false;
        } else {
          if (c === QUOTE) this.afterQuote = true;
          continue;
        }
      }
      if (c === COMMA) return COMMA;
      if (c === LF || c === CR) return this.settle();
      if (c === SEMICOLON) {
        this.semicolons++;
        this.cellStart = true;
      } else {
        if (c === QUOTE && this.cellStart) this.inQuotes = true;
        this.cellStart = false;
      }
    }
    // Past the header's caps the parser refuses the line: settle now so that it does.
    return this.text.length > maxChars || this.semicolons + 1 >= maxCells ? this.settle() : null;
  }

  /** The separator when nothing more of the header line will come. */
  settle(): number {
    return this.semicolons > 0 ? SEMICOLON : COMMA;
  }

  /** The text held so far, given up to the parser. */
  take(): string {
    const text = this.text;
    this.text = '';
    return text;
  }
}
