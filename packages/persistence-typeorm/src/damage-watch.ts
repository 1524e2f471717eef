// Notices a damaged SQLite file and keeps the service from promising work on it. At start the
// file gets `PRAGMA quick_check`; afterwards any failure with SQLite's corruption codes marks the
// store damaged. The mark is also a file beside the database (`<file>-damaged`), so that every
// thread and process using that file (API, worker thread, `npm run worker`) sees it, and so that a
// restart refuses to start until an operator has repaired or restored the file and removed it.
import fs from 'node:fs';
import { DataSource } from 'typeorm';
import { driverErrorCode } from './sql';

/** Thrown instead of doing anything with a store known to be damaged. */
export class DatabaseDamagedError extends Error {
  constructor(readonly detail: string) {
    super(`the database is damaged (${detail})`);
    this.name = 'DatabaseDamagedError';
  }
}

/** SQLITE_CORRUPT and its extended codes, SQLITE_NOTADB: the file is not what SQLite wrote. */
function isCorruption(error: unknown): boolean {
  const code = driverErrorCode(error);
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/** How long a look at the marker file is trusted, so that a hot path stats it rarely. */
const MARKER_LOOK_MS = 1000;

export class DamageWatch {
  private damaged: string | null = null;
  private lookedAt = 0;

  /** `file` null for an in-memory store, which has nobody else to tell. */
  constructor(private readonly file: string | null) {}

  private get marker(): string | null {
    return this.file === null ? null : `${this.file}-damaged`;
  }

  /** At start: a store marked damaged earlier stays refused until the mark is removed by hand. */
  refuseIfMarked(): void {
    const marker = this.marker;
    if (marker === null || !fs.existsSync(marker)) return;
    const reason = readMarker(marker);
    throw new Error(`the database was found damaged earlier (${reason}); restore it from a backup or repair it, then remove ${marker}`);
  }

  /** Runs `open`, naming damage as such when SQLite cannot even read the file's header. */
  static async opening(open: () => Promise<unknown>): Promise<void> {
    try {
      await open();
    } catch (error) {
      if (isCorruption(error)) throw new Error(`the database file is damaged (${(error as Error).message}); restore it from a backup`, { cause: error });
      throw error;
    }
  }

  /** At start, before migrations: the whole file is read once and must be sound. */
  async checkAtStart(writer: DataSource): Promise<void> {
    if (this.file === null) return;
    let rows: Array<{ quick_check: string }>;
    try {
      rows = await writer.query<Array<{ quick_check: string }>>('PRAGMA quick_check(10)');
    } catch (error) {
      if (isCorruption(error)) throw new Error(`the database file is damaged (${(error as Error).message}); restore it from a backup`, { cause: error });
      throw error;
    }
    // One line of its findings each, without the "*** in database main ***" heading.
    const problems = rows.flatMap((row) => row.quick_check.split('\n')).filter((line) => line !== 'ok' && !line.startsWith('***'));
    if (problems.length > 0) {
      throw new Error(`the database file is damaged (PRAGMA quick_check: ${problems.slice(0, 3).join('; ')}); restore it from a backup`);
    }
  }

  /** Records `error` when it shows corruption; anything else is left to the caller. */
  note(error: unknown): void {
    if (this.damaged !== null || !isCorruption(error)) return;
    this.damaged = `${String(driverErrorCode(error))}: ${(error as Error).message}`;
    const marker = this.marker;
    if (marker === null) return;
    try {
      fs.writeFileSync(marker, `${new Date().toISOString()} ${this.damaged}\n`, { flag: 'wx' });
    } catch {
      // Already marked by another process, or the folder is not writable: this process knows anyway.
    }
  }

  /** Throws once this process, or any other using the file, has seen it damaged. */
  refuseIfDamaged(): void {
    if (this.damaged === null) this.lookAtMarker();
    if (this.damaged !== null) throw new DatabaseDamagedError(this.damaged);
  }

  private lookAtMarker(): void {
    const marker = this.marker;
    if (marker === null) return;
    const now = Date.now();
    if (now - this.lookedAt < MARKER_LOOK_MS) return;
    this.lookedAt = now;
    if (fs.existsSync(marker)) this.damaged = readMarker(marker);
  }
}

function readMarker(marker: string): string {
  try {
    return fs.readFileSync(marker, 'utf8').trim().slice(0, 300) || 'no detail recorded';
  } catch {
    return 'no detail recorded';
  }
}
