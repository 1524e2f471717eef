// The README's quick start runs as pasted: its ```sh blocks, fed in order to an interactive bash
// and zsh (when installed), against the built service started here on a free port, in development
// mode. `npm run -s token` reads the service's development secret through DATA_DIR, and the
// commands find the service through CONTAINER_API_URL, as the README tells people to set it.
// Beyond the exit code, the outcomes are checked: what each upload printed, the failed-rows file
// (against the README's copy of it) and the last batch as the service reports it. The quick start
// writes failed.csv and fixed.csv in the repository's folder, where it runs; they are removed after.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Running, start, stop } from './support/service-process';
import { SHELL_MISTAKES, Shell, hasShell, runPasted, shellBlocksUnder } from './support/readme-shell';

const ROOT = path.resolve(__dirname, '../../..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('shellBlocksUnder', () => {
  const markdown = [
    '# Title',
    '```sh',
    'echo before',
    '```',
    '## Quick start',
    'Text.',
    '```sh',
    'echo one',
    '```',
    '```bash',
    '# not a heading',
    'echo other language',
    '```',
    '### A step',
    '```sh',
    'echo two',
    'echo three',
    '```',
    '## Next',
    '```sh',
    'echo after',
    '```',
  ].join('\n');

  it('takes the sh blocks under the heading and its sub-headings, in order, and nothing else', () => {
    expect(shellBlocksUnder(markdown, 'Quick start')).toEqual(['echo one', 'echo two\necho three']);
  });

  it('finds nothing under a heading that is not there', () => {
    expect(shellBlocksUnder(markdown, 'Quickstart')).toEqual([]);
  });
});

describe("the README's quick start", () => {
  const commands = shellBlocksUnder(README, 'Quick start').join('\n');
  // What the README says the CSV part prints; the run must print the same.
  const firstUpload = 'PARTIAL_SUCCESS: 1 succeeded, 3 failed, 0 cancelled of 4';
  const secondUpload = 'SUCCESS: 3 succeeded, 0 failed, 0 cancelled of 3';
  // The files the quick start writes in the folder it runs in, the repository's.
  const written = ['failed.csv', 'fixed.csv'].map((name) => path.join(ROOT, name));

  it('is there, with sh blocks, and says what the uploads print', () => {
    expect(commands).toMatch(/\S/);
    expect(README).toContain(firstUpload);
    expect(README).toContain(secondUpload);
  });

  const shells: Shell[] = ['bash', 'zsh'];
  for (const shell of shells) {
    // zsh is not on every machine: without it the zsh run is reported as skipped, not passed.
    (hasShell(shell) ? it : it.skip)(
      `runs as pasted in ${shell}: type, JSON batch, status, CSV upload, failed rows fixed and uploaded again`,
      async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-quickstart-'));
        let service: Running | null = null;
        try {
          service = await start(dir);
          const run = await runPasted(shell, commands, {
            cwd: ROOT,
            env: { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8', CONTAINER_API_URL: service.url, DATA_DIR: path.join(dir, 'data') },
            timeoutMs: 120_000,
          });
          const shown = `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
          expect({ code: run.code, mistakes: SHELL_MISTAKES.exec(run.stderr)?.[0] ?? null, shown }).toEqual({ code: 0, mistakes: null, shown });

          // The JSON batch.
          expect(run.stdout).toMatch(/"status":"SUCCESS","success":3,"failed":0,"total":3/);

          // The upload with mistakes: followed to its end (plain lines, as stdout is a pipe here),
          // summed up, and exit code 2, which did not stop the pasted lines after it.
          expect(run.stdout).toMatch(/^PARTIAL_SUCCESS 100\.0% 4\/4 /m);
          expect(run.stdout).toContain(firstUpload);
          expect(run.stdout).toMatch(/^exit code 2$/m);

          // The failed rows: the three broken ones with their lines and codes, and the file as
          // the README shows it.
          const failed = fs.readFileSync(written[0]!, 'utf8').replace(/\r\n/g, '\n').trim();
          const [header, ...rows] = failed.split('\n');
          expect(header).toMatch(/,row,reason,code$/);
          expect(rows.map((row) => [row.split(',')[0], row.split(',')[5], row.split(',').at(-1)])).toEqual([
            ['fix-2', '3', 'ATTRIBUTE_INVALID'],
            ['fix-3', '4', 'ATTRIBUTE_INVALID'],
            ['fix-4', '5', 'ATTRIBUTE_INVALID'],
          ]);
          expect(README).toContain(failed);

          // The fixed rows, uploaded again: all succeed, as the service says too.
          expect(run.stdout).toContain(secondUpload);
          // (The batch's id starts its summary line; a curl answer has no newline at its end, so
          // the line the upload prints first may follow on the same line.)
          const batchId = new RegExp(`(batch:[0-9a-f-]{36}) ${secondUpload}`).exec(run.stdout)?.[1];
          expect(batchId).toBeDefined();
          const status = await fetch(`${service.url}/core/api/v2/containers/bag/batch/upload/status?batchId=${batchId!}`, {
            headers: { 'X-COREOS-TID': 'demo', 'X-COREOS-ACCESS': service.devToken!, 'X-COREOS-REQUEST-ID': 'quick-start-check' },
          });
          const { data } = (await status.json()) as { data: { meta: { status: string; source: string }; success: { refID: string }[] } };
          expect({ status: data.meta.status, source: data.meta.source, refIDs: data.success.map((item) => item.refID) }).toEqual({
            status: 'SUCCESS',
            source: 'file',
            refIDs: ['fix-2', 'fix-3', 'fix-4'],
          });
        } finally {
          if (service) await stop(service);
          fs.rmSync(dir, { recursive: true, force: true });
          for (const file of written) fs.rmSync(file, { force: true });
        }
      },
      180_000,
    );
  }
});
