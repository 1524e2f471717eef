import type { FileProblem, FileRecord } from '@container-service/batch-domain';
import { nameRowsByLine } from './row-names';

async function named(...entries: Array<FileRecord | FileProblem>): Promise<Array<FileRecord | FileProblem>> {
  async function* source() {
    yield* entries;
  }
  const out: Array<FileRecord | FileProblem> = [];
  for await (const entry of nameRowsByLine(source())) out.push(entry);
  return out;
}
const line = (n: number, ...cells: string[]): FileRecord => ({ line: n, cells });

describe('nameRowsByLine', () => {
  it('puts a refID column first when the header has none, holding each row its line', async () => {
    expect(await named(line(1, 'scannableId', 'attributes.weight'), line(2, 'S-1', '1'), line(4, 'S-2', '2'))).toEqual([
      line(1, 'refID', 'scannableId', 'attributes.weight'),
      line(2, '2', 'S-1', '1'),
      line(4, '4', 'S-2', '2'),
    ]);
  });

  it('fills only the empty refID cells, wherever the column is (its name trimmed)', async () => {
    expect(await named(line(1, 'note', ' refID '), line(2, 'a', 'r-1'), line(3, 'b', ''), line(4, 'short'))).toEqual([
      line(1, 'note', ' refID '),
      line(2, 'a', 'r-1'),
      line(3, 'b', '3'),
      line(4, 'short'),
    ]);
  });

  it('leaves a header with an empty or repeated name as it came, to be refused with its own column numbers', async () => {
    expect(await named(line(1, 'a', ''), line(2, 'x', 'y'))).toEqual([line(1, 'a', ''), line(2, 'x', 'y')]);
    expect(await named(line(1, 'a', ' a'), line(2, 'x', 'y'))).toEqual([line(1, 'a', ' a'), line(2, 'x', 'y')]);
  });

  it('passes problems through, keeping a row with another number of cells unequal to the header', async () => {
    const problem: FileProblem = { problem: 'INVALID_FILE', message: 'broken' };
    expect(await named(line(1, 'a', 'b'), line(2, 'only'), problem)).toEqual([line(1, 'refID', 'a', 'b'), line(2, '2', 'only'), problem]);
  });
});
