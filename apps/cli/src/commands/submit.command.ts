// `submit`, `upload` and `retry`: the commands that make a batch. Each prints the new batch id
// (alone on its line, for scripts) and, when asked, follows it to its end.
import { Command, Option } from 'commander';
import type { BatchClient, Callback, CreateBatchBody, UpdateBatchBody, UploadOptions } from '@container-service/client';
import { uploadFile } from '@container-service/client';
import { CliError, EXIT_OK } from '../cli-error';
import { readJsonFile, requireReadableFile } from '../files';
import type { Io } from '../io';
import { writeLine } from '../io';
import { FollowFlags, clientFor, exitWith, typeOption, wantsToFollow, withFollowOptions } from './command-support';
import { follow } from './follow';

interface SubmitFlags extends FollowFlags {
  readonly type: string;
  readonly update?: boolean;
  readonly idempotencyKey?: string;
  readonly callbackUrl?: string;
  readonly callbackSecret?: string;
}

const submitOptions = (command: Command): Command =>
  withFollowOptions(
    command
      .addOption(typeOption())
      .option('--update', 'update existing containers (PUT) instead of creating new ones')
      .option('--idempotency-key <key>', 'make the submit idempotent: the same key and request answer the first batch')
      .option('--callback-url <url>', 'POST the final result to this URL when the batch finishes')
      .addOption(new Option('--callback-secret <secret>', 'sign the callback with this secret (HMAC-SHA256)').env('CONTAINER_CALLBACK_SECRET')),
  );

export function submitCommands(io: Io): Command[] {
  const submit = submitOptions(
    new Command('submit')
      .description('submit a JSON batch (1 to 1024 items)')
      .argument('<file.json>', 'a JSON array of items, or {"payload": [...], "callback"?: {...}}'),
  ).action(
    exitWith(io, async (file: string, flags: SubmitFlags, command: Command) => {
      const body = batchBodyFrom(readJsonFile(file), file, flags);
      const client = clientFor(io, command);
      const options = { ...idempotency(flags) };
      const batchId =
        flags.update === true
          ? await client.submit(flags.type, 'update', body as UpdateBatchBody, options)
          : await client.submit(flags.type, 'create', body as CreateBatchBody, options);
      return announceAndFollow(io, client, flags, batchId);
    }),
  );

  const upload = submitOptions(
    new Command('upload')
      .description('upload a CSV file as a batch (streamed from disk; up to 200 000 rows)')
      .argument('<file.csv>', 'the CSV file: a header line, then one item per row (see `template`)'),
  ).action(
    exitWith(io, async (file: string, flags: SubmitFlags, command: Command) => {
      requireReadableFile(file);
      const client = clientFor(io, command);
      const callback = callbackFrom(flags);
      const options: UploadOptions = { ...idempotency(flags), ...(callback === undefined ? {} : { callback }) };
      const batchId = await uploadFile(client, flags.type, flags.update === true ? 'update' : 'create', file, options);
      return announceAndFollow(io, client, flags, batchId);
    }),
  );

  const retry = withFollowOptions(
    new Command('retry')
      .description('submit the failed items of a finished batch again, as a new batch')
      .argument('<batchId>', 'the finished batch (batch:<uuid>)')
      .addOption(typeOption()),
  ).action(
    exitWith(io, async (batchId: string, flags: FollowFlags & { type: string }, command: Command) => {
      const client = clientFor(io, command);
      return announceAndFollow(io, client, flags, await client.retry(flags.type, batchId));
    }),
  );

  return [submit, upload, retry];
}

async function announceAndFollow(io: Io, client: BatchClient, flags: FollowFlags & { type: string }, batchId: string): Promise<number> {
  writeLine(io.stdout, batchId);
  if (!wantsToFollow(flags)) return EXIT_OK;
  return follow(io, client, flags.type, batchId, { watch: flags.watch === true, ...(flags.failedOut === undefined ? {} : { failedOut: flags.failedOut }) });
}

/** A bare array is the payload; an object is the body as the API takes it. --callback-url wins over the file's callback. */
function batchBodyFrom(json: unknown, file: string, flags: SubmitFlags): CreateBatchBody | UpdateBatchBody {
  const body = Array.isArray(json) ? { payload: json } : json;
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { payload?: unknown }).payload)) {
    throw new CliError(`${file} must hold a JSON array of items, or an object with a "payload" array`);
  }
  const callback = callbackFrom(flags);
  return { ...(body as CreateBatchBody), ...(callback === undefined ? {} : { callback }) };
}

function callbackFrom(flags: SubmitFlags): Callback | undefined {
  return flags.callbackUrl === undefined ? undefined : { url: flags.callbackUrl };
}

function idempotency(flags: SubmitFlags): { idempotencyKey?: string; callbackSecret?: string } {
  return {
    ...(flags.idempotencyKey === undefined ? {} : { idempotencyKey: flags.idempotencyKey }),
    ...(flags.callbackSecret === undefined ? {} : { callbackSecret: flags.callbackSecret }),
  };
}
