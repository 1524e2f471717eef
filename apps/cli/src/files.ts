// Reading the files a command is given and writing the ones it produces, with errors that name
// the file and say what is wrong with it.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliError } from './cli-error';

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

export function requireReadableFile(file: string): void {
  try {
    if (!fs.statSync(file).isFile()) throw new CliError(`${file} is not a file`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** Streams `body` into `file` (created or replaced); answers the bytes written. */
export async function writeStreamToFile(body: ReadableStream<Uint8Array>, file: string): Promise<number> {
  const source = Readable.fromWeb(body);
  const target = fs.createWriteStream(file);
  await pipeline(source, target);
  return target.bytesWritten;
}
