// SQLite files for the integration suites: each in a temporary folder of its own, every folder a
// file made removed when the test file ends (as postgres-scratch.ts drops its databases).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SqliteScratch {
  /** The path of a new database file, in a new folder. */
  readonly file: () => string;
  /** The same as a DATABASE_URL (`sqlite:<path>`). */
  readonly url: () => string;
}

export function sqliteScratch(prefix: string): SqliteScratch {
  const folders: string[] = [];
  afterAll(() => {
    for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
  });
  const file = (): string => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    folders.push(folder);
    return path.join(folder, 'db.sqlite');
  };
  return { file, url: () => `sqlite:${file()}` };
}
