// The `container-batch` command line: the global connection options and every command. Each
// action answers its exit code; run() maps anything thrown to one line on stderr and exit 1.
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { batchCommands } from './commands/batch.commands';
import { submitCommands } from './commands/submit.command';
import { typesCommand } from './commands/types.command';
import { DEFAULT_TENANT, DEFAULT_URL } from './connection';
import { EXIT_ERROR, EXIT_OK, describeFailure } from './cli-error';
import type { Io } from './io';

const PROGRAM = 'container-batch';

export function buildProgram(io: Io): Command {
  const program = new Command(PROGRAM)
    .description('Create and update containers in bulk with the Container Service batch API, and follow every batch.')
    .version(packageVersion(), '-V, --version')
    .option('--url <url>', `the service (env CONTAINER_API_URL; default ${DEFAULT_URL})`)
    .option('--tenant <tenant>', `the tenant, sent as X-COREOS-TID (env COREOS_TID; default ${DEFAULT_TENANT})`)
    .option('--token <token>', 'the access token, sent as X-COREOS-ACCESS (env COREOS_ACCESS)')
    .option('--request-id <id>', 'the X-COREOS-REQUEST-ID of every call (default: a new one per call)')
    .option('--user-info <json>', 'who acts, sent as X-COREOS-USERINFO')
    .addHelpText(
      'after',
      `
Exit codes: 0 all succeeded, 2 some items failed (or were cancelled), 1 an error.

Development service (npm start): export COREOS_ACCESS=$(npm run -s token -- --tenant ${DEFAULT_TENANT})`,
    )
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .exitOverride();

  const commands = [typesCommand(io), ...submitCommands(io), ...batchCommands(io)];
  for (const command of commands) {
    program.addCommand(command);
    for (const sub of [command, ...command.commands]) {
      sub.exitOverride().configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
    }
  }
  return program;
}

/** Runs the command line `argv` (without node and the script); answers the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return io.exitCode.value;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end here with 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    io.stderr.write(`${PROGRAM}: ${describeFailure(error)}\n`);
    return EXIT_ERROR;
  }
}

/** The version in apps/cli/package.json (dist/ sits beside it). */
function packageVersion(): string {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(__dirname, '../package.json'), 'utf8')) as { version?: unknown };
    return typeof json.version === 'string' ? json.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
