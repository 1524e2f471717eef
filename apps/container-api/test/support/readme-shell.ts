// Runs a README's shell commands as a person pastes them: the fenced ```sh blocks under one heading,
// fed in order to an interactive bash or zsh (no start-up files), so that what bites at a prompt
// bites here too: zsh's globbing of an unquoted `?`, comments zsh does not take at its prompt, `!`
// history expansion in double quotes. `set -e` ends the run at the first failing command.
import { execFileSync, spawn } from 'node:child_process';

/** The bodies of the ```sh blocks under the heading `heading` (any level), up to the next heading of that level or higher. */
export function shellBlocksUnder(markdown: string, heading: string): string[] {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => /^#{1,6}\s/.test(line) && line.replace(/^#+\s+/, '').trim() === heading);
  if (start < 0) return [];
  const level = /^#+/.exec(lines[start]!)![0].length;
  const blocks: string[] = [];
  // Inside a fence: its marker, and the lines kept (null for a block of another language, whose
  // `#` lines are no headings).
  let open: { fence: string; lines: string[] | null } | null = null;
  for (const line of lines.slice(start + 1)) {
    if (open !== null) {
      if (line.trim() === open.fence) {
        if (open.lines !== null) blocks.push(open.lines.join('\n'));
        open = null;
      } else {
        open.lines?.push(line);
      }
      continue;
    }
    const headingLevel = /^(#{1,6})\s/.exec(line)?.[1]?.length;
    if (headingLevel !== undefined && headingLevel <= level) break;
    const fence = /^(`{3,})\s*(\S*)/.exec(line);
    if (fence) open = { fence: fence[1]!, lines: fence[2] === 'sh' ? [] : null };
  }
  return blocks;
}

export type Shell = 'bash' | 'zsh';

/** Whether `shell` is installed. */
export function hasShell(shell: Shell): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${shell}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const INTERACTIVE: Record<Shell, string[]> = { bash: ['--norc', '--noprofile', '-i'], zsh: ['-f', '-i'] };

/** What a prompt says when a pasted line went wrong, even where the shell carries on. */
export const SHELL_MISTAKES = /event not found|no matches found|command not found|parse error|bad substitution|unmatched|bad pattern/;

export interface ShellRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Feeds `commands` to an interactive `shell` in `cwd` with `env`, as pasted lines; its exit code and output. */
export function runPasted(shell: Shell, commands: string, options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ShellRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell, INTERACTIVE[shell], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(`set -e\n${commands}\nexit 0\n`);
  });
}
