// The service's Prometheus metrics (prom-client), one registry per app and the process's own:
// request latency by route template, processing counters fed by WorkEvents, and the store's
// backlog read at scrape time. Label values are bounded: route templates (never raw URLs),
// methods, status codes and outcomes; nothing names a tenant, a batch or a container type.
import { BATCH_STATUSES, Backlog, BatchBacklog, Clock } from '@container-service/batch-domain';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { WorkEvents } from './work-events';

export const METRIC_PREFIX = 'container_service_';
/** The label of requests no route matched (unknown paths, requests refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';
/**
 * How long a backlog read serves further scrapes: many scrapers (or a scraper per replica and a
 * person with curl) cost the store one read per this period per process, not one each.
 */
export const BACKLOG_CACHE_MS = 2000;
/** Request latency buckets, in seconds: status reads in milliseconds up to uploads of large files. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface ServiceMetricsOptions {
  /** Where the backlog gauges come from; null leaves them out (a process without a store to ask). */
  readonly backlog: BatchBacklog | null;
  readonly clock: Clock;
  /** Told when a backlog read fails; the scrape still answers, with those gauges unknown (NaN). */
  readonly onBacklogFailure?: (error: unknown) => void;
  /** Process metrics (CPU, memory, event loop lag) under METRIC_PREFIX; off in unit tests. */
  readonly processMetrics?: boolean;
}

/** Node's process metrics under METRIC_PREFIX, collected into one registry per process (see processRegistry). */
let processMetrics: Registry | null = null;

/**
 * The process's metrics registry, made once per loading of this module (once per process; once per
 * test file under Jest, which loads modules afresh for each): prom-client's event-loop monitor, once
 * started, runs (a timer every 10 ms) until the process ends, so an app that made its own each time
 * (tests start hundreds of apps) would leave one running per app. Apps of one process share it, and
 * a scrape by any of them resets its event-loop lag figures.
 */
function processRegistry(): Registry {
  if (processMetrics === null) {
    const made = new Registry();
    collectDefaultMetrics({ register: made, prefix: METRIC_PREFIX });
    processMetrics = made;
  }
  return processMetrics;
}

export class ServiceMetrics {
  readonly registry = new Registry();
  /** The process's own metrics, shared by every ServiceMetrics of the process; null when left out. */
  private readonly process: Registry | null;
  /** Counts this process's work (and, in the API, its worker thread's) into the registry. */
  readonly work: WorkEvents;
  private readonly requestDuration: Histogram<'method' | 'route' | 'status_code'>;
  private cached: { at: number; read: Promise<Backlog | null> } | null = null;

  constructor(private readonly options: ServiceMetricsOptions) {
    const registers = [this.registry];
    this.requestDuration = new Histogram({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: 'Time to answer an HTTP request, by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const items = new Counter({
      name: `${METRIC_PREFIX}items_processed_total`,
      help: 'Batch items whose outcome was recorded, by outcome (succeeded, failed).',
      labelNames: ['outcome'],
      registers,
    });
    const callbacks = new Counter({
      name: `${METRIC_PREFIX}callback_attempts_total`,
      help: 'Callback tries, by outcome (delivered, failed); a failed try is retried until the attempts run out.',
      labelNames: ['outcome'],
      registers,
    });
    const takeovers = new Counter({
      name: `${METRIC_PREFIX}lease_takeovers_total`,
      help: 'Parts of batches a worker took over after the lease of another (dead or stalled) worker expired.',
      registers,
    });
    // Present at 0 from the start, so that rates and alerts see a series before the first event.
    for (const outcome of ['succeeded', 'failed']) items.inc({ outcome }, 0);
    for (const outcome of ['delivered', 'failed']) callbacks.inc({ outcome }, 0);
    this.work = {
      itemsProcessed: (succeeded, failed) => {
        if (succeeded > 0) items.inc({ outcome: 'succeeded' }, succeeded);
        if (failed > 0) items.inc({ outcome: 'failed' }, failed);
      },
      callbackAttempted: (delivered) => callbacks.inc({ outcome: delivered ? 'delivered' : 'failed' }),
      leaseTakenOver: () => takeovers.inc(),
    };
    if (options.backlog !== null) this.backlogGauges();
    this.process = options.processMetrics === false ? null : processRegistry();
  }

  /** Notes one answered request; `route` is the matched route's template, or null when none matched. */
  observeRequest(method: string, route: string | null, statusCode: number, seconds: number): void {
    this.requestDuration.observe({ method, route: route ?? UNMATCHED_ROUTE, status_code: String(statusCode) }, seconds);
  }

  /** The registry in the Prometheus text format. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const registry = this.process === null ? this.registry : Registry.merge([this.registry, this.process]);
    return { contentType: this.registry.contentType, body: await registry.metrics() };
  }

  private backlogGauges(): void {
    const registers = [this.registry];
    // Each gauge reads the same (cached) backlog as the scrape collects it.
    const read = () => this.backlog();
    const clock = this.options.clock;
    new Gauge({
      name: `${METRIC_PREFIX}batches`,
      help: 'Stored batches of all tenants, by status (finished ones until retention removes them).',
      labelNames: ['status'],
      registers,
      async collect() {
        const backlog = await read();
        this.reset();
        if (backlog !== null) for (const status of BATCH_STATUSES) this.set({ status }, backlog.batches[status]);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}items_pending`,
      help: 'Items of all tenants waiting for an outcome.',
      registers,
      async collect() {
        this.set((await read())?.pendingItems ?? NaN);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}processing_lag_seconds`,
      help: 'Age of the oldest item waiting for an outcome (since its batch was submitted); 0 when none waits.',
      registers,
      async collect() {
        const backlog = await read();
        if (backlog === null) this.set(NaN);
        else this.set(backlog.oldestPendingAt === null ? 0 : Math.max(0, clock.now() - backlog.oldestPendingAt) / 1000);
      },
    });
  }

  /** The store's backlog, read at most once per BACKLOG_CACHE_MS (reads in flight are shared); null when it failed. */
  private backlog(): Promise<Backlog | null> {
    const now = this.options.clock.now();
    if (this.cached !== null && now - this.cached.at < BACKLOG_CACHE_MS) return this.cached.read;
    const source = this.options.backlog;
    const read =
      source === null
        ? Promise.resolve(null)
        : source.backlog().catch((error: unknown) => {
            this.options.onBacklogFailure?.(error);
            return null;
          });
    this.cached = { at: now, read };
    return read;
  }
}
