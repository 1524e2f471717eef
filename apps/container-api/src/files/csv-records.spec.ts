import type { FileProblem, FileRecord } from '@container-service/batch-domain';
import { CsvLimits, CsvParser, DEFAULT_CSV_LIMITS, csvLine, readCsvRecords, spreadsheetCell, unguardedCell } from './csv-records';

async function readAll(chunks: Array<string | Uint8Array>, limits?: Partial<CsvLimits>): Promise<Array<FileRecord | FileProblem>> {
  const source = (async function* () {
    for (const chunk of chunks) yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
  })();
  const all: Array<FileRecord | FileProblem> = [];
  for await (const entry of readCsvRecords(source, limits)) all.push(entry);
  return all;
}

/** Every way of cutting `text` into two chunks gives the same records. */
function parseSplitEverywhere(text: string): FileRecord[][] {
  const results: FileRecord[][] = [];
  for (let cut = 0; cut <= text.length; cut++) {
    const parser = new CsvParser();
    const out: FileRecord[] = [];
    parser.push(text.slice(0, cut), out);
    parser.push(text.slice(cut), out);
    parser.end(out);
    results.push(out);
  }
  return results;
}

describe('readCsvRecords', () => {
  it('reads quoted commas, quotes and line breaks, with the line each record starts on', async () => {
    const file = 'refID,note\r\nr-1,"a, b"\r\nr-2,"say ""hi"""\r\nr-3,"two\r\nlines"\r\nr-4,last\r\n';
    expect(await readAll([file])).toEqual([
      { line: 1, cells: ['refID', 'note'] },
      { line: 2, cells: ['r-1', 'a, b'] },
      { line: 3, cells: ['r-2', 'say "hi"'] },
      { line: 4, cells: ['r-3', 'two\r\nlines'] },
      { line: 6, cells: ['r-4', 'last'] },
    ]);
  });

  it('gives the same records however the text is cut into chunks', () => {
    const file = 'a,b\r\n"x,""y""\r\nz",2\n\n"",3\r\n4,"5"\r\n';
    const expected = [
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x,"y"\r\nz', '2'] },
      { line: 5, cells: ['', '3'] },
      { line: 6, cells: ['4', '5'] },
    ];
    for (const records of parseSplitEverywhere(file)) expect(records).toEqual(expected);
  });

  it('drops a BOM, also when it arrives split over chunks', async () => {
    const bytes = Buffer.from('\uFEFFrefID\nr-1\n', 'utf8');
    expect(await readAll([bytes.subarray(0, 2), bytes.subarray(2)])).toEqual([
      { line: 1, cells: ['refID'] },
      { line: 2, cells: ['r-1'] },
    ]);
  });

  it("reads a file whose header has a ';' and no ',' outside quotes as separated by ';'", async () => {
    const file = '\uFEFF"refID";attributes.weight;note\r\nr-1;"12,5";"a; b"\r\nr-2;3;x,y\r\n';
    expect(await readAll([file])).toEqual([
      { line: 1, cells: ['refID', 'attributes.weight', 'note'] },
      { line: 2, cells: ['r-1', '12,5', 'a; b'] },
      { line: 3, cells: ['r-2', '3', 'x,y'] },
    ]);
  });

  it("keeps ',' as the separator when the header has one outside quotes, or no ';' outside quotes", async () => {
    expect(await readAll(['refID,note;x\nr-1,a;b\n'])).toEqual([
      { line: 1, cells: ['refID', 'note;x'] },
      { line: 2, cells: ['r-1', 'a;b'] },
    ]);
    expect(await readAll(['"a;b"\n1;2\n'])).toEqual([
      { line: 1, cells: ['a;b'] },
      { line: 2, cells: ['1;2'] },
    ]);
    expect(await readAll(['refID\nr-1;x\n'])).toEqual([
      { line: 1, cells: ['refID'] },
      { line: 2, cells: ['r-1;x'] },
    ]);
  });

  it('reads the separator of a header that has no line break, or ends in quotes split over chunks', async () => {
    expect(await readAll(['a;b'])).toEqual([{ line: 1, cells: ['a', 'b'] }]);
    const file = '"x"";y";"z"\n1;2\n';
    const expected = [
      { line: 1, cells: ['x";y', 'z'] },
      { line: 2, cells: ['1', '2'] },
    ];
    for (let cut = 0; cut <= file.length; cut++) expect(await readAll([file.slice(0, cut), file.slice(cut)])).toEqual(expected);
  });

  it("holds a ';'-separated header to the same caps", async () => {
    expect(await readAll(['a;b;c;d\n1\n'], { cells: 3 })).toEqual([{ problem: 'INVALID_FILE', message: 'the header line has more than 3 cells' }]);
    expect(await readAll(['h;'.repeat(20), 'h\n'], { headerChars: 32 })).toEqual([
      { problem: 'INVALID_FILE', message: 'the header line is longer than 32 characters' },
    ]);
  });

  it('skips blank lines but counts them, and adds no record for a final line break', async () => {
    expect(await readAll(['h\n\nr-1\n\r\n\nr-2'])).toEqual([
      { line: 1, cells: ['h'] },
      { line: 3, cells: ['r-1'] },
      { line: 6, cells: ['r-2'] },
    ]);
    expect(await readAll(['h\nr-1\n'])).toHaveLength(2);
  });

  it('keeps rows of any cell count for the caller to judge', async () => {
    expect(await readAll(['a,b\n1\n1,2,3\n'])).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1'] },
      { line: 3, cells: ['1', '2', '3'] },
    ]);
  });

  it('keeps a stray quote inside an unquoted cell, and text after a closing quote', async () => {
    expect(await readAll(['a,b\n5" pipe,"x"y\n'])).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['5" pipe', 'xy'] },
    ]);
  });

  it.each([
    ['bytes that are not UTF-8', [Buffer.from([0x72, 0x65, 0x66, 0xff, 0x0a])], /not UTF-8/],
    ['a NUL character', ['refID\nr\u00001\n'], /line 2 holds a NUL/],
    ['a quoted cell that never closes', ['refID,n\nr-1,"open\n'], /starting on line 2 is never closed/],
    ['a truncated UTF-8 sequence at the end', [Buffer.from([0x61, 0x0a, 0xc3])], /not UTF-8/],
  ])('reports %s as INVALID_FILE', async (_name, chunks, message) => {
    const all = await readAll(chunks);
    const last = all[all.length - 1] as FileProblem;
    expect(last.problem).toBe('INVALID_FILE');
    expect(last.message).toMatch(message);
  });

  it('refuses a record longer than the cap', async () => {
    const all = await readAll(['h\n', `"${'x'.repeat(50)}`, `${'y'.repeat(50)}"\n`], { recordChars: 64 });
    expect(all[all.length - 1]).toEqual({ problem: 'INVALID_FILE', message: 'the record starting on line 2 is longer than 64 characters' });
  });

  it('holds the header to its own, smaller cap, and data records to theirs', async () => {
    const wide = `${'h'.repeat(40)}\n`;
    expect(await readAll([wide.slice(0, 20), wide.slice(20)], { headerChars: 32, recordChars: 64 })).toEqual([
      { problem: 'INVALID_FILE', message: 'the header line is longer than 32 characters' },
    ]);
    expect(await readAll([`h\n${'x'.repeat(40)}\n`], { headerChars: 32, recordChars: 64 })).toEqual([
      { line: 1, cells: ['h'] },
      { line: 2, cells: ['x'.repeat(40)] },
    ]);
  });

  it('refuses a record with more cells than the cap, header or row', async () => {
    expect(await readAll(['a,b,c\n1,2,3\n'], { cells: 3 })).toHaveLength(2);
    expect(await readAll(['a,b,c,d\n1\n'], { cells: 3 })).toEqual([{ problem: 'INVALID_FILE', message: 'the header line has more than 3 cells' }]);
    expect((await readAll(['a\n1\n1,2,3,4\n'], { cells: 3 })).pop()).toEqual({
      problem: 'INVALID_FILE',
      message: 'the record starting on line 3 has more than 3 cells',
    });
  });

  it('stops at the cap while a giant line streams in, without waiting for its end', async () => {
    let sent = 0;
    const endless = (piece: string) =>
      (async function* () {
        for (;;) {
          sent++;
          yield Buffer.from(piece);
        }
      })();
    const problems: Array<FileRecord | FileProblem> = [];
    for await (const entry of readCsvRecords(endless(','.repeat(64 * 1024)))) problems.push(entry);
    expect(problems).toEqual([{ problem: 'INVALID_FILE', message: `the header line has more than ${DEFAULT_CSV_LIMITS.cells} cells` }]);
    expect(sent).toBe(1);

    sent = 0;
    const quoted = (async function* () {
      yield Buffer.from('refID,note\nr-1,"');
      yield* endless('x'.repeat(64 * 1024));
    })();
    const last: Array<FileRecord | FileProblem> = [];
    for await (const entry of readCsvRecords(quoted)) last.push(entry);
    expect(last.pop()).toEqual({
      problem: 'INVALID_FILE',
      message: `the record starting on line 2 is longer than ${DEFAULT_CSV_LIMITS.recordChars} characters`,
    });
    expect(sent).toBeLessThanOrEqual(DEFAULT_CSV_LIMITS.recordChars / (64 * 1024) + 1);
  });

  it("drops the ' that guards a formula-like cell, quoted or not, and nothing else", async () => {
    const file = "h1,h2,h3\n'=1+2,'-5,\"'\r\nx\"\n'@a,'\tb,''+c\n'x,'',=raw\n";
    expect(await readAll([file])).toEqual([
      { line: 1, cells: ['h1', 'h2', 'h3'] },
      { line: 2, cells: ['=1+2', '-5', '\r\nx'] },
      { line: 4, cells: ['@a', '\tb', "'+c"] },
      { line: 5, cells: ["'x", "''", '=raw'] },
    ]);
  });
});

describe('spreadsheetCell and unguardedCell', () => {
  it.each(['=SUM(A1:A9)', '+1', '-5', '@cmd', '\tx', '\rx', "'=x", "''-x"])('guards %j and gives it back', (value) => {
    expect(spreadsheetCell(value)).toBe(`'${value}`);
    expect(unguardedCell(spreadsheetCell(value))).toBe(value);
  });

  it.each(['', 'plain', "'quoted", "''", '5-3', 'a=b', ' =x'])('leaves %j as it is', (value) => {
    expect(spreadsheetCell(value)).toBe(value);
    expect(unguardedCell(value)).toBe(value);
  });
});

describe('csvLine', () => {
  it('quotes only the cells that need it, and reads back the same', async () => {
    const cells = ['plain', 'a,b', 'say "hi"', 'two\nlines', ''];
    const line = csvLine(cells);
    expect(line).toBe('plain,"a,b","say ""hi""","two\nlines",\r\n');
    expect(await readAll([line])).toEqual([{ line: 1, cells }]);
  });

  it('writes a NUL or a lone surrogate as U+FFFD, so that the file can be uploaded again', async () => {
    const line = csvLine(['attributes.w\u0000', 'half \ud83d', 'pair \u{1F600}']);
    expect(line).toBe('attributes.w\uFFFD,half \uFFFD,pair \u{1F600}\r\n');
    expect(await readAll([line])).toEqual([{ line: 1, cells: ['attributes.w\uFFFD', 'half \uFFFD', 'pair \u{1F600}'] }]);
  });

  it('guards cells a spreadsheet would run, and reads back the same', async () => {
    const cells = ['=HYPERLINK("x")', '-5', '+1', '@a', '\tb', '\rc', "'=d", 'ok'];
    const line = csvLine(cells);
    expect(line).toBe(`"'=HYPERLINK(""x"")",'-5,'+1,'@a,'\tb,"'\rc",''=d,ok\r\n`);
    expect(await readAll([line])).toEqual([{ line: 1, cells }]);
  });
});
