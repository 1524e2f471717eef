// Wakeups across processes on PostgreSQL: LISTEN/NOTIFY on one channel. A process that stored work
// (a submit, a retry) announces it once the write committed, and every idle worker of every
// process hears it at once instead of at its next poll. Polling stays as the fallback: a
// notification is a hint, lost when no one listens or the connection is down, never a promise.
// The listener holds one connection of its own (LISTEN lives on a session, so not the pool's),
// and opens it again, with a growing pause, whenever it is lost: a database restart costs
// wakeups only while it lasts.
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { WorkWakeups } from './database';

/** The channel every process of the service announces work on and listens to. */
export const WORK_CHANNEL = 'container_service_work';
/** The pauses before opening a lost listening connection again: from the first to the last, doubling. */
const RECONNECT_MS = { first: 250, last: 10_000 };
/** How long opening the listening connection may take before it counts as lost (and is tried again). */
const LISTEN_CONNECT_TIMEOUT_MS = 5000;

export class PostgresWakeups implements WorkWakeups {
  constructor(
    private readonly url: string,
    private readonly source: DataSource,
  ) {}

  async announce(): Promise<void> {
    await this.source.query('SELECT pg_notify($1, $2)', [WORK_CHANNEL, '']);
  }

  listen(listener: () => void, onError: (error: unknown) => void = () => undefined): () => Promise<void> {
    let stopped = false;
    let client: Client | null = null;
    let pause = RECONNECT_MS.first;
    let timer: NodeJS.Timeout | null = null;

    const connect = async (): Promise<void> => {
      if (stopped) return;
      const next = new Client({ connectionString: this.url, keepAlive: true, connectionTimeoutMillis: LISTEN_CONNECT_TIMEOUT_MS });
      // A lost connection must never take the process down: it is reopened instead.
      next.on('error', (error) => {
        onError(error);
        lost(next);
      });
      next.on('end', () => lost(next));
      next.on('notification', (message) => {
        if (message.channel === WORK_CHANNEL) listener();
      });
      client = next;
      try {
        await next.connect();
        await next.query(`LISTEN ${WORK_CHANNEL}`);
        pause = RECONNECT_MS.first;
        // Work may have been announced while no one listened: look once, as a poll would.
        listener();
      } catch (error) {
        onError(error);
        lost(next);
      }
    };
    const lost = (which: Client): void => {
      if (client !== which) return;
      client = null;
      void which.end().catch(() => undefined);
      if (stopped) return;
      timer = setTimeout(() => void connect(), pause);
      timer.unref();
      pause = Math.min(pause * 2, RECONNECT_MS.last);
    };

    void connect();
    return async () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      const last = client;
      client = null;
      await last?.end().catch(() => undefined);
    };
  }
}
