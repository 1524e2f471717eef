// Starts a PostgreSQL server for one test run, in a temporary folder on a free port, and makes
// sure it goes away afterwards: by stop(), or when the process exits or is interrupted.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { findServerPrograms } from './server-programs';

export interface ThrowawayPostgresOptions {
  /** Folders to look for initdb, pg_ctl and postgres in; by default pg_config, Debian's folders, PATH. */
  readonly searchDirs?: readonly string[];
  /** How long to wait for the server to accept connections, in seconds. */
  readonly startTimeoutSeconds?: number;
  /**
   * Keep PostgreSQL's durability (fsync, synchronous commit, full page writes), for tests that
   * crash the server and check that what it acknowledged survived. Off by default: a sync per
   * commit buys nothing for data that is thrown away.
   */
  readonly durable?: boolean;
}

export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres: a superuser, no password (trust). */
  readonly url: string;
  readonly port: number;
  /** The temporary folder: data directory, unix socket and server log. Removed by stop(). */
  readonly dir: string;
  /** The postmaster's process id (a new one after restart()). */
  readonly pid: number;
  /** Stops the server and removes its folder; safe to call twice. */
  stop(): Promise<void>;
  /**
   * Stops the server the way a crash does (`pg_ctl stop -m immediate`: no checkpoint, clients cut
   * off); the folder stays, so that restart() recovers from the write-ahead log.
   */
  crash(): Promise<void>;
  /** Stops the server cleanly (`-m fast`), keeping its folder. */
  halt(): Promise<void>;
  /** Starts the server again, on the same port and folder, after crash() or halt(). */
  restart(): Promise<void>;
  /**
   * Stops every process of the server with SIGSTOP, as a frozen host or a network black hole
   * looks to a client: connections stay open and new ones are accepted, but nothing answers.
   */
  freeze(): Promise<void>;
  /** Lets a frozen server go on (SIGCONT), as it was. */
  thaw(): Promise<void>;
}

// Settings for a server whose data is thrown away: durability buys nothing there and costs a
// sync per commit (ADR 0019). Enough connections for several suites' pools at once.
const testSettings = [
  "listen_addresses = '127.0.0.1'",
  'max_connections = 300',
  // Keep test output clean; the log file is still there while the server runs.
  "log_min_messages = 'warning'",
];
const noDurability = ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off'];

const portAttempts = 3;

export async function startThrowawayPostgres(options: ThrowawayPostgresOptions = {}): Promise<ThrowawayPostgres> {
  const bindir = findServerPrograms(options.searchDirs);
  const asPostgresUser = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'test-postgres-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const run = runner(bindir, asPostgresUser, dir);
  let pid: number | undefined;
  let frozen = false;
  const cleanUp = (): void => {
    removeExitHooks();
    try {
      // A stopped server would not see pg_ctl's signal, and its processes would outlive the test.
      if (frozen && pid !== undefined && isRunning(pid)) signalServer(pid, 'SIGCONT');
      stopServer(bindir, asPostgresUser, dataDir, pid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const removeExitHooks = installExitHooks(cleanUp);

  try {
    if (asPostgresUser) {
      // PostgreSQL refuses to run as root; the folder must belong to the user it runs as.
      const { uid, gid } = postgresUser();
      chownSync(dir, uid, gid);
      mkdirSync(dataDir, { mode: 0o700 });
      chownSync(dataDir, uid, gid);
    }
    await run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    appendFileSync(
      join(dataDir, 'postgresql.conf'),
      ['', `unix_socket_directories = '${dir}'`, ...testSettings, ...(options.durable === true ? [] : noDurability), ''].join('\n'),
    );

    const timeout = String(options.startTimeoutSeconds ?? 60);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await run('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', timeout, '-o', `-p ${String(port)}`, 'start']);
        break;
      } catch (error) {
        // Another process may have taken the port between our probe and the server's bind.
        if (attempt >= portAttempts || !logMentionsPortInUse(logFile)) throw withLog(error, logFile);
      }
    }
    pid = readPostmasterPid(dataDir);
    const url = `postgres://postgres@127.0.0.1:${String(port)}/postgres`;
    await ping(url);
    let stopped = false;
    const startedPid = (): number => {
      pid = readPostmasterPid(dataDir);
      return pid;
    };
    const serverPort = port;
    return {
      url,
      port,
      dir,
      get pid() {
        return pid ?? startedPid();
      },
      crash: () => run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']),
      halt: () => run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']),
      restart: async () => {
        await run('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', timeout, '-o', `-p ${String(serverPort)}`, 'start']).catch((error: unknown) => {
          throw withLog(error, logFile);
        });
        startedPid();
      },
      freeze: () => {
        frozen = true;
        signalServer(startedPid(), 'SIGSTOP');
        return Promise.resolve();
      },
      thaw: () => {
        signalServer(startedPid(), 'SIGCONT');
        frozen = false;
        return Promise.resolve();
      },
      stop: () => {
        if (!stopped) {
          stopped = true;
          cleanUp();
        }
        return Promise.resolve();
      },
    };
  } catch (error) {
    cleanUp();
    throw error;
  }
}

type Runner = (program: string, args: readonly string[]) => Promise<void>;

function runner(bindir: string, asPostgresUser: boolean, cwd: string): Runner {
  return (program, args) => {
    const [file, fullArgs] = command(bindir, asPostgresUser, program, args);
    return new Promise((resolve, reject) => {
      // cwd: the postgres user may not be allowed into the caller's folder.
      execFile(file, fullArgs, { cwd, encoding: 'utf8' }, (error, _stdout, stderr) => {
        if (error) reject(new Error(`${program} failed: ${stderr.trim() || error.message}`));
        else resolve();
      });
    });
  };
}

function command(bindir: string, asPostgresUser: boolean, program: string, args: readonly string[]): [string, string[]] {
  const path = join(bindir, program);
  return asPostgresUser ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, [...args]];
}

/**
 * Synchronous on purpose: it also runs from the process's 'exit' event, where nothing async
 * gets to finish. A fast shutdown first, so the server releases its port and memory cleanly;
 * SIGKILL if it does not go within ten seconds.
 */
function stopServer(bindir: string, asPostgresUser: boolean, dataDir: string, pid: number | undefined): void {
  const knownPid = pid ?? readPostmasterPidIfAny(dataDir);
  if (knownPid === undefined || !isRunning(knownPid)) return;
  const [file, args] = command(bindir, asPostgresUser, 'pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '10', 'stop']);
  spawnSync(file, args, { cwd: '/', stdio: 'ignore', timeout: 15_000 });
  // pg_ctl returns once postmaster.pid is gone, a moment before the process itself.
  if (!waitForExit(knownPid, 2_000)) {
    process.kill(knownPid, 'SIGKILL');
    waitForExit(knownPid, 2_000);
  }
}

/** Sends `signal` to the postmaster and each process it started (backends, checkpointer, ...). */
function signalServer(postmaster: number, signal: NodeJS.Signals): void {
  // The postmaster first: once it is stopped it starts no new process that the list would miss.
  process.kill(postmaster, signal);
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => parentOf(pid) === postmaster);
  for (const pid of children) {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone meanwhile: nothing to stop or go on.
    }
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // The command name (in parentheses) may hold spaces; the fields after it do not.
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function waitForExit(pid: number, ms: number): boolean {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const deadline = Date.now() + ms; isRunning(pid);) {
    if (Date.now() >= deadline) return false;
    Atomics.wait(pause, 0, 0, 20);
  }
  return true;
}

function installExitHooks(cleanUp: () => void): () => void {
  const onExit = (): void => {
    cleanUp();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanUp();
    // Our listener took away the default action (exit); give it back and let it happen.
    process.kill(process.pid, signal);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.removeListener('exit', onExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
}

function postgresUser(): { uid: number; gid: number } {
  const read = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: read('-u'), gid: read('-g') };
  } catch {
    throw new Error('running as root, but there is no postgres user to run the server as (PostgreSQL refuses root)');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

function readPostmasterPid(dataDir: string): number {
  const pid = readPostmasterPidIfAny(dataDir);
  if (pid === undefined) throw new Error(`pg_ctl reported a start, but ${dataDir}/postmaster.pid holds no pid`);
  return pid;
}

function readPostmasterPidIfAny(dataDir: string): number | undefined {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still means it is running.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped by whoever adopted it) answers signals but is gone.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

function logMentionsPortInUse(logFile: string): boolean {
  return existsSync(logFile) && /could not bind|Address already in use/.test(readFileSync(logFile, 'utf8'));
}

function withLog(error: unknown, logFile: string): Error {
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-10).join('\n') : '(no server log)';
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`${message}\n--- server log (last lines) ---\n${log}`);
}

async function ping(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    await client.end();
  }
}
