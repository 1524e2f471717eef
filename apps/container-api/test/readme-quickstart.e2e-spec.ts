// The README's quick start runs as pasted: its ```sh blocks, fed in order to an interactive bash
// and zsh (when installed), against the built service started here on a free port, in development
// mode. `npm run -s token` reads the service's development secret through DATA_DIR, and the
// commands find the service through CONTAINER_API_URL, as the README tells people to set it.
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

  it('is there, with sh blocks', () => {
    expect(commands).toMatch(/\S/);
  });

  const shells: Shell[] = ['bash', 'zsh'];
  for (const shell of shells) {
    // zsh is not on every machine: without it the zsh run is reported as skipped, not passed.
    (hasShell(shell) ? it : it.skip)(
      `runs as pasted in ${shell}: type, JSON batch, status`,
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
          expect(run.stdout).toMatch(/"status":"SUCCESS","success":3,"failed":0,"total":3/);
        } finally {
          if (service) await stop(service);
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
      180_000,
    );
  }
});
