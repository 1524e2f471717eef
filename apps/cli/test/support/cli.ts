// Runs the built `container-batch` as a user would: `node apps/cli/dist/main.js ...` with only the
// environment given (plus PATH and HOME), stdout and stderr piped; or in a pseudo-terminal through
// util-linux `script`, so that stdout is a TTY.
import { spawn } from 'node:child_process';
import path from 'node:path';

export const CLI_MAIN = path.resolve(__dirname, '../../dist/main.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], env: Record<string, string> = {}, cwd?: string): Promise<CliRun> {
  return collect(spawn(process.execPath, [CLI_MAIN, ...args], { env: baseEnv(env), ...(cwd === undefined ? {} : { cwd }), stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** The same, with stdout (and stderr) on a pseudo-terminal: `script -qfec "<cmd>" /dev/null`; `-e` passes the exit code on. */
export function runCliInTerminal(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const command = [process.execPath, CLI_MAIN, ...args].map(shellQuote).join(' ');
  return collect(
    spawn('/usr/bin/script', ['-qfec', command, '/dev/null'], { env: { ...baseEnv(env), COLUMNS: '120', LINES: '40' }, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

function baseEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
}

function collect(child: ReturnType<typeof spawn>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const shellQuote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;
