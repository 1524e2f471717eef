// How the batch routes read and write the target's CSV files, given to the batch controllers once
// (BATCH_FILE_CODEC in batches.module.ts), so that the controllers hold no container rules: which
// rows of an upload are named by line, and how a JSON batch's items become rows of a file.
import type { BatchOperation, FileProblem, FileRecord } from '@container-service/batch-domain';
import { FAILED_ROW_COLUMNS, attributeNamesOf, fileColumnsFor, writeFileRow } from '@container-service/container-domain';
import { csvLine } from '../files/csv-records';
import { nameRowsByLine } from '../files/row-names';

/** What the failed-rows file adds to each row: its line in the uploaded file, why it failed, the code. */
export type FailureColumn = 'row' | 'reason' | 'code';

export interface BatchFileCodec {
  /** An uploaded file's records as the batch domain takes them for `operation`. */
  records(operation: BatchOperation, records: AsyncIterable<FileRecord | FileProblem>): AsyncIterable<FileRecord | FileProblem>;
  /** One CSV line; cells a spreadsheet would run as formulas are guarded (the upload reader takes the guard off). */
  line(cells: readonly string[]): string;
  /** The columns of a file holding these JSON items: every attribute any of them carries. */
  columnsFor(operation: BatchOperation, inputs: readonly unknown[]): readonly string[];
  /** A JSON item as a row under `columns`. */
  row(operation: BatchOperation, columns: readonly string[], input: unknown): readonly string[];
  /** The columns the failed-rows file adds after the input columns, in order; an upload of the file ignores them. */
  readonly failureColumns: readonly FailureColumn[];
}

/** Container files (contract §4.3): a create file's rows without a refID are named by their line. */
export const containerFileCodec: BatchFileCodec = {
  records: (operation, records) => (operation === 'create' ? nameRowsByLine(records) : records),
  line: csvLine,
  columnsFor: (operation, inputs) => fileColumnsFor(operation, [...new Set(inputs.flatMap((input) => attributeNamesOf(operation, input)))]),
  row: writeFileRow,
  failureColumns: FAILED_ROW_COLUMNS,
};
