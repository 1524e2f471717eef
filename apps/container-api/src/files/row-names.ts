// Names the rows of a create file that come without a refID (contract §4, §4.3): a file with no
// refID column, or a row whose refID cell is empty, is named by its line number (the header is
// line 1). Done on the records as they stream from the file reader, before the batch domain sees
// them, so the domain keeps its one rule (every row has a reference, unique in the file) and a
// repeat of a given refID and an assigned name is caught where every repeat is. The name is
// written into the row's cells (a refID column is put first when the file has none), so the
// stored row, the container's refID, results and the failed-rows CSV all carry it: that CSV,
// uploaded again, keeps the names.
import type { FileProblem, FileRecord } from '@container-service/batch-domain';

const ROW_REFERENCE_COLUMN = 'refID';

/** Where the reference column is: `fill` its empty cells, `prepend` one, or `none` (a header the batch domain will refuse). */
type Plan = { kind: 'fill'; index: number } | { kind: 'prepend' } | { kind: 'none' };

function planFor(header: readonly string[]): Plan {
  const names = header.map((cell) => cell.trim());
  // A header with an empty or repeated name is refused as it came, with its own column numbers.
  if (names.some((name) => name === '') || new Set(names).size !== names.length) return { kind: 'none' };
  const index = names.indexOf(ROW_REFERENCE_COLUMN);
  return index >= 0 ? { kind: 'fill', index } : { kind: 'prepend' };
}

function named(record: FileRecord, plan: Plan): FileRecord {
  const name = String(record.line);
  if (plan.kind === 'prepend') return { line: record.line, cells: [name, ...record.cells] };
  if (plan.kind === 'fill' && record.cells[plan.index] === '') {
    const cells = [...record.cells];
    cells[plan.index] = name;
    return { line: record.line, cells };
  }
  return record;
}

/** The records of a create file, every row named. */
export async function* nameRowsByLine(records: AsyncIterable<FileRecord | FileProblem>): AsyncGenerator<FileRecord | FileProblem> {
  let plan: Plan | null = null;
  for await (const entry of records) {
    if ('problem' in entry) {
      yield entry;
      continue;
    }
    if (plan === null) {
      plan = planFor(entry.cells);
      yield plan.kind === 'prepend' ? { line: entry.line, cells: [ROW_REFERENCE_COLUMN, ...entry.cells] } : entry;
      continue;
    }
    yield named(entry, plan);
  }
}
