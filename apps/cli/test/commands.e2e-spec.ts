// Every container-batch command, run as the built binary against the built service: answers,
// exit codes (0 all succeeded, 2 some items failed, 1 an error), files written, and where the
// connection settings come from.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { runCli } from './support/cli';
import { Service, startService } from './support/service';

jest.setTimeout(60_000);

describe('container-batch', () => {
  let service: Service;
  let env: Record<string, string>;
  let work: string;
  const file = (name: string, content: string): string => {
    const target = path.join(work, name);
    fs.writeFileSync(target, content);
    return target;
  };
  const cli = (...args: string[]) => runCli(args, env);
  /** The one line of a batch id that a submitting command prints first. */
  const batchIdOf = (stdout: string): string => {
    const id = /^(batch:[0-9a-f-]{36})$/m.exec(stdout)?.[1];
    if (id === undefined) throw new Error(`no batch id in:\n${stdout}`);
    return id;
  };

  beforeAll(async () => {
    service = await startService();
    env = { CONTAINER_API_URL: service.url, COREOS_TID: 'acme', COREOS_ACCESS: service.token('acme') };
    work = fs.mkdtempSync(path.join(service.dir, 'work-'));
    const attributes = file('attributes.json', JSON.stringify([{ name: 'weight', dataType: 'number', required: true }]));
    const created = await cli('types', 'create', 'bag', '--attributes', attributes);
    expect(created).toMatchObject({ code: 0, stdout: 'created container type bag\n', stderr: '' });
  });
  afterAll(() => service.stop());

  describe('help', () => {
    it('answers --help on the program and on every command with exit 0', async () => {
      const commands = [
        [],
        ['types'],
        ['types', 'create'],
        ['types', 'get'],
        ['types', 'list'],
        ['types', 'attributes'],
        ['submit'],
        ['upload'],
        ['retry'],
        ['status'],
        ['watch'],
        ['results'],
        ['cancel'],
        ['list'],
        ['template'],
      ];
      const runs = await Promise.all(commands.map((command) => runCli([...command, '--help'])));
      runs.forEach((run, i) => {
        expect({ command: commands[i], code: run.code, stderr: run.stderr }).toEqual({ command: commands[i], code: 0, stderr: '' });
        expect(run.stdout).toContain(`Usage: container-batch${commands[i]?.length === 0 ? '' : ` ${(commands[i] ?? []).join(' ')}`}`);
      });
      expect(runs[0]?.stdout).toContain('Exit codes: 0 all succeeded, 2 some items failed');
      expect(runs[7]?.stdout).toContain('--failed-out <file.csv>');
      await expect(runCli(['--version'])).resolves.toMatchObject({ code: 0, stdout: '0.1.0\n' });
    });
  });

  describe('types', () => {
    it('reads a type, lists the types and replaces the attribute configuration', async () => {
      const got = await cli('types', 'get', 'bag');
      expect(got.code).toBe(0);
      expect(JSON.parse(got.stdout)).toMatchObject({ id: 'bag', name: 'bag', isLeaf: false, attributes: [{ name: 'weight', dataType: 'number' }] });

      await expect(cli('types', 'list')).resolves.toMatchObject({ code: 0, stdout: 'bag\tnon-leaf\t1 attributes\n' });

      const next = file(
        'attributes-2.json',
        JSON.stringify({
          attributes: [
            { name: 'weight', dataType: 'number', required: true },
            { name: 'colour', dataType: 'string' },
          ],
        }),
      );
      const replaced = await cli('types', 'attributes', 'bag', '--set', next);
      expect(replaced.code).toBe(0);
      expect(JSON.parse(replaced.stdout).attributes.map((a: { name: string }) => a.name)).toEqual(['weight', 'colour']);
      const read = await cli('types', 'attributes', 'bag');
      expect(JSON.parse(read.stdout)).toMatchObject({ name: 'bag', attributes: [{ name: 'weight' }, { name: 'colour' }] });
    });

    it('exits 1 with one line naming the code when the service refuses', async () => {
      const again = await cli('types', 'create', 'bag');
      expect(again.code).toBe(1);
      expect(again.stdout).toBe('');
      expect(again.stderr).toMatch(/^container-batch: 100920021050 CONTAINER_TYPE_EXISTS \(HTTP 400\): .+\n$/);

      const missing = await cli('types', 'get', 'nope');
      expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/^container-batch: 100920043304 CONTAINER_TYPE_NOT_FOUND \(HTTP 400\)/) });
    });
  });

  describe('submit, status, results, retry', () => {
    let partial: string;

    it('submits a JSON batch that succeeds: the id, then with --wait the summary, exit 0', async () => {
      const items = file(
        'good.json',
        JSON.stringify([
          { refID: 'g-1', attributes: { weight: 1 } },
          { refID: 'g-2', attributes: { weight: 2 } },
        ]),
      );
      const run = await cli('submit', items, '-t', 'bag', '--wait');
      expect(run.code).toBe(0);
      const id = batchIdOf(run.stdout);
      expect(run.stdout).toBe(`${id}\n${id} SUCCESS: 2 succeeded, 0 failed, 0 cancelled of 2\n`);
    });

    it('exits 2 when items failed, and --failed-out writes the failed rows', async () => {
      const body = {
        payload: [
          { refID: 'p-1', attributes: { weight: 1 } },
          { refID: 'p-2', attributes: { weight: 'heavy' } },
        ],
      };
      const failedOut = path.join(work, 'submit-failed.csv');
      const run = await cli('submit', file('partial.json', JSON.stringify(body)), '--type', 'bag', '--failed-out', failedOut);
      expect(run.code).toBe(2);
      partial = batchIdOf(run.stdout);
      expect(run.stdout).toContain(`${partial} PARTIAL_SUCCESS: 1 succeeded, 1 failed, 0 cancelled of 2\n`);
      expect(run.stdout).toContain(`1 failed rows written to ${failedOut}\n`);
      const csv = fs.readFileSync(failedOut, 'utf8').trim().split(/\r?\n/);
      expect(csv[0]).toMatch(/^refID,.*attributes\.weight.*,reason/);
      expect(csv).toHaveLength(2);
      expect(csv[1]).toMatch(/^p-2,.*heavy.*must be a number/);
    });

    it('prints only the batch id without --wait, and status follows it (exit 2 once items failed)', async () => {
      const body = [{ refID: 's-1', attributes: { weight: 'x' } }];
      const run = await cli('submit', file('one-bad.json', JSON.stringify(body)), '-t', 'bag');
      expect(run.code).toBe(0);
      const id = batchIdOf(run.stdout);
      expect(run.stdout).toBe(`${id}\n`);

      const status = await cli('status', id, '-t', 'bag', '--wait', '30');
      expect(status).toMatchObject({ code: 2, stdout: `${id} FAILED: 0 succeeded, 1 failed, 0 cancelled of 1\n` });
      const json = await cli('status', id, '-t', 'bag', '--json');
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({ meta: { batchId: id, status: 'FAILED' }, errors: [{ refID: 's-1', code: 'ATTRIBUTE_INVALID' }] });
    });

    it('prints results as JSON lines, filtered with --failed, and as CSV into a file with -o', async () => {
      const all = await cli('results', partial, '-t', 'bag');
      expect(all.code).toBe(0);
      expect(
        all.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual([
        expect.objectContaining({ refID: 'p-1', outcome: 'success' }),
        expect.objectContaining({ refID: 'p-2', outcome: 'failed', code: 'ATTRIBUTE_INVALID' }),
      ]);
      const failed = await cli('results', partial, '-t', 'bag', '--failed');
      expect(
        failed.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).refID),
      ).toEqual(['p-2']);

      const out = path.join(work, 'results.csv');
      const written = await cli('results', partial, '-t', 'bag', '-o', out);
      expect(written).toMatchObject({ code: 0, stderr: `results written to ${out}\n` });
      const rows = fs.readFileSync(out, 'utf8').trim().split(/\r?\n/);
      expect(rows).toHaveLength(3);
      expect(rows[0]).toContain('refID');
    });

    it('watches a batch to its end with plain lines when stdout is piped, exit 2 as items failed', async () => {
      const run = await cli('watch', partial, '-t', 'bag');
      expect(run).toMatchObject({ code: 2, stderr: '' });
      expect(run.stdout).toMatch(/^PARTIAL_SUCCESS 100\.0% 2\/2 \d+ items\/s ETA 0s\n/m);
      expect(run.stdout).toContain(`${partial} PARTIAL_SUCCESS: 1 succeeded, 1 failed, 0 cancelled of 2\n`);
    });

    it('retries the failed items as a new batch and follows it', async () => {
      const run = await cli('retry', partial, '-t', 'bag', '--wait');
      expect(run.code).toBe(2);
      const id = batchIdOf(run.stdout);
      expect(id).not.toBe(partial);
      expect(run.stdout).toContain(`${id} FAILED: 0 succeeded, 1 failed, 0 cancelled of 1`);
    });

    it('refuses to cancel a finished batch: exit 1 with the conflict', async () => {
      const run = await cli('cancel', partial, '-t', 'bag');
      expect(run).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^container-batch: BATCH_NOT_CANCELLABLE \(HTTP 409\)/) });
    });

    it('lists the batches of a type, newest first, filtered by status', async () => {
      const all = await cli('list', '-t', 'bag');
      expect(all.code).toBe(0);
      expect(all.stdout).toContain(partial);
      const succeeded = await cli('list', '-t', 'bag', '--status', 'SUCCESS', '--json');
      const page = JSON.parse(succeeded.stdout);
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.every((meta: { status: string }) => meta.status === 'SUCCESS')).toBe(true);
      await expect(cli('list', '-t', 'bag', '--status', 'DONE')).resolves.toMatchObject({
        code: 1,
        stderr: expect.stringContaining("option '--status <status>' argument 'DONE' is invalid"),
      });
    });
  });

  describe('upload', () => {
    it('prints the template, uploads creates, then updates them with --update', async () => {
      const template = await cli('template', '-t', 'bag');
      expect(template.code).toBe(0);
      expect(template.stdout.split(/\r?\n/)[0]).toContain('attributes.weight');

      const creates = file('creates.csv', 'refID,attributes.weight\nu-1,1\nu-2,2\n');
      const created = await cli('upload', creates, '-t', 'bag', '--wait');
      expect(created.code).toBe(0);
      const createdId = batchIdOf(created.stdout);
      expect(created.stdout).toContain(`${createdId} SUCCESS: 2 succeeded, 0 failed, 0 cancelled of 2`);
      const ids = (await cli('results', createdId, '-t', 'bag', '--succeeded')).stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id as string);

      const updates = file('updates.csv', `containerId,attributes.weight\n${ids[0] ?? ''},10\n${ids[1] ?? ''},heavy\n`);
      const failedOut = path.join(work, 'update-failed.csv');
      const updated = await cli('upload', updates, '-t', 'bag', '--update', '--failed-out', failedOut);
      expect(updated.code).toBe(2);
      expect(updated.stdout).toContain('PARTIAL_SUCCESS: 1 succeeded, 1 failed, 0 cancelled of 2');
      expect(fs.readFileSync(failedOut, 'utf8')).toContain(ids[1]);
    });

    it('exits 1 for a file that is not there and for a type the tenant lacks', async () => {
      const missing = await cli('upload', path.join(work, 'nope.csv'), '-t', 'bag');
      expect(missing).toMatchObject({ code: 1, stdout: '', stderr: `container-batch: cannot read ${path.join(work, 'nope.csv')}: ENOENT\n` });
      const wrongType = await cli('upload', file('x.csv', 'refID\nx\n'), '-t', 'crate');
      expect(wrongType).toMatchObject({ code: 1, stderr: expect.stringMatching(/^container-batch: CONTAINER_TYPE_NOT_FOUND \(HTTP 404\)/) });
    });

    it('cancels a running batch: exit 0 and the cancelled count', async () => {
      const rows = ['refID,attributes.weight', ...Array.from({ length: 20_000 }, (_, i) => `c-${String(i)},${String(i)}`)].join('\n');
      const uploaded = await cli('upload', file('to-cancel.csv', rows), '-t', 'bag');
      const id = batchIdOf(uploaded.stdout);
      const cancelled = await cli('cancel', id, '-t', 'bag');
      expect(cancelled.code).toBe(0);
      expect(cancelled.stdout).toMatch(new RegExp(`^${id} CANCELLED: \\d+ succeeded, 0 failed, [1-9]\\d* cancelled of 20000\\n$`));
      await expect(cli('status', id, '-t', 'bag')).resolves.toMatchObject({ code: 2 });
    });
  });

  describe('connection settings', () => {
    it('takes flags over the environment', async () => {
      const flags = ['--url', service.url, '--tenant', 'acme', '--token', service.token('acme')];
      const wrongEnv = { CONTAINER_API_URL: 'http://127.0.0.1:9', COREOS_TID: 'other', COREOS_ACCESS: 'not-a-token' };
      await expect(runCli([...flags, 'types', 'list'], wrongEnv)).resolves.toMatchObject({ code: 0, stdout: expect.stringContaining('bag') });
      // Flags after the command work too.
      await expect(runCli(['types', 'list', ...flags], wrongEnv)).resolves.toMatchObject({ code: 0 });
      const badToken = await runCli(['types', 'list', '--token', 'not-a-token'], env);
      expect(badToken).toMatchObject({ code: 1, stderr: expect.stringMatching(/^container-batch: UNAUTHORIZED \(HTTP 401\)/) });
    });

    it("sees only the tenant's own types", async () => {
      const other = await runCli(['types', 'list'], { ...env, COREOS_TID: 'other', COREOS_ACCESS: service.token('other') });
      expect(other).toMatchObject({ code: 0, stdout: '' });
    });

    it('says how to get a token when there is none', async () => {
      const run = await runCli(['types', 'list'], { CONTAINER_API_URL: service.url });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        'container-batch: no access token: pass --token or set COREOS_ACCESS (for a service in development mode: export COREOS_ACCESS=$(npm run -s token -- --tenant demo))\n',
      );
    });

    it('exits 1 with one line when the service cannot be reached', async () => {
      const port = await freePort();
      const run = await runCli(['status', 'batch:00000000-0000-4000-8000-000000000000', '-t', 'bag', '--url', `http://127.0.0.1:${String(port)}`], env);
      expect(run).toMatchObject({ code: 1, stdout: '', stderr: `container-batch: cannot reach http://127.0.0.1:${String(port)}: ECONNREFUSED\n` });
    });

    it('exits 1 on a usage error', async () => {
      const run = await cli('status', 'batch:00000000-0000-4000-8000-000000000000');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("required option '-t, --type <containerType>' not specified");
    });
  });
});

/** A port nothing listens on: bound once by the OS, then closed. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
