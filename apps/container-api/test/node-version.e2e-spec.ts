// The built service and worker refuse a Node version known to fail before they load anything,
// with one line naming the version and the guide (node-version.ts). The Node running the test
// is made to report another version by a preload script.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { judgeNodeVersion } from '../src/node-version';
import { DIST, MAIN, cleanEnv } from './support/service-process';

describe('the Node version check at start-up', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-node-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const runAs = (version: string, program: string) => {
    const preload = path.join(dir, `node-${version}.js`);
    fs.writeFileSync(preload, `Object.defineProperty(process.versions, 'node', { value: ${JSON.stringify(version)} });\n`);
    return spawnSync(process.execPath, ['--require', preload, program], {
      cwd: dir,
      env: cleanEnv({ DATABASE_URL: 'sqlite::memory:', PORT: '0' }),
      encoding: 'utf8',
      timeout: 20_000,
    });
  };

  it.each([
    ['container-api', MAIN],
    ['container-worker', path.join(DIST, 'worker.js')],
  ])(
    '%s refuses Node 24 with one line saying why and where to read more, and exits 1',
    (name, program) => {
      const run = runAs('24.1.0', program);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        `${name}: Node 24.1.0 is not supported: better-sqlite3 12, the SQLite driver, crashes it during a CSV upload; ` +
          'the service is tested on Node 20.19 or later on 20 (see docs/operations.md, "Node versions")\n',
      );
    },
    30_000,
  );

  it('refuses a Node that cannot load NestJS 12 (20.18) the same way', () => {
    const run = runAs('20.18.0', MAIN);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^container-api: Node 20\.18\.0 is not supported: [^\n]+ES modules[^\n]+\n$/);
  }, 30_000);

  it("matches package.json's engines, which name the tested versions only (and no engine-strict: npm warns, never refuses)", () => {
    const root = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { engines: { node: string } };
    expect(root.engines.node).toBe('>=20.19 <21');
    expect(['20.19.0', '20.20.2'].map((version) => judgeNodeVersion(version).kind)).toEqual(['tested', 'tested']);
    expect(['20.18.9', '21.0.0', '22.12.0', '24.0.0'].map((version) => judgeNodeVersion(version).kind)).toEqual(['refused', 'refused', 'untested', 'refused']);
    expect(fs.existsSync(path.resolve(__dirname, '../../../.npmrc')) ? fs.readFileSync(path.resolve(__dirname, '../../../.npmrc'), 'utf8') : '').not.toMatch(
      /engine-strict\s*=\s*true/,
    );
  });
});
