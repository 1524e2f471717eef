// The header rules of container files (contract §4.3, §13). A file batch keeps its header with
// the batch and reads it for every row it processes, so its size is bounded here: the known
// columns of the operation, at most 256 attribute columns, and a few columns the service does not
// read (a failed-rows file brings `row`, `reason` and `code` back, and people add notes). Names
// are already trimmed, none empty or repeated (SubmitBatchFile checks that for every kind of batch).
//
// Columns the service does not read are ignored, but not those that look like a column it reads
// and would be ignored by a slip a spreadsheet user easily makes: a known column in another letter
// case (`refid`), the attribute prefix in another case (`Attributes.weight`), or one of the type's
// attributes without its prefix (`weight`). Such a header is refused with the name it should have,
// rather than taken with that column silently dropped (docs/api.md, "Submitting CSV files").
import { clipText } from '@container-service/batch-domain';
import type { FileTarget } from '@container-service/batch-domain';
import type { ContainerTypeRepository } from './container-type-repository.port';
import { ATTRIBUTE_COLUMN_PREFIX, CREATE_COLUMNS, UPDATE_COLUMNS } from './container-file-row';

export const MAX_ATTRIBUTE_COLUMNS = 256;
export const MAX_UNREAD_COLUMNS = 32;
/** The columns a failed-rows file adds to the input columns: an upload never reads them, whatever the type's attributes are called. */
export const FAILED_ROW_COLUMNS = ['row', 'reason', 'code'] as const;
/** How many misnamed columns one answer names. */
const MAX_NAMED = 5;

const knownColumns = (operation: 'create' | 'update'): readonly string[] => (operation === 'create' ? CREATE_COLUMNS : UPDATE_COLUMNS);
const quoted = (name: string) => `'${name.length > 64 ? `${clipText(name, 64)}…` : name}'`;

/** Why a container file with these header names cannot be taken, or null when it can. */
export function containerFileHeaderProblem(operation: 'create' | 'update', columns: readonly string[]): string | null {
  const known = knownColumns(operation);
  let attributes = 0;
  let unread = 0;
  for (const column of columns) {
    // The reader splits on ',' unless the header line has none: a ';' or a tab left in a name
    // means the file mixes separators, or uses one that is not read.
    if (column.includes(';'))
      return `the header cell ${quoted(column)} holds a ';': a file is read as separated by ';' only when its header line has no ',' outside quotes; separate all cells by ',' or all by ';'`;
    if (column.includes('\t')) return `the header cell ${quoted(column)} holds a tab: files separated by tabs are not read; separate cells by ',' or ';'`;
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

/** The columns of the header the service would not read: neither a column of the operation, an attribute column nor a failed-rows column. */
function unreadColumns(operation: 'create' | 'update', columns: readonly string[]): string[] {
  const known = knownColumns(operation);
  const failedRow: readonly string[] = FAILED_ROW_COLUMNS;
  return columns.filter((column) => !known.includes(column) && !failedRow.includes(column) && !column.startsWith(ATTRIBUTE_COLUMN_PREFIX));
}

/** What an unread column was meant to be, when it looks like a column the service reads; else null. */
function meantColumn(operation: 'create' | 'update', column: string, attributeNames: readonly string[]): string | null {
  const lower = column.toLowerCase();
  const known = knownColumns(operation).find((name) => name.toLowerCase() === lower);
  if (known !== undefined) return `${quoted(column)} is spelled '${known}'`;
  if (lower.startsWith(ATTRIBUTE_COLUMN_PREFIX))
    return `${quoted(column)} is spelled '${ATTRIBUTE_COLUMN_PREFIX}${column.slice(ATTRIBUTE_COLUMN_PREFIX.length)}'`;
  const attribute = attributeNames.find((name) => name === column) ?? attributeNames.find((name) => name.toLowerCase() === lower);
  if (attribute !== undefined) return `${quoted(column)} names the attribute '${attribute}': its column is '${ATTRIBUTE_COLUMN_PREFIX}${attribute}'`;
  return null;
}

/**
 * Why a header with columns that look like columns the service reads, but are not, cannot be
 * taken; null when it has none. `attributeNames` are the type's configured attributes.
 */
export function misnamedColumnsProblem(operation: 'create' | 'update', columns: readonly string[], attributeNames: readonly string[]): string | null {
  const misnamed = unreadColumns(operation, columns)
    .map((column) => meantColumn(operation, column, attributeNames))
    .filter((found): found is string => found !== null);
  if (misnamed.length === 0) return null;
  const named = misnamed.slice(0, MAX_NAMED).join('; ');
  const more = misnamed.length > MAX_NAMED ? `; and ${misnamed.length - MAX_NAMED} more` : '';
  return `the header has columns that would be ignored as they are named (names are case-sensitive, attributes take the '${ATTRIBUTE_COLUMN_PREFIX}' prefix): ${named}${more}`;
}

/**
 * The header check of container files, as SubmitBatchFile takes it: the size rules, then the
 * misnamed columns. The type's attributes are read only for a header with a column the service
 * would not read; a type the tenant lacks has none (the answer is 404 once the file is read).
 */
export function containerFileHeaderCheck(
  types: Pick<ContainerTypeRepository, 'find'>,
): (operation: 'create' | 'update', columns: readonly string[], target: FileTarget) => Promise<string | null> {
  return async (operation, columns, target) => {
    const problem = containerFileHeaderProblem(operation, columns);
    if (problem !== null || unreadColumns(operation, columns).length === 0) return problem;
    const type = await types.find(target.tenantId, target.targetType);
    const attributeNames = type?.toSnapshot().attributes.map((attribute) => attribute.name) ?? [];
    return misnamedColumnsProblem(operation, columns, attributeNames);
  };
}
