// A fleet of the service's built processes (dist/main.js API processes and dist/worker.js worker
// processes) for tests that run several of them on one database: each started with its own
// environment and watched until it says it is ready; killed by pid, one at a time or all at the
// end, so that no test leaves a child behind.
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { DIST, cleanEnv } from './service-process';

export type ProcessKind = 'api' | 'worker';

export interface BuiltProcess {
  /** `api-1`, `worker-3`: for messages. */
  readonly name: string;
  readonly kind: ProcessKind;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** The exit code, or the signal that ended it, once it has exited; null while it runs. */
  exit(): number | NodeJS.Signals | null;
  /** The API's base URL (`http://127.0.0.1:PORT`) once ready; '' for a worker. */
  url: string;
}

const ENTRY: Record<ProcessKind, string> = { api: 'main.js', worker: 'worker.js' };
/** What each kind logs once it serves: the API its URL, the worker its loop. */
const READY: Record<ProcessKind, RegExp> = { api: /"url":"(http:\/\/[^"]+)"[^\n]*container-api listening/, worker: /batch worker started/ };

/** How much of a process's output is kept. */
const KEEP_CHARS = 200_000;

export class BuiltProcesses {
  private readonly all: BuiltProcess[] = [];
  private counts: Record<ProcessKind, number> = { api: 0, worker: 0 };

  constructor(private readonly env: Record<string, string>) {}

  get processes(): readonly BuiltProcess[] {
    return this.all;
  }

  /** Starts one process; resolves once it is ready, rejects if it exits first or takes longer than `timeoutMs`. */
  async start(kind: ProcessKind, timeoutMs: number, extra: Record<string, string> = {}): Promise<BuiltProcess> {
    const name = `${kind}-${++this.counts[kind]}`;
    const child = spawn(process.execPath, [path.join(DIST, ENTRY[kind])], {
      env: cleanEnv({ ...this.env, ...(kind === 'api' ? { WORKER_ENABLED: 'false' } : {}), WORKER_ID: name, ...extra }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error(`${name} did not start`);
    let out = '';
    let ended: number | NodeJS.Signals | null = null;
    child.on('exit', (code, signal) => (ended = code ?? signal));
    const started: BuiltProcess = { name, kind, child, pid: child.pid, output: () => out, exit: () => ended, url: '' };
    this.all.push(started);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} was not ready after ${timeoutMs} ms:\n${tail(out)}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        // The end is what tells why a process stopped; a long run's logs need not all be kept.
        out = (out + chunk.toString()).slice(-KEEP_CHARS);
        const ready = READY[kind].exec(out);
        if (ready) {
          clearTimeout(timer);
          started.url = ready[1] ?? '';
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${String(ended)} before it was ready:\n${tail(out)}`));
      });
    });
    return started;
  }

  /** Sends `signal` to the process by its pid and resolves once it has exited. */
  async kill(target: BuiltProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (target.exit() !== null) return;
    const gone = new Promise<void>((resolve) => target.child.once('exit', () => resolve()));
    try {
      process.kill(target.pid, signal);
    } catch (error) {
      // Gone already: its exit event is on its way.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
    await gone;
  }

  /** Those that exited although nobody killed them, with the end of their output. */
  unexpectedExits(killed: ReadonlySet<BuiltProcess>): string[] {
    return this.all.filter((p) => p.exit() !== null && !killed.has(p)).map((p) => `${p.name} exited with ${String(p.exit())}:\n${tail(p.output())}`);
  }

  /** SIGKILLs every process still running, by pid; for afterAll. */
  async killAll(): Promise<void> {
    await Promise.all(this.all.map((p) => this.kill(p, 'SIGKILL').catch(() => undefined)));
  }
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
