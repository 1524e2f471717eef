// Callers that follow one batch (a status read with `?wait=N`, the event stream of §3.2) share its
// reads: while a batch has followers in this process, one status read per tick serves all of them,
// and a caller arriving meanwhile gets the last one if it is younger than a tick, or joins the read
// under way. A hundred watchers of one batch thus cost the store what one does. Only a located
// batch (the caller's token, type and id checked by GetBatchStatus.locate) is followed, and the
// key holds its tenant, so a report is never handed to another tenant.
import { BatchLocator, BatchStatusReport, GetBatchStatus } from '@container-service/batch-domain';
import { OnModuleDestroy } from '@nestjs/common';

/** One caller following a batch. */
export interface BatchFollower {
  /** A shared read of the batch; null once it is gone (deleted by retention). */
  seen(report: BatchStatusReport | null): void;
  /** The app is stopping: end now. */
  stop(): void;
}

/** How often a followed batch is read: at most once a second, as §3.2 paces progress events. */
export const FOLLOW_TICK_MS = 1_000;

interface Followed {
  readonly locator: BatchLocator;
  readonly followers: Set<BatchFollower>;
  readonly timer: NodeJS.Timeout;
  last: { report: BatchStatusReport | null; at: number } | null;
}

const keyOf = (tenantId: string, targetType: string, batchId: string): string => `${tenantId}\n${targetType}\n${batchId}`;
const locatorKey = (l: BatchLocator): string => keyOf(l.tenantId, l.targetType, l.batchId);

export class BatchWatches implements OnModuleDestroy {
  private readonly followed = new Map<string, Followed>();
  /** Reads under way, by batch, followed or not: callers arriving together share one. */
  private readonly reading = new Map<string, Promise<BatchStatusReport | null>>();
  private stopped = false;

  constructor(
    private readonly status: Pick<GetBatchStatus, 'read'>,
    private readonly tickMs = FOLLOW_TICK_MS,
  ) {}

  /** The batch as it is now: the last shared read when younger than a tick, else a read (shared with one under way). */
  async current(locator: BatchLocator): Promise<BatchStatusReport | null> {
    const last = this.followed.get(locatorKey(locator))?.last;
    if (last && Date.now() - last.at < this.tickMs) return last.report;
    return this.read(locator);
  }

  /** Adds a follower; it hears every shared read of the batch until the function returned is called. */
  follow(locator: BatchLocator, follower: BatchFollower): () => void {
    if (this.stopped) {
      follower.stop();
      return () => {};
    }
    const key = locatorKey(locator);
    let entry = this.followed.get(key);
    if (entry === undefined) {
      const created: Followed = { locator, followers: new Set(), timer: setInterval(() => void this.tick(created), this.tickMs), last: null };
      entry = created;
      this.followed.set(key, created);
    }
    entry.followers.add(follower);
    const followed = entry;
    return () => {
      followed.followers.delete(follower);
      if (followed.followers.size === 0 && this.followed.get(key) === followed) {
        clearInterval(followed.timer);
        this.followed.delete(key);
      }
    };
  }

  /**
   * Resolves with the batch once it is finished, or with its last shared read after `ms`, when
   * `abandoned` fires (the client went away) or when the app stops.
   */
  until(locator: BatchLocator, first: BatchStatusReport, ms: number, abandoned?: AbortSignal): Promise<BatchStatusReport> {
    return new Promise((resolve) => {
      let latest = first;
      let leave: () => void = () => {};
      let done = false;
      const end = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        abandoned?.removeEventListener('abort', end);
        leave();
        resolve(latest);
      };
      const timer = setTimeout(end, ms);
      abandoned?.addEventListener('abort', end);
      if (abandoned?.aborted) {
        end();
        return;
      }
      leave = this.follow(locator, {
        seen: (report) => {
          // Gone meanwhile (retention): the last state seen is the answer.
          if (report !== null) latest = report;
          if (report === null || report.pending === 0) end();
        },
        stop: end,
      });
    });
  }

  /** Something in this process changed the batch (a cancel): its followers hear it now, not at the next tick. */
  nudge(tenantId: string, targetType: string, batchId: string): void {
    const entry = this.followed.get(keyOf(tenantId, targetType, batchId));
    if (entry !== undefined) void this.tick(entry);
  }

  /** Ends every follower, so that no open stream or waiting request holds the server's close. */
  onModuleDestroy(): void {
    this.stopped = true;
    for (const entry of this.followed.values()) {
      clearInterval(entry.timer);
      for (const follower of [...entry.followers]) follower.stop();
    }
    this.followed.clear();
  }

  private read(locator: BatchLocator): Promise<BatchStatusReport | null> {
    const key = locatorKey(locator);
    const under = this.reading.get(key);
    if (under !== undefined) return under;
    const read = this.status.read(locator).finally(() => this.reading.delete(key));
    this.reading.set(key, read);
    read.then(
      (report) => {
        const entry = this.followed.get(key);
        if (entry !== undefined) entry.last = { report, at: Date.now() };
      },
      () => {},
    );
    return read;
  }

  private async tick(entry: Followed): Promise<void> {
    // A read under way (a caller arriving, a nudge) serves this tick.
    if (this.reading.has(locatorKey(entry.locator))) return;
    let report: BatchStatusReport | null;
    try {
      report = await this.read(entry.locator);
    } catch {
      // The store failed this once (it answers 503 elsewhere); followers hear the next tick's read.
      return;
    }
    for (const follower of [...entry.followers]) follower.seen(report);
  }
}
