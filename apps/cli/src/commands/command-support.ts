// What every command needs from commander: the client for the connection flags (given on the
// program or on the command), the container type option, and the follow-up options.
import { Command, Option } from 'commander';
import type { BatchClient } from '@container-service/client';
import type { ConnectionFlags } from '../connection';
import type { Io } from '../io';

export function clientFor(io: Io, command: Command): BatchClient {
  return io.connect(command.optsWithGlobals<ConnectionFlags>());
}

export const typeOption = (): Option => new Option('-t, --type <containerType>', 'the container type the batch belongs to').makeOptionMandatory();

/** --wait, --watch and --failed-out, for the commands that make a batch. */
export function withFollowOptions(command: Command): Command {
  return command
    .option('--wait', 'wait for the batch to finish, then print its summary (exit 2 when items failed)')
    .option('--watch', 'show live progress until the batch finishes: a bar on a terminal, plain lines otherwise (exit 2 when items failed)')
    .option('--failed-out <file.csv>', 'once finished, write the failed rows to this CSV file (implies --wait)');
}

export interface FollowFlags {
  readonly wait?: boolean;
  readonly watch?: boolean;
  readonly failedOut?: string;
}

export const wantsToFollow = (flags: FollowFlags): boolean => flags.wait === true || flags.watch === true || flags.failedOut !== undefined;

/** Wraps an action that answers its exit code: commander ignores what actions return. */
export function exitWith<Args extends unknown[]>(io: Io, action: (...args: Args) => Promise<number>): (...args: Args) => Promise<void> {
  return async (...args) => {
    io.exitCode.value = await action(...args);
  };
}
