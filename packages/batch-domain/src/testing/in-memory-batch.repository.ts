// The in-memory store for tests: one class over one state, as a real store is one database, so it
// provides every batch port (reads, writes, retention, processing, callbacks) and the test seeder,
// and behaves like the real adapters (see the contract suites).
import { BATCH_STATUSES, Batch, BatchStatus } from '../batch';
import { FailureResult, ItemOutcome, ItemResult, NewBatchItem, SuccessResult } from '../batch-item';
import {
  Backlog,
  BatchBacklog,
  BatchIntake,
  BatchListQuery,
  BatchListScope,
  BatchLocator,
  BatchReads,
  BatchRetention,
  BatchStatusView,
  BatchWrites,
  DuplicateReference,
  IntakeDraft,
  ResultsPageQuery,
  Submission,
  SubmitExtras,
  SubmitOutcome,
} from '../batch-repository.port';
import { CallbackAttempt, CallbackOutbox, CallbackShare, CallbackTarget, DueCallback, pickFairly } from '../callback';
import { BatchLease, BatchProcessingStore, ChunkSuperseded, ITEMS_PER_PART, PartPlan, PendingItem, RecordedChunk, tailPart } from '../batch-processing.port';
import { BatchSnapshot } from '../batch';
import { BatchSeeder } from './batch-seeder';

interface StoredItem {
  refId: string;
  row: number | null;
  input: unknown;
  deferred: boolean;
  result: ItemResult | null;
}

type PartLease = { owner: string; expiresAt: number } | null;

const storedItem = (item: NewBatchItem): StoredItem => ({
  refId: item.refId,
  row: item.row ?? null,
  input: structuredClone(item.input),
  deferred: item.deferred === true,
  result: null,
});

/**
 * The in-memory transaction. Each write made through it saves what it overwrites first, and a
 * throw in the work puts all of that back, newest first; other in-memory fakes whose writes
 * belong to the same transaction (an item handler's store) join it through `onRollback`.
 * Nothing else is undone, so a transaction that fails never takes back what another one
 * committed meanwhile. Unlike SQLite, the fake lets a write outside any transaction (a cancel, a
 * renewal) run while one is open; if that write touches what the open transaction wrote, a
 * rollback puts the older value back over it.
 */
export interface InMemoryTx {
  readonly id: number;
  /** Runs `undo` if this transaction rolls back. */
  onRollback(undo: () => void): void;
}

export class InMemoryBatchRepository
  implements BatchReads, BatchWrites, BatchRetention, BatchBacklog, BatchSeeder, BatchProcessingStore<InMemoryTx>, CallbackOutbox
{
  /** Stored callbacks, by batch key; read by tests. */
  readonly callbacks = new Map<
    string,
    { target: CallbackTarget; nextAttemptAt: number | null; lastError: string | null; leaseUntil: number; leaseOwner: string | null }
  >();
  private readonly batches = new Map<string, BatchSnapshot>();
  private readonly items = new Map<string, StoredItem[]>();
  /** The parts of each unfinished batch that have work left, and who leases each. */
  private readonly parts = new Map<string, Map<number, PartLease>>();
  /** The turn at which a batch of each tenant was last claimed (a counter, as the real adapter keeps). */
  private readonly served = new Map<string, number>();
  private turns = 0;
  private readonly submissions = new Map<string, { fingerprint: string; batchId: BatchSnapshot['id']; at: number }>();
  private readonly intakes = new Map<string, { items: StoredItem[]; refs: Map<string, number | null>; expiresAt: number }>();
  private txCount = 0;

  async transaction<T>(work: (tx: InMemoryTx) => Promise<T>): Promise<T> {
    const undo: Array<() => void> = [];
    try {
      return await work({ id: ++this.txCount, onRollback: (step) => undo.push(step) });
    } catch (error) {
      for (const step of undo.reverse()) step();
      throw error;
    }
  }

  async backlog(): Promise<Backlog> {
    const batches = Object.fromEntries(BATCH_STATUSES.map((status) => [status, 0])) as Record<BatchStatus, number>;
    let pendingItems = 0;
    let oldestPendingAt: number | null = null;
    for (const snapshot of this.batches.values()) {
      const batch = Batch.fromSnapshot(snapshot);
      batches[batch.status]++;
      if (batch.isFinished || batch.counts.pending === 0) continue;
      pendingItems += batch.counts.pending;
      oldestPendingAt = Math.min(oldestPendingAt ?? snapshot.createdAt, snapshot.createdAt);
    }
    return { batches, pendingItems, oldestPendingAt };
  }

  async load(_tx: InMemoryTx, locator: BatchLocator): Promise<Batch | null> {
    const snapshot = this.find(locator);
    return snapshot ? Batch.fromSnapshot(snapshot) : null;
  }

  async pendingItems(_tx: InMemoryTx, lease: BatchLease, limit: number): Promise<PendingItem[]> {
    const key = this.key(lease.locator.tenantId, lease.locator.batchId);
    if (this.find(lease.locator) === undefined) return [];
    return this.pendingOf(key, lease.part)
      .slice(0, limit)
      .map(({ item, seq }) => ({ seq, refId: item.refId, row: item.row, input: structuredClone(item.input) }));
  }

  /** The pending items of a part of the batch at `key`: its range's items not deferred, or (the tail) the deferred ones. */
  private pendingOf(key: string, part: number): Array<{ item: StoredItem; seq: number }> {
    const items = this.items.get(key) ?? [];
    const tail = part === tailPart(items.length);
    return items
      .map((item, seq) => ({ item, seq }))
      .filter(({ item, seq }) => item.result === null && (tail ? item.deferred : !item.deferred && Math.floor(seq / ITEMS_PER_PART) === part));
  }

  async claim(owner: string, kinds: readonly string[], now: number, expiresAt: number): Promise<BatchLease | null> {
    // Round robin between tenants (the one claimed least recently first), oldest batch first within one, then its first part.
    const turn = (tenantId: string) => this.served.get(tenantId) ?? -Infinity;
    const open = this.claimable(kinds, now).sort(
      (a, b) => turn(a.batch.tenantId) - turn(b.batch.tenantId) || a.batch.createdAt - b.batch.createdAt || a.part - b.part,
    );
    const first = open[0];
    if (!first) return null;
    const parts = this.parts.get(first.key);
    // A part still holding a lease here is one whose lease expired: it is taken over.
    const takenOver = (parts?.get(first.part) ?? null) !== null;
    parts?.set(first.part, { owner, expiresAt });
    this.served.set(first.batch.tenantId, ++this.turns);
    return { locator: this.locatorOf(first.batch), part: first.part, owner, expiresAt, ...(takenOver ? { takenOver } : {}) };
  }

  async othersWaiting(tenantId: string, kinds: readonly string[], now: number): Promise<boolean> {
    return this.claimable(kinds, now).some(({ batch }) => batch.tenantId !== tenantId);
  }

  private claimable(kinds: readonly string[], now: number): Array<{ key: string; batch: BatchSnapshot; part: number }> {
    const open: Array<{ key: string; batch: BatchSnapshot; part: number }> = [];
    for (const [key, parts] of this.parts) {
      const batch = this.batches.get(key);
      if (!batch || !kinds.includes(batch.kind) || batch.completedAt !== null) continue;
      const tail = tailPart(batch.total);
      for (const [part, lease] of parts) {
        if ((lease?.expiresAt ?? 0) > now) continue;
        // The tail waits for every other part: its items come after theirs.
        if (part === tail && parts.size > 1) continue;
        open.push({ key, batch, part });
      }
    }
    return open;
  }

  async renew(lease: BatchLease, now: number, expiresAt: number): Promise<boolean> {
    const parts = this.parts.get(this.key(lease.locator.tenantId, lease.locator.batchId));
    const held = parts?.get(lease.part);
    if (!parts || !held || held.owner !== lease.owner) return false;
    parts.set(lease.part, { owner: lease.owner, expiresAt: Math.max(expiresAt, now) });
    return true;
  }

  async release(lease: BatchLease): Promise<void> {
    const parts = this.parts.get(this.key(lease.locator.tenantId, lease.locator.batchId));
    if (parts?.get(lease.part)?.owner === lease.owner) parts.set(lease.part, null);
  }

  /** Opens the parts of a newly stored batch (none for a finished one). */
  private openParts(key: string, batch: Batch, items: readonly StoredItem[]): void {
    if (batch.isFinished) return;
    const plan = new PartPlan();
    for (const item of items) plan.note(item);
    this.parts.set(key, new Map(plan.parts().map((part) => [part, null])));
  }

  /** Claims the submission's key for `batch`, or says why not. */
  private claimSubmission(batch: Batch, submission: Submission | undefined): SubmitOutcome {
    if (!submission) return { kind: 'stored' };
    const key = this.key(batch.tenantId, submission.key);
    const held = this.submissions.get(key);
    if (held) return held.fingerprint === submission.fingerprint ? { kind: 'replayed', batchId: held.batchId } : { kind: 'conflict' };
    this.submissions.set(key, { fingerprint: submission.fingerprint, batchId: batch.id, at: batch.toSnapshot().createdAt });
    return { kind: 'stored' };
  }

  async claimDue(owner: string, kinds: readonly string[], now: number, leaseUntil: number, limit: number, share?: CallbackShare): Promise<DueCallback[]> {
    const due: Array<{ key: string; tenantId: string; completedAt: number; turn: number; callback: DueCallback }> = [];
    const turns = new Map<string, number>();
    const waiting = [...this.callbacks]
      .map(([key, callback]) => ({ key, callback, snapshot: this.batches.get(key) }))
      .filter(
        ({ callback, snapshot }) =>
          snapshot &&
          kinds.includes(snapshot.kind) &&
          snapshot.callbackState === 'PENDING' &&
          snapshot.completedAt !== null &&
          (callback.nextAttemptAt ?? 0) <= now &&
          callback.leaseUntil <= now,
      )
      .sort((a, b) => a.snapshot!.completedAt! - b.snapshot!.completedAt!);
    for (const { key, callback, snapshot } of waiting) {
      const s = snapshot!;
      const turn = (turns.get(s.tenantId) ?? 0) + 1;
      turns.set(s.tenantId, turn);
      due.push({
        key,
        tenantId: s.tenantId,
        completedAt: s.completedAt!,
        turn,
        callback: { locator: this.locatorOf(s), target: callback.target, attempts: s.callbackAttempts },
      });
    }
    due.sort((a, b) => a.turn - b.turn || a.completedAt - b.completedAt);
    const picked = pickFairly(due, limit, share);
    for (const { key } of picked) Object.assign(this.callbacks.get(key)!, { leaseUntil, leaseOwner: owner });
    return picked.map(({ callback }) => callback);
  }

  async recordAttempt(locator: BatchLocator, attempt: CallbackAttempt): Promise<void> {
    const key = this.key(locator.tenantId, locator.batchId);
    const snapshot = this.batches.get(key);
    const callback = this.callbacks.get(key);
    if (!snapshot || !callback) return;
    const batch = Batch.fromSnapshot(snapshot);
    batch.recordCallbackAttempt(attempt.delivered, attempt.maxAttempts);
    const next = batch.toSnapshot();
    this.batches.set(key, next);
    const target = next.callbackState === 'PENDING' ? callback.target : { ...callback.target, secret: null };
    Object.assign(callback, { target, nextAttemptAt: attempt.nextAttemptAt, lastError: attempt.error, leaseUntil: 0, leaseOwner: null });
  }

  async releaseClaim(locator: BatchLocator, owner: string): Promise<void> {
    const callback = this.callbacks.get(this.key(locator.tenantId, locator.batchId));
    if (callback && callback.leaseOwner === owner) Object.assign(callback, { leaseUntil: 0, leaseOwner: null });
  }

  async purgeFinishedBatches(before: number, maxItems: number): Promise<number> {
    for (const [key, snapshot] of this.batches) {
      if (snapshot.completedAt === null || snapshot.completedAt >= before) continue;
      const items = this.items.get(key) ?? [];
      const removed = items.splice(Math.max(0, items.length - maxItems)).length;
      if (items.length > 0) return removed;
      this.batches.delete(key);
      this.items.delete(key);
      this.parts.delete(key);
      this.callbacks.delete(key);
      return removed + 1;
    }
    return 0;
  }

  async purgeSubmissions(before: number, max: number): Promise<number> {
    let removed = 0;
    for (const [key, held] of this.submissions) {
      if (removed >= max) break;
      if (held.at < before) {
        this.submissions.delete(key);
        removed++;
      }
    }
    return removed;
  }

  async add(batch: Batch, items: Iterable<NewBatchItem>, extras: SubmitExtras = {}): Promise<SubmitOutcome> {
    const key = this.key(batch.tenantId, batch.id);
    if (this.batches.has(key)) throw new Error(`Batch ${batch.id} already stored`);
    const stored = [...items].map(storedItem);
    if (stored.length !== batch.counts.total) throw new Error(`Batch ${batch.id} has total ${batch.counts.total} but ${stored.length} items`);
    const outcome = this.claimSubmission(batch, extras.submission);
    if (outcome.kind !== 'stored') return outcome;
    this.batches.set(key, batch.toSnapshot());
    this.items.set(key, stored);
    this.openParts(key, batch, stored);
    if (extras.callback) this.callbacks.set(key, { target: extras.callback, nextAttemptAt: null, lastError: null, leaseUntil: 0, leaseOwner: null });
    return outcome;
  }

  async beginIntake(draft: IntakeDraft): Promise<BatchIntake> {
    const key = this.key(draft.tenantId, draft.batchId);
    if (this.batches.has(key) || this.intakes.has(key)) throw new Error(`Batch ${draft.batchId} already stored`);
    const intake = { items: [] as StoredItem[], refs: new Map<string, number | null>(), expiresAt: draft.expiresAt };
    this.intakes.set(key, intake);
    const gone = () => new Error(`Intake of ${draft.batchId} is gone`);
    return {
      append: async (items: readonly NewBatchItem[], expiresAt: number): Promise<DuplicateReference | null> => {
        if (this.intakes.get(key) !== intake) throw gone();
        const seen = new Map<string, number | null>();
        for (const item of items) {
          if (item.refId === '') continue;
          const first = intake.refs.has(item.refId) ? intake.refs.get(item.refId)! : seen.has(item.refId) ? seen.get(item.refId)! : undefined;
          if (first !== undefined) return { refId: item.refId, row: item.row ?? null, firstRow: first };
          seen.set(item.refId, item.row ?? null);
        }
        for (const [ref, row] of seen) intake.refs.set(ref, row);
        intake.items.push(...items.map(storedItem));
        intake.expiresAt = expiresAt;
        return null;
      },
      get count() {
        return intake.items.length;
      },
      commit: async (batch: Batch, extras: SubmitExtras = {}): Promise<SubmitOutcome> => {
        if (this.intakes.get(key) !== intake) throw gone();
        if (batch.counts.total !== intake.items.length) throw new Error(`Batch ${batch.id} has total ${batch.counts.total} but ${intake.items.length} items`);
        const outcome = this.claimSubmission(batch, extras.submission);
        if (outcome.kind !== 'stored') return outcome;
        this.intakes.delete(key);
        this.batches.set(key, batch.toSnapshot());
        this.items.set(key, intake.items);
        this.openParts(key, batch, intake.items);
        if (extras.callback) this.callbacks.set(key, { target: extras.callback, nextAttemptAt: null, lastError: null, leaseUntil: 0, leaseOwner: null });
        return outcome;
      },
      discard: async (): Promise<void> => {
        if (this.intakes.get(key) === intake) this.intakes.delete(key);
      },
    };
  }

  async purgeAbandonedIntakes(now: number, maxItems: number): Promise<number> {
    let removed = 0;
    for (const [key, intake] of this.intakes) {
      if (intake.expiresAt > now || removed >= maxItems) continue;
      const cut = intake.items.splice(0, maxItems - removed).length;
      removed += cut;
      if (intake.items.length === 0) {
        this.intakes.delete(key);
        removed++;
      }
    }
    return removed;
  }

  async recordChunk(tx: InMemoryTx, lease: BatchLease, outcomes: readonly ItemOutcome[], progress: (batch: Batch) => void): Promise<RecordedChunk> {
    const key = this.key(lease.locator.tenantId, lease.locator.batchId);
    const before = this.batches.get(key);
    const items = this.items.get(key);
    if (!before || !items) throw new Error(`Batch ${lease.locator.batchId} is not stored`);
    for (const { seq } of outcomes) {
      if (items[seq]?.result !== null) throw new ChunkSuperseded(`Item ${seq} of ${lease.locator.batchId} is no longer pending`);
    }
    const results = outcomes.flatMap(({ seq }) => (items[seq] ? [{ item: items[seq], result: items[seq].result }] : []));
    const parts = this.parts.get(key);
    const partsBefore = parts && new Map(parts);
    const batch = Batch.fromSnapshot(before);
    progress(batch);
    await this.recordOutcomes(batch, outcomes);
    const partDone = batch.isFinished || this.pendingOf(key, lease.part).length === 0;
    if (batch.isFinished) this.parts.delete(key);
    else if (partDone) parts?.delete(lease.part);
    tx.onRollback(() => {
      this.batches.set(key, before);
      for (const { item, result } of results) item.result = result;
      if (partsBefore) this.parts.set(key, partsBefore);
    });
    return { batch, partDone };
  }

  async recordOutcomes(batch: Batch, outcomes: readonly ItemOutcome[]): Promise<void> {
    const key = this.key(batch.tenantId, batch.id);
    const items = this.items.get(key);
    if (!items) throw new Error(`Batch ${batch.id} is not stored`);
    for (const outcome of outcomes) {
      const item = items[outcome.seq];
      if (!item || item.result !== null) throw new Error(`Item ${outcome.seq} of ${batch.id} is not pending`);
    }
    for (const outcome of outcomes) {
      const item = items[outcome.seq]!;
      item.result =
        outcome.kind === 'success'
          ? { seq: outcome.seq, refId: item.refId, row: item.row, outcome: 'success', resultId: outcome.resultId }
          : { seq: outcome.seq, refId: item.refId, row: item.row, outcome: 'failed', reason: outcome.reason, code: outcome.code };
    }
    this.keepProgress(key, batch);
  }

  async cancel(locator: BatchLocator, now: number): Promise<{ batch: Batch; cancelled: boolean } | null> {
    const snapshot = this.find(locator);
    if (!snapshot) return null;
    const batch = Batch.fromSnapshot(snapshot);
    if (!batch.cancel(now).ok) return { batch, cancelled: false };
    await this.recordCancellation(batch);
    return { batch, cancelled: true };
  }

  async list(scope: BatchListScope, query: BatchListQuery): Promise<Batch[]> {
    const after = query.after;
    return [...this.batches.values()]
      .filter((s) => s.tenantId === scope.tenantId && s.kind === scope.kind && s.targetType === scope.targetType)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .filter((s) => !after || s.createdAt < after.createdAt || (s.createdAt === after.createdAt && s.id < after.batchId))
      .map((s) => Batch.fromSnapshot({ ...s, columns: null }))
      .filter((b) => query.status === undefined || b.status === query.status)
      .slice(0, query.limit);
  }

  async recordCancellation(batch: Batch): Promise<void> {
    const key = this.key(batch.tenantId, batch.id);
    const items = this.items.get(key);
    if (!items) throw new Error(`Batch ${batch.id} is not stored`);
    items.forEach((item, seq) => {
      if (item.result === null) item.result = { seq, refId: item.refId, row: item.row, outcome: 'cancelled' };
    });
    this.keepProgress(key, batch);
  }

  async findResults(locator: BatchLocator, query: ResultsPageQuery): Promise<{ batch: Batch; items: ItemResult[] } | null> {
    const key = this.key(locator.tenantId, locator.batchId);
    const snapshot = this.find(locator);
    if (!snapshot) return null;
    const items = (this.items.get(key) ?? [])
      .filter(({ result: r }) => r !== null && r.seq > query.afterSeq && (query.outcome === undefined || r.outcome === query.outcome))
      .slice(0, query.limit)
      .map((item) => (query.withInput ? { ...item.result!, input: structuredClone(item.input) } : item.result!));
    return { batch: Batch.fromSnapshot(snapshot), items };
  }

  async findStatus(locator: BatchLocator, listLimit: number): Promise<BatchStatusView | null> {
    const key = this.key(locator.tenantId, locator.batchId);
    const snapshot = this.find(locator);
    if (!snapshot) return null;
    const results = (this.items.get(key) ?? []).map((item) => item.result);
    const failures = results.filter((r): r is FailureResult => r?.outcome === 'failed');
    const successes = results.filter((r): r is SuccessResult => r?.outcome === 'success');
    return {
      batch: Batch.fromSnapshot({ ...snapshot, columns: null }),
      failures: failures.slice(0, listLimit),
      successes: successes.slice(0, listLimit),
      hasMore: failures.length > listLimit || successes.length > listLimit,
    };
  }

  /** Stores a batch's progress; its header is set once, at submit, and never written again. */
  private keepProgress(key: string, batch: Batch): void {
    const columns = this.batches.get(key)?.columns ?? null;
    this.batches.set(key, { ...batch.toSnapshot(), columns });
    if (batch.isFinished) this.parts.delete(key);
  }

  /** The stored batch at `locator`: of that kind and type too, or none. */
  private find(locator: BatchLocator): BatchSnapshot | undefined {
    const snapshot = this.batches.get(this.key(locator.tenantId, locator.batchId));
    return snapshot && snapshot.kind === locator.kind && snapshot.targetType === locator.targetType ? snapshot : undefined;
  }

  private locatorOf(s: BatchSnapshot): BatchLocator {
    return { tenantId: s.tenantId, kind: s.kind, targetType: s.targetType, batchId: s.id };
  }

  private key(tenantId: string, batchId: string): string {
    return `${tenantId}\u0000${batchId}`;
  }
}
