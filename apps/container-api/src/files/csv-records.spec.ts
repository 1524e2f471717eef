import type { FileProblem, FileRecord } from '@container-service/batch-domain';
import { CsvParser, csvLine, readCsvRecords } from './csv-records';

async function readAll(chunks: Array<string | Uint8Array>, maxRecordChars?: number): Promise<Array<FileRecord | FileProblem>> {
  const source = (async function* () {
    for (const chunk of chunks) yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
  })();
  const all: Array<FileRecord | FileProblem> = [];
  for await (const entry of readCsvRecords(source, maxRecordChars)) all.push(entry);
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
    const all = await readAll(['h\n', `"${'x'.repeat(50)}`, `${'y'.repeat(50)}"\n`], 64);
    expect(all[all.length - 1]).toEqual({ problem: 'INVALID_FILE', message: 'the record starting on line 2 is longer than 64 characters' });
  });
});

describe('csvLine', () => {
  it('quotes only the cells that need it, and reads back the same', async () => {
    const cells = ['plain', 'a,b', 'say "hi"', 'two\nlines', ''];
    const line = csvLine(cells);
    expect(line).toBe('plain,"a,b","say ""hi""","two\nlines",\r\n');
    expect(await readAll([line])).toEqual([{ line: 1, cells }]);
  });
});
