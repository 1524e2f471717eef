// What a command talks to: the output streams, the environment and how it reaches the service.
// One object so that the program is built the same way in main.ts and read the same way in tests.
import type { BatchClient } from '@container-service/client';
import type { ConnectionFlags } from './connection';

export interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
  /** A client for the flags given (global options merged with the command's). */
  readonly connect: (flags: ConnectionFlags) => BatchClient;
  /** What the command's action answered; 0 until then. */
  readonly exitCode: { value: number };
}

export const writeLine = (stream: NodeJS.WriteStream, line: string): void => {
  stream.write(`${line}\n`);
};
