// Runs the built service as a child process, as an operator would, for start-up and crash tests.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const DIST = path.resolve(__dirname, '../../dist');
export const MAIN = path.join(DIST, 'main.js');

export interface Running {
  child: ChildProcess;
  url: string;
  devToken: string | null;
  output: () => string;
}

export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' };
  return { ...env, ...extra };
}

/**
 * How long a start may take before the test fails. A start takes 1-2 s here; on a 2-core machine
 * shared with other test processes it took over 20 s once (a clean-clone run next to four other
 * suites), so the bound is wide: a service that never gets ready still fails.
 */
const START_TIMEOUT_MS = 60_000;

export function start(dir: string, extra: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [MAIN], { cwd: dir, env: cleanEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // A service that never got ready is not left running behind the test.
      child.kill('SIGKILL');
      reject(new Error(`service did not start within ${START_TIMEOUT_MS} ms:\n${out}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      const development = !('AUTH_JWT_SECRET' in extra);
      const devToken = /"token":"([^"]+)"/.exec(out)?.[1] ?? null;
      if (url && (!development || devToken)) {
        clearTimeout(timer);
        resolve({ child, url, devToken, output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code}:\n${out}`));
    });
  });
}

/** Sends `signal` to the service and resolves with its exit code (null when the signal ended it). */
export function kill(running: Running, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    running.child.removeAllListeners('exit');
    running.child.once('exit', (code) => resolve(code));
    running.child.kill(signal);
  });
}

/** Stops the service as an operator would (SIGTERM); its exit code. */
export const stop = (running: Running): Promise<number | null> => kill(running, 'SIGTERM');

/** The resident memory of a process in bytes, read from /proc (Linux). */
export function residentBytes(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) * 1024;
}
