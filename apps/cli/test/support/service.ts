// The built service as a child process for the CLI's end-to-end tests: a free port, a temporary
// data folder and SQLite file, a shared token secret; stopped by its pid. Tokens come from the
// service's own `token` command, as the docs tell users to get them.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../../..');
const SERVICE_MAIN = path.join(REPO, 'apps/container-api/dist/main.js');
const MINT_TOKEN = path.join(REPO, 'apps/container-api/dist/cli/mint-token.js');
const SECRET = 'cli-e2e-secret-0123456789abcdef-0123456789';

export interface Service {
  readonly url: string;
  readonly dir: string;
  /** A token for `tenant`, from `npm run token`'s script. */
  token(tenant: string): string;
  stop(): Promise<void>;
}

export async function startService(): Promise<Service> {
  if (!fs.existsSync(SERVICE_MAIN)) throw new Error(`${SERVICE_MAIN} is missing: build the service first (npx turbo run build)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-e2e-'));
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATA_DIR: path.join(dir, 'data'),
    DATABASE_URL: `sqlite:${path.join(dir, 'service.sqlite')}`,
    AUTH_JWT_SECRET: SECRET,
  };
  const child = spawn(process.execPath, [SERVICE_MAIN], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await listeningUrl(child);
  return {
    url,
    dir,
    token: (tenant) => execFileSync(process.execPath, [MINT_TOKEN, '--tenant', tenant], { env: { ...env, PORT: '0' }, encoding: 'utf8' }).trim(),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(child.pid as number, 'SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listeningUrl(child: ChildProcess): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the service did not start:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        // Keep draining its output so that the service never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(url);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${String(code)}:\n${output}`));
    });
  });
}
