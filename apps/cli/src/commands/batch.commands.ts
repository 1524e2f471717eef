// `status`, `watch`, `results`, `cancel`, `list` and `template`: reading and steering batches
// that exist (contract §3, §3.1, §3.3, §8).
import { Command, InvalidArgumentError, Option } from 'commander';
import { allResults, FINAL_STATUSES } from '@container-service/client';
import type { BatchStatus, OutcomeFilter } from '@container-service/client';
import { exitCodeFor, progressLine, summaryLine } from '../batch-report';
import { CliError, EXIT_OK } from '../cli-error';
import { writeStreamToFile } from '../files';
import type { Io } from '../io';
import { writeLine } from '../io';
import { clientFor, exitWith, typeOption } from './command-support';
import { follow } from './follow';

const STATUSES: readonly BatchStatus[] = ['QUEUED', 'IN_PROGRESS', ...FINAL_STATUSES];

const integerIn =
  (min: number, max: number) =>
  (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) throw new InvalidArgumentError(`an integer from ${String(min)} to ${String(max)}`);
    return value;
  };

export function batchCommands(io: Io): Command[] {
  const status = new Command('status')
    .description("print a batch's state (exit 2 when items failed)")
    .argument('<batchId>', 'the batch (batch:<uuid>)')
    .addOption(typeOption())
    .option('--wait <seconds>', 'answer as soon as the batch finishes, or after this many seconds (1-30)', integerIn(1, 30))
    .option('--json', 'print the whole answer (meta, errors, success) as JSON')
    .action(
      exitWith(io, async (batchId: string, flags: { type: string; wait?: number; json?: boolean }, command: Command) => {
        const answer = await clientFor(io, command).status(flags.type, batchId, flags.wait === undefined ? {} : { wait: flags.wait });
        if (flags.json === true) writeLine(io.stdout, JSON.stringify(answer, null, 2));
        else {
          writeLine(io.stdout, summaryLine(answer.meta));
          if (answer.meta.pending > 0) writeLine(io.stdout, progressLine(answer.meta));
        }
        return exitCodeFor(answer.meta);
      }),
    );

  const watch = new Command('watch')
    .description('show live progress until the batch finishes: a bar on a terminal, plain lines otherwise (exit 2 when items failed)')
    .argument('<batchId>', 'the batch (batch:<uuid>)')
    .addOption(typeOption())
    .option('--failed-out <file.csv>', 'once finished, write the failed rows to this CSV file')
    .action(
      exitWith(io, async (batchId: string, flags: { type: string; failedOut?: string }, command: Command) =>
        follow(io, clientFor(io, command), flags.type, batchId, { watch: true, ...(flags.failedOut === undefined ? {} : { failedOut: flags.failedOut }) }),
      ),
    );

  const results = new Command('results')
    .description("a batch's item results in input order: JSON lines, or CSV with -o/--csv (readable while it runs)")
    .argument('<batchId>', 'the batch (batch:<uuid>)')
    .addOption(typeOption())
    .addOption(new Option('--failed', 'only the failed items (as CSV: the input columns plus reason, ready to fix and upload again)').conflicts('succeeded'))
    .option('--succeeded', 'only the items that succeeded')
    .option('-o, --output <file.csv>', 'write CSV to this file')
    .option('--csv', 'print CSV instead of JSON lines')
    .action(
      exitWith(
        io,
        async (batchId: string, flags: { type: string; failed?: boolean; succeeded?: boolean; output?: string; csv?: boolean }, command: Command) => {
          const client = clientFor(io, command);
          const outcome: OutcomeFilter | undefined = flags.failed === true ? 'failed' : flags.succeeded === true ? 'success' : undefined;
          const filter = outcome === undefined ? {} : { outcome };
          if (flags.output !== undefined) {
            await writeStreamToFile(await client.resultsCsv(flags.type, batchId, filter), flags.output);
            writeLine(io.stderr, `results written to ${flags.output}`);
          } else if (flags.csv === true) {
            const csv = await client.resultsCsv(flags.type, batchId, filter);
            for await (const chunk of csv) io.stdout.write(chunk);
          } else {
            for await (const item of allResults(client, flags.type, batchId, filter)) writeLine(io.stdout, JSON.stringify(item));
          }
          return EXIT_OK;
        },
      ),
    );

  const cancel = new Command('cancel')
    .description('cancel a queued or running batch: items not yet processed are not processed')
    .argument('<batchId>', 'the batch (batch:<uuid>)')
    .addOption(typeOption())
    .action(
      exitWith(io, async (batchId: string, flags: { type: string }, command: Command) => {
        const answer = await clientFor(io, command).cancel(flags.type, batchId);
        writeLine(io.stdout, summaryLine(answer.meta));
        return EXIT_OK;
      }),
    );

  const list = new Command('list')
    .description("the tenant's batches of a type, newest first, one per line")
    .addOption(typeOption())
    .addOption(new Option('--status <status>', 'only batches in this status').choices(STATUSES))
    .option('--limit <n>', 'at most this many (1-500)', integerIn(1, 500), 50)
    .option('--cursor <cursor>', 'the page after this cursor (printed on stderr when there are more)')
    .option('--json', 'print the page as JSON')
    .action(
      exitWith(io, async (flags: { type: string; status?: BatchStatus; limit: number; cursor?: string; json?: boolean }, command: Command) => {
        const page = await clientFor(io, command).list(flags.type, {
          limit: flags.limit,
          ...(flags.status === undefined ? {} : { status: flags.status }),
          ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
        });
        if (flags.json === true) writeLine(io.stdout, JSON.stringify(page, null, 2));
        else {
          for (const meta of page.items)
            writeLine(io.stdout, `${summaryLine(meta)}\t${meta.source}\t${meta.operation}\t${new Date(meta.createdAt).toISOString()}`);
          if (page.nextCursor !== null) writeLine(io.stderr, `more: --cursor ${page.nextCursor}`);
        }
        return EXIT_OK;
      }),
    );

  const template = new Command('template')
    .description('print the CSV header (and one example row) a file for a type needs')
    .addOption(typeOption())
    .option('--update', 'the columns of an update file instead of a create file')
    .action(
      exitWith(io, async (flags: { type: string; update?: boolean }, command: Command) => {
        const csv = await clientFor(io, command).template(flags.type, flags.update === true ? 'update' : 'create');
        if (csv === '') throw new CliError('the service answered an empty template');
        io.stdout.write(csv);
        return EXIT_OK;
      }),
    );

  return [status, watch, results, cancel, list, template];
}
