// SubmitBatchFile: takes a batch from a file read as it arrives (a header, then one record per
// item) and stores it in parts, so memory stays flat whatever the file's size. Nothing is
// visible until the last record is stored and every whole-file rule holds: a file that breaks
// one is discarded, and the request is answered as if it had never come.
import { Actor, Batch, BatchOperation } from './batch';
import { batchIdFromUuid } from './batch-id';
import { NewBatchItem } from './batch-item';
import { ConflictWatch } from './conflict-watch';
import { BatchIntake, BatchWrites, Submission } from './batch-repository.port';
import { BatchScope, authorizeTarget } from './batch-access';
import type { CallbackTarget } from './callback';
import { AccessVerifier, Clock, IdGenerator } from './ports';
import { BatchError } from './batch-errors';
import { Result, domainError, err, ok } from './result';
import { SubmittedBatch, TargetTypeDirectory, answer } from './submit-batch.use-case';

/** One record of the file: the line it starts on (the header is line 1) and its cells. */
export interface FileRecord {
  readonly line: number;
  readonly cells: readonly string[];
}

/** Whose file it is: the caller's tenant, once the token holds for it, and the target type named. */
export interface FileTarget {
  readonly tenantId: string;
  readonly targetType: string;
}

/** Why a file cannot be read any further. */
export interface FileProblem {
  readonly problem: 'INVALID_FILE' | 'PAYLOAD_TOO_LARGE';
  readonly message: string;
}

export interface SubmitBatchFileOptions extends BatchScope {
  /** The column that holds each item's reference, per operation (e.g. refID for creates). */
  readonly referenceField: Readonly<Record<BatchOperation, string>>;
  /**
   * The target's own rules for a header (such as how many columns of a kind it may have, or names
   * that look like a column the target type reads but are not), given the trimmed names once none
   * is empty or repeated, and the tenant's target type (which may not exist: that is answered
   * later): why the file cannot be taken, or null.
   */
  readonly checkColumns?: (operation: BatchOperation, columns: readonly string[], target: FileTarget) => string | null | Promise<string | null>;
  readonly maxRows: number;
  /** Items stored per part: bounds memory while the file streams in. */
  readonly partSize?: number;
  /** How long an intake may go without a new part before it counts as abandoned. */
  readonly intakeIdleMs?: number;
}

export interface SubmitBatchFileInput {
  readonly accessToken: string | undefined;
  readonly tenantId: string;
  readonly targetType: string;
  readonly operation: BatchOperation;
  readonly actor: Actor | null;
  readonly records: AsyncIterable<FileRecord | FileProblem>;
  /**
   * Reads whatever follows the file in the request (such as a callback), once the file is
   * stored; an error answers the request and the file is discarded.
   */
  readonly finish?: () => Promise<Result<void, FinishError>>;
  /** Given once the file is read (its fingerprint covers the file's bytes): makes the submit idempotent. */
  readonly submission?: () => Submission;
  /** Given once the whole request is read (the callback may follow the file). */
  readonly callback?: () => CallbackTarget | undefined;
}

const DEFAULT_FILE_PART_SIZE = 1000;
export const DEFAULT_INTAKE_IDLE_MS = 10 * 60_000;
const MAX_REFERENCE_LENGTH = 128;

type FileError = BatchError<'INVALID_FILE' | 'PAYLOAD_TOO_LARGE'>;
/** Why what follows the file in a request cannot be taken. */
export type FinishError = BatchError<'INVALID_FILE' | 'PAYLOAD_TOO_LARGE' | 'VALIDATION_FAILED'>;
export type SubmitBatchFileError = FinishError | BatchError<'UNAUTHORIZED' | 'TARGET_TYPE_NOT_FOUND' | 'IDEMPOTENCY_KEY_REUSED'>;
const fileError = (code: FileError['code'], message: string, line?: number): Result<never, FileError> =>
  err(
    domainError(code, code === 'INVALID_FILE' ? `The file cannot be taken: ${message}. Nothing was stored.` : `${message}. Nothing was stored.`, [
      { path: line === undefined ? 'file' : `file:line ${line}`, message },
    ]),
  );

export class SubmitBatchFile {
  constructor(
    private readonly batches: BatchWrites,
    private readonly targetTypes: TargetTypeDirectory,
    private readonly access: AccessVerifier,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly options: SubmitBatchFileOptions,
  ) {}

  async execute(input: SubmitBatchFileInput): Promise<Result<SubmittedBatch, SubmitBatchFileError>> {
    const authorized = await authorizeTarget(this.access, this.options.targetType, input);
    if (!authorized.ok) return authorized;
    const tenantId = authorized.value;
    const batchId = batchIdFromUuid(this.ids.uuid());
    const intake = await this.batches.beginIntake({ tenantId, kind: this.options.kind, batchId, targetType: input.targetType, expiresAt: this.expiry() });
    try {
      const received = await this.receive(intake, input, { tenantId, targetType: input.targetType });
      if (!received.ok) {
        await intake.discard();
        return received;
      }
      const finished = input.finish ? await input.finish() : ok(undefined);
      if (!finished.ok) {
        await intake.discard();
        return finished;
      }
      if (!(await this.targetTypes.exists(tenantId, input.targetType))) {
        await intake.discard();
        return err(domainError('TARGET_TYPE_NOT_FOUND', `No ${this.options.targetType.parameter} '${input.targetType}' exists for this tenant.`));
      }
      const callback = input.callback?.();
      const batch = Batch.submit(
        {
          id: batchId,
          tenantId,
          kind: this.options.kind,
          targetType: input.targetType,
          operation: input.operation,
          source: 'file',
          total: intake.count,
          createdBy: input.actor,
          columns: received.value,
          hasCallback: callback !== undefined,
        },
        this.clock.now(),
      );
      if (!batch.ok) {
        await intake.discard();
        return batch;
      }
      const submission = input.submission?.();
      const outcome = await intake.commit(batch.value, { ...(submission ? { submission } : {}), ...(callback ? { callback } : {}) });
      if (outcome.kind !== 'stored') await intake.discard();
      return answer(outcome, batchId);
    } catch (error) {
      await intake.discard().catch(() => undefined);
      throw error;
    }
  }

  /** Reads the header and stores every record; the header when the whole file is good. */
  private async receive(intake: BatchIntake, input: SubmitBatchFileInput, target: FileTarget): Promise<Result<readonly string[], FileError>> {
    const field = this.options.referenceField[input.operation];
    const partSize = this.options.partSize ?? DEFAULT_FILE_PART_SIZE;
    let header: readonly string[] | null = null;
    let refColumn = -1;
    let rows = 0;
    let part: NewBatchItem[] = [];
    let conflicts: ConflictWatch | null = null;
    const flush = async (): Promise<Result<void, FileError>> => {
      if (part.length === 0) return ok(undefined);
      const duplicate = await intake.append(part, this.expiry());
      part = [];
      return duplicate === null
        ? ok(undefined)
        : fileError(
            'INVALID_FILE',
            `line ${String(duplicate.row)} repeats the ${field} '${duplicate.refId}' of line ${String(duplicate.firstRow)}`,
            duplicate.row ?? undefined,
          );
    };

    for await (const entry of input.records) {
      if ('problem' in entry) return fileError(entry.problem, entry.message);
      if (header === null) {
        const checked = await checkHeader(entry.cells, field, async (columns) => (await this.options.checkColumns?.(input.operation, columns, target)) ?? null);
        if (!checked.ok) return checked;
        header = checked.value;
        refColumn = header.indexOf(field);
        conflicts = new ConflictWatch(this.options.conflictKeys, input.operation, header);
        continue;
      }
      rows++;
      if (rows > this.options.maxRows) return fileError('PAYLOAD_TOO_LARGE', `The file has more than ${this.options.maxRows} data rows`);
      const ref = entry.cells[refColumn] ?? '';
      const readable = entry.cells.length === header.length;
      const refOk = ref.length >= 1 && ref.length <= MAX_REFERENCE_LENGTH;
      // A row with the wrong number of cells fails alone when processed, named by its line when
      // its reference cell is missing, empty or too long (contract §4: refIDs are 1-128
      // characters, given or assigned); one that is well formed but has no usable reference
      // breaks the whole-file rule every item's reference is under.
      if (readable && !refOk) return fileError('INVALID_FILE', `line ${entry.line}: ${field} must be 1 to ${MAX_REFERENCE_LENGTH} characters`, entry.line);
      const item = { refId: refOk ? ref : String(entry.line), row: entry.line, input: entry.cells };
      part.push(readable && conflicts !== null ? conflicts.mark(item) : item);
      if (part.length >= partSize) {
        const stored = await flush();
        if (!stored.ok) return stored;
      }
    }
    if (header === null) return fileError('INVALID_FILE', 'the file is empty: it has no header line');
    const stored = await flush();
    if (!stored.ok) return stored;
    if (rows === 0) return fileError('INVALID_FILE', 'the file has a header but no data row');
    return ok(header);
  }

  private expiry(): number {
    return this.clock.now() + (this.options.intakeIdleMs ?? DEFAULT_INTAKE_IDLE_MS);
  }
}

/**
 * Header names are trimmed; an empty or repeated name, a header the target's rules refuse, or
 * no reference column makes the file unusable. Every column is kept with the batch and read
 * for every row, so none may be left without a name.
 */
async function checkHeader(
  cells: readonly string[],
  field: string,
  targetRules: (columns: readonly string[]) => Promise<string | null>,
): Promise<Result<readonly string[], FileError>> {
  const names = cells.map((cell) => cell.trim());
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    if (name === '') return fileError('INVALID_FILE', `column ${i + 1} of the header has no name`, 1);
    if (seen.has(name)) return fileError('INVALID_FILE', `the header repeats the column '${name}'`, 1);
    seen.add(name);
  }
  // The target's rules first: they can say what a column that is there was meant to be (such as
  // the reference column in another letter case), which helps more than saying it is missing.
  const refused = await targetRules(names);
  if (refused !== null) return fileError('INVALID_FILE', refused, 1);
  if (!seen.has(field)) return fileError('INVALID_FILE', `the header lacks the required column ${field}`, 1);
  return ok(names);
}
