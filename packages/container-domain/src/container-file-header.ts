// The header rules of container files (contract §4.3, §13). A file batch keeps its header with
// the batch and reads it for every row it processes, so its size is bounded here: the known
// columns of the operation, at most 256 attribute columns, and a few columns the service does not
// read (a failed-rows file brings `reason` and `code` back, and people add notes). Names are
// already trimmed, none empty or repeated (SubmitBatchFile checks that for every kind of batch).
import { ATTRIBUTE_COLUMN_PREFIX, CREATE_COLUMNS, UPDATE_COLUMNS } from './container-file-row';

export const MAX_ATTRIBUTE_COLUMNS = 256;
export const MAX_UNREAD_COLUMNS = 32;

/** Why a container file with these header names cannot be taken, or null when it can. */
export function containerFileHeaderProblem(operation: 'create' | 'update', columns: readonly string[]): string | null {
  const known: readonly string[] = operation === 'create' ? CREATE_COLUMNS : UPDATE_COLUMNS;
  let attributes = 0;
  let unread = 0;
  for (const column of columns) {
    if (column.startsWith(ATTRIBUTE_COLUMN_PREFIX)) {
      if (column.length === ATTRIBUTE_COLUMN_PREFIX.length) return `the column '${column}' names no attribute`;
      attributes++;
    } else if (!known.includes(column)) {
      unread++;
    }
  }
  if (attributes > MAX_ATTRIBUTE_COLUMNS)
    return `the header has ${attributes} ${ATTRIBUTE_COLUMN_PREFIX}* columns; at most ${MAX_ATTRIBUTE_COLUMNS} are allowed`;
  if (unread > MAX_UNREAD_COLUMNS) return `the header has ${unread} columns that are not ${operation} columns; at most ${MAX_UNREAD_COLUMNS} are allowed`;
  return null;
}
