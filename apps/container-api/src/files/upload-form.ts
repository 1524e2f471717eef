// Reads a multipart upload as it arrives: the `file` part's bytes go straight to the CSV reader,
// the `callback` may come before or after it, as a text field or as a part of its own (of type
// application/json, with or without a filename, as FormData sends a Blob), other fields are
// ignored and other file parts skipped. After an error the rest of the request is read and
// dropped, so the client always gets its answer. A client that sends nothing for UPLOAD_IDLE_TIMEOUT_MS while the form
// waits for it is dropped: the wait ends with 408 REQUEST_TIMEOUT (thrown, so that the intake
// discards what it stored), and the answer closes the connection.
import type { CallbackTarget, FileProblem, FileRecord, FinishError, Result } from '@container-service/batch-domain';
import { domainError, err, ok } from '@container-service/batch-domain';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { callbackTarget, callbackViolation, isCallback } from '../batches/callback-input';
import { ApiError } from '../http/api-error';
import { CallbackAddressGuard } from '../callbacks/callback-address.guard';
import { CallbackField, judgeCallbackValue, readCallbackText } from './callback-field';
import { readCsvRecords } from './csv-records';
import { EventLoopSlices } from './event-loop-slices';

const FILE_FIELD = 'file';
const CALLBACK_FIELD = 'callback';
export const CALLBACK_MAX_BYTES = 64 * 1024;

/** Parser failures of the multipart body itself (not of the CSV inside it). */
function formProblem(error: unknown): { code: 'PAYLOAD_TOO_LARGE' | 'VALIDATION_FAILED'; message: string } {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT')
    return { code: 'PAYLOAD_TOO_LARGE', message: 'The form has too many parts' };
  if (code === 'FST_INVALID_JSON_FIELD_ERROR') return { code: 'VALIDATION_FAILED', message: 'callback must be JSON text' };
  return { code: 'VALIDATION_FAILED', message: 'The multipart body is malformed or ended early' };
}

const isFileTooLarge = (error: unknown) => (error as { code?: string } | null)?.code === 'FST_REQ_FILE_TOO_LARGE';
const isIdleTimeout = (error: unknown) => error instanceof ApiError && error.code === 'REQUEST_TIMEOUT';
/** A stream with bytes still to come, which must be read to its end before the next part arrives. */
const isUnread = (stream: Readable) => !stream.readableEnded && !stream.destroyed;

export interface UploadSummary {
  readonly file: { readonly name: string; readonly bytes: number } | null;
  readonly callback?: unknown;
}

export class UploadForm {
  private parts: AsyncIterator<Multipart> | null = null;
  private partsDone = false;
  private file: MultipartFile | null = null;
  private fileBytes = 0;
  private readonly fileHash = createHash('sha256');
  private callbackValue: unknown = undefined;
  private callbackProblem: string | null = null;
  private extraFile = false;
  private idleTimedOut = false;
  /** The request thread is shared with other requests while the file is read and stored (ADR 0026). */
  private readonly slices = new EventLoopSlices();

  constructor(
    private readonly request: FastifyRequest,
    private readonly maxFileBytes: number,
    private readonly guard: CallbackAddressGuard,
    private readonly idleTimeoutMs: number,
  ) {}

  /** The file's records, then a problem if the file is over the limit; a problem if there is no file. */
  async *records(): AsyncGenerator<FileRecord | FileProblem> {
    while (this.file === null) {
      let part: Multipart | null;
      try {
        part = await this.next();
      } catch (error) {
        if (isIdleTimeout(error)) throw error;
        const problem = formProblem(error);
        yield { problem: problem.code === 'PAYLOAD_TOO_LARGE' ? 'PAYLOAD_TOO_LARGE' : 'INVALID_FILE', message: problem.message };
        return;
      }
      if (part === null) {
        yield { problem: 'INVALID_FILE', message: `the request has no file part named ${FILE_FIELD}` };
        return;
      }
      await this.take(part);
    }
    const tooLarge: FileProblem = { problem: 'PAYLOAD_TOO_LARGE', message: `The file is over the limit of ${this.maxFileBytes} bytes` };
    const stream = this.file.file;
    const counted = this.countBytes(stream);
    try {
      for await (const entry of readCsvRecords(counted)) {
        // A file cut at the limit may end mid-record: the limit is what the client must hear of.
        if (stream.truncated) break;
        // Checked here rather than in a generator of its own: one more promise per record costs
        // more than the slices (ADR 0026).
        if (this.slices.due()) await this.slices.turn();
        yield entry;
        if ('problem' in entry) return;
      }
    } catch (error) {
      if (isIdleTimeout(error)) throw error;
      // The client went away, or the body broke off, before the file was complete.
      this.request.log.info({ err: error }, 'an upload ended before its file was complete');
      yield stream.truncated || isFileTooLarge(error) ? tooLarge : { problem: 'INVALID_FILE', message: 'the upload ended before the file was complete' };
      return;
    }
    if (stream.truncated) yield tooLarge;
  }

  /** Reads the parts after the file; the callback, or why the form cannot be taken. */
  async finish(): Promise<Result<void, FinishError>> {
    try {
      await this.takeRest();
    } catch (error) {
      if (isIdleTimeout(error)) throw error;
      const problem = formProblem(error);
      return err(
        domainError(problem.code, `${problem.message}; nothing was stored.`, [
          { path: problem.message.startsWith('callback') ? CALLBACK_FIELD : 'body', message: problem.message },
        ]),
      );
    }
    if (this.extraFile)
      return err(
        domainError('INVALID_FILE', `The request has more than one file part named ${FILE_FIELD}; nothing was stored.`, [
          { path: FILE_FIELD, message: 'must be given once' },
        ]),
      );
    const invalid = (message: string, path = CALLBACK_FIELD) =>
      err(domainError('VALIDATION_FAILED', 'The request breaks some rules; nothing was stored.', [{ path, message }]));
    if (this.callbackProblem) return invalid(this.callbackProblem);
    const violation = callbackViolation(this.callbackValue) ?? (isCallback(this.callbackValue) ? await this.guard.check(this.callbackValue.url) : null);
    if (violation) return invalid(violation.message, violation.path);
    return ok(undefined);
  }

  /** The SHA-256 of the file's bytes as read; complete once the file is. */
  get fileDigest(): string {
    return this.fileHash.copy().digest('hex');
  }

  /** The callback to store, once finish() accepted it; undefined when none was given. */
  callbackTarget(secret: string | null, requestId: string): CallbackTarget | undefined {
    return isCallback(this.callbackValue) ? callbackTarget(this.callbackValue, secret, requestId) : undefined;
  }

  /** The callback given, parsed; undefined when none. */
  get callback(): unknown {
    return this.callbackValue;
  }

  /** Reads and drops whatever of the request is left, so that an early answer still reaches the client. */
  async drain(): Promise<void> {
    try {
      if (this.file && isUnread(this.file.file)) await this.dropStream(this.file.file);
      if (this.parts === null && !this.request.isMultipart()) return;
      await this.takeRest();
    } catch (error) {
      if (isIdleTimeout(error)) throw error;
      if (!isFileTooLarge(error)) this.request.log.debug({ err: error }, 'the rest of an upload could not be read');
    }
  }

  summary(): UploadSummary {
    return {
      file: this.file ? { name: this.file.filename, bytes: this.fileBytes } : null,
      ...(this.callbackValue !== undefined ? { callback: this.callbackValue } : {}),
    };
  }

  /** Takes every part left. The file, met only now (the request was refused before it was read), has its bytes dropped too, or the parts after it never come. */
  private async takeRest(): Promise<void> {
    for (let part = await this.next(); part !== null; part = await this.next()) {
      await this.take(part);
      if (part === this.file && isUnread(part.file)) await this.dropStream(part.file);
    }
  }

  private async next(): Promise<Multipart | null> {
    if (this.partsDone) return null;
    this.parts ??= this.request.parts()[Symbol.asyncIterator]();
    try {
      const step = await this.fromClient(this.parts.next());
      if (step.done) this.partsDone = true;
      return step.done ? null : step.value;
    } catch (error) {
      // The file being over the limit is reported by records(); the parts after it still count.
      if (isFileTooLarge(error)) return this.next();
      this.partsDone = true;
      throw error;
    }
  }

  private async take(part: Multipart): Promise<void> {
    if (part.type === 'field') {
      if (part.fieldname !== CALLBACK_FIELD) return;
      if (this.callbackValue !== undefined || this.callbackProblem !== null) this.callbackProblem = 'must be given once';
      else if (part.valueTruncated) this.callbackProblem = `must be at most ${CALLBACK_MAX_BYTES} bytes`;
      // A part of type application/json arrives parsed.
      else this.acceptCallback(typeof part.value === 'string' ? readCallbackText(part.value) : judgeCallbackValue(part.value));
      return;
    }
    if (part.fieldname === FILE_FIELD && this.file === null) {
      this.file = part;
      return;
    }
    if (part.fieldname === CALLBACK_FIELD) {
      // A part with a filename, as FormData sends a Blob ("blob"): its text is the callback.
      await this.takeCallbackFile(part);
      return;
    }
    if (part.fieldname === FILE_FIELD) this.extraFile = true;
    await this.dropStream(part.file);
  }

  /** Reads a callback part sent as a file, bounded as the text field is. */
  private async takeCallbackFile(part: MultipartFile): Promise<void> {
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    for await (const chunk of this.chunksOf(part.file, true)) {
      bytes += chunk.length;
      // Past the bound the rest is read and dropped: the answer names the limit.
      if (bytes <= CALLBACK_MAX_BYTES) chunks.push(chunk);
    }
    if (this.callbackValue !== undefined || this.callbackProblem !== null) this.callbackProblem = 'must be given once';
    else if (bytes > CALLBACK_MAX_BYTES) this.callbackProblem = `must be at most ${CALLBACK_MAX_BYTES} bytes`;
    else this.acceptCallback(readCallbackText(Buffer.concat(chunks).toString('utf8')));
  }

  private acceptCallback(field: CallbackField): void {
    this.callbackValue = field.value;
    this.callbackProblem = field.problem;
  }

  private async *countBytes(stream: Readable): AsyncGenerator<Uint8Array> {
    // Not destroyed when the reader stops early: drain() can still read the rest.
    for await (const chunk of this.chunksOf(stream, false)) {
      this.fileBytes += chunk.length;
      this.fileHash.update(chunk);
      yield chunk;
    }
  }

  private async dropStream(stream: Readable): Promise<void> {
    const counting = stream === this.file?.file;
    for await (const chunk of this.chunksOf(stream, true)) if (counting) this.fileBytes += chunk.length;
  }

  /** The stream's chunks, each awaited under the idle deadline. */
  private async *chunksOf(stream: Readable, destroyOnReturn: boolean): AsyncGenerator<Uint8Array> {
    const chunks = stream.iterator({ destroyOnReturn }) as AsyncIterator<Uint8Array>;
    let finished = false;
    try {
      for (;;) {
        const step = await this.fromClient(chunks.next());
        if (step.done) {
          finished = true;
          return;
        }
        yield step.value;
      }
    } finally {
      // After a time-out the read in flight is abandoned, not awaited.
      if (!finished && !this.idleTimedOut) await chunks.return?.();
    }
  }

  /**
   * Waits for the next thing the client sends. Only these waits count as idle: while the rows
   * read are being stored the client is held back by the server, not stalling.
   */
  private async fromClient<T>(step: Promise<T>): Promise<T> {
    if (this.idleTimedOut) throw this.idleError();
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.idleTimedOut = true;
        reject(this.idleError());
      }, this.idleTimeoutMs);
    });
    // A step given up on may still fail when the connection closes; nobody waits for it then.
    step.catch(() => undefined);
    try {
      return await Promise.race([step, idle]);
    } finally {
      clearTimeout(timer);
    }
  }

  private idleError(): ApiError {
    return new ApiError('REQUEST_TIMEOUT', `The upload sent nothing for ${this.idleTimeoutMs} ms; it was dropped and nothing of it was stored.`, {
      idleTimeoutMs: this.idleTimeoutMs,
    });
  }
}
