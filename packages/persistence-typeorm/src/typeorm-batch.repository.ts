// The batch ports over TypeORM (BatchReads, BatchWrites, BatchRetention) in one class, holding the
// store, the status cache and the secret sealer, and handing each job to its own file: intake
// (batch-intake), cancellation (batch-outcomes.writes), status, results and list reads
// (batch-*.reads), and retention (batch-retention). Each user is given the one port it needs.
// Methods return the job's promise as it is, without a further await.
import {
  Batch,
  BatchIntake,
  BatchListQuery,
  BatchListScope,
  BatchLocator,
  BatchReads,
  BatchRetention,
  BatchStatusView,
  BatchWrites,
  IntakeDraft,
  ItemResult,
  ResultsPageQuery,
  NewBatchItem,
  SubmitExtras,
  SubmitOutcome,
  SecretSealer,
} from '@container-service/batch-domain';
import { Database } from './database';
import { ResultHeadsCache } from './result-heads.cache';
import { addBatch, beginIntake } from './batch-intake';
import { cancelBatch } from './batch-outcomes.writes';
import { purgeAbandonedIntakes, purgeFinishedBatches, purgeSubmissions } from './batch-retention';
import { readStatus } from './batch-status.reads';
import { readResults } from './batch-results.reads';
import { listBatches } from './batch-list.reads';

export interface BatchRepositoryOptions {
  /**
   * List entries kept in memory for status reads, each batch's while its counts stay as they
   * were when its lists were read (see ResultHeadsCache); 0, the default, reads every list from the database.
   */
  readonly statusCacheEntries?: number;
  /** Seals callback secrets before they are stored; without it they are stored as given. */
  readonly secrets?: SecretSealer;
}

export class TypeOrmBatchRepository implements BatchReads, BatchWrites, BatchRetention {
  private readonly listHeads: ResultHeadsCache | null;
  private readonly secrets: SecretSealer | null;

  constructor(
    private readonly database: Database,
    options: BatchRepositoryOptions = {},
  ) {
    const entries = options.statusCacheEntries ?? 0;
    this.listHeads = entries > 0 ? new ResultHeadsCache(entries) : null;
    this.secrets = options.secrets ?? null;
  }

  add(batch: Batch, items: Iterable<NewBatchItem>, extras: SubmitExtras = {}): Promise<SubmitOutcome> {
    return addBatch(this.database, this.secrets, batch, items, extras);
  }

  beginIntake(draft: IntakeDraft): Promise<BatchIntake> {
    return beginIntake(this.database, this.secrets, draft);
  }

  cancel(locator: BatchLocator, now: number): Promise<{ batch: Batch; cancelled: boolean } | null> {
    return cancelBatch(this.database, locator, now);
  }

  findStatus(locator: BatchLocator, listLimit: number): Promise<BatchStatusView | null> {
    return this.database.read((manager) => readStatus(manager, this.listHeads, this.database.readsCommittedOnly, locator, listLimit));
  }

  findResults(locator: BatchLocator, query: ResultsPageQuery): Promise<{ batch: Batch; items: ItemResult[] } | null> {
    return this.database.read((manager) => readResults(manager, locator, query));
  }

  list(scope: BatchListScope, query: BatchListQuery): Promise<Batch[]> {
    return this.database.read((manager) => listBatches(manager, scope, query));
  }

  purgeFinishedBatches(before: number, maxItems: number): Promise<number> {
    return purgeFinishedBatches(this.database, before, maxItems);
  }

  purgeSubmissions(before: number, max: number): Promise<number> {
    return purgeSubmissions(this.database, before, max);
  }

  purgeAbandonedIntakes(now: number, maxItems: number): Promise<number> {
    return purgeAbandonedIntakes(this.database, now, maxItems);
  }
}
