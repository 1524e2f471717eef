// Which Node versions the service runs on (docs/operations.md, "Node versions"), checked first
// thing at start-up, before NestJS or the SQLite driver is loaded: a version known to fail is
// refused with one line saying why, instead of failing later in the middle of work (Node 24 with
// better-sqlite3 12 crashes during a CSV upload); one nobody has tested is run with a warning.
// Kept free of imports so that it runs on any version.

export type NodeVersionVerdict =
  { readonly kind: 'tested' } | { readonly kind: 'untested'; readonly why: string } | { readonly kind: 'refused'; readonly why: string };

const TESTED = 'the service is tested on Node 20.19 or later on 20';
const NEEDS_REQUIRE_ESM = "NestJS 12's packages are ES modules, which this Node cannot load from the service's CommonJS (it needs Node 20.19+ on 20 or 22.12+)";

/** The rule, from a version such as process.versions.node (`20.19.2`, with or without a `v`). */
export function judgeNodeVersion(version: string): NodeVersionVerdict {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return { kind: 'untested', why: `its version '${version}' cannot be read; ${TESTED}` };
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major >= 24) return { kind: 'refused', why: `better-sqlite3 12, the SQLite driver, crashes it during a CSV upload; ${TESTED}` };
  if (major < 20 || (major === 20 && minor < 19) || major === 21 || (major === 22 && minor < 12)) return { kind: 'refused', why: NEEDS_REQUIRE_ESM };
  if (major === 20) return { kind: 'tested' };
  return { kind: 'untested', why: `it is expected to work but has not been tested; ${TESTED}` };
}

/** One line for stderr about `version`, or null when it is a tested one. */
export function nodeVersionLine(program: string, version: string): string | null {
  const verdict = judgeNodeVersion(version);
  if (verdict.kind === 'tested') return null;
  const what = verdict.kind === 'refused' ? 'is not supported' : 'is not tested';
  return `${program}: Node ${version} ${what}: ${verdict.why} (see docs/operations.md, "Node versions")\n`;
}

/** Refuses to start on a Node version known to fail (exit 1), warns on an untested one. */
export function checkNodeVersion(program: string): void {
  const line = nodeVersionLine(program, process.versions.node);
  if (line === null) return;
  process.stderr.write(line);
  if (judgeNodeVersion(process.versions.node).kind === 'refused') process.exit(1);
}
