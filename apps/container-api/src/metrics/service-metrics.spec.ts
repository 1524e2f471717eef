import { Backlog, BatchBacklog } from '@container-service/batch-domain';
import { FixedClock } from '@container-service/batch-domain/testing';
import { BACKLOG_CACHE_MS, ServiceMetrics } from './service-metrics';
import { postedWorkEvents, isWorkEventMessage, replayWorkEvent } from './work-events';

const T = 1_000_000;
const BACKLOG: Backlog = {
  batches: { QUEUED: 2, IN_PROGRESS: 1, SUCCESS: 4, PARTIAL_SUCCESS: 0, FAILED: 0, CANCELLED: 1 },
  pendingItems: 7,
  oldestPendingAt: T - 30_000,
};

class CountingBacklog implements BatchBacklog {
  reads = 0;
  failing = false;
  async backlog(): Promise<Backlog> {
    this.reads++;
    if (this.failing) throw new Error('database is locked');
    return BACKLOG;
  }
}

/** The value of the one sample of `name` whose line holds `labels`, as scraped. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels === '' ? ' ' : `{${labels}} `}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function setUp() {
  const source = new CountingBacklog();
  const clock = new FixedClock(T);
  const failures: unknown[] = [];
  const metrics = new ServiceMetrics({ backlog: source, clock, processMetrics: false, onBacklogFailure: (error) => failures.push(error) });
  return { source, clock, metrics, failures, scrape: async () => (await metrics.scrape()).body };
}

describe('ServiceMetrics', () => {
  it('reads the backlog at scrape time: batches by status, pending items, and the age of the oldest in seconds', async () => {
    const { scrape } = setUp();
    const text = await scrape();
    expect(sample(text, 'container_service_batches', 'status="QUEUED"')).toBe(2);
    expect(sample(text, 'container_service_batches', 'status="CANCELLED"')).toBe(1);
    expect(sample(text, 'container_service_items_pending')).toBe(7);
    expect(sample(text, 'container_service_processing_lag_seconds')).toBe(30);
  });

  it('reads the store once per cache period however many scrape, while the lag keeps ageing', async () => {
    const { source, clock, scrape } = setUp();
    await Promise.all([scrape(), scrape(), scrape()]);
    clock.advance(BACKLOG_CACHE_MS - 1);
    const cached = await scrape();
    expect(source.reads).toBe(1);
    expect(sample(cached, 'container_service_processing_lag_seconds')).toBeCloseTo(30 + (BACKLOG_CACHE_MS - 1) / 1000);
    clock.advance(1);
    await scrape();
    expect(source.reads).toBe(2);
  });

  it('answers a scrape while the store fails, with the backlog gauges unknown, and says so', async () => {
    const { source, scrape, failures } = setUp();
    source.failing = true;
    const text = await scrape();
    expect(sample(text, 'container_service_items_pending')).toBeNaN();
    expect(sample(text, 'container_service_processing_lag_seconds')).toBeNaN();
    expect(text).not.toContain('container_service_batches{');
    expect(failures).toHaveLength(1);
  });

  it('counts work by outcome, starting every series at 0', async () => {
    const { metrics, scrape } = setUp();
    expect(sample(await scrape(), 'container_service_items_processed_total', 'outcome="failed"')).toBe(0);
    metrics.work.itemsProcessed(5, 2);
    metrics.work.itemsProcessed(1, 0);
    metrics.work.callbackAttempted(false);
    metrics.work.callbackAttempted(true);
    metrics.work.leaseTakenOver();
    const text = await scrape();
    expect(sample(text, 'container_service_items_processed_total', 'outcome="succeeded"')).toBe(6);
    expect(sample(text, 'container_service_items_processed_total', 'outcome="failed"')).toBe(2);
    expect(sample(text, 'container_service_callback_attempts_total', 'outcome="delivered"')).toBe(1);
    expect(sample(text, 'container_service_callback_attempts_total', 'outcome="failed"')).toBe(1);
    expect(sample(text, 'container_service_lease_takeovers_total')).toBe(1);
  });

  it('counts what another thread posts as if it happened here', async () => {
    const { metrics, scrape } = setUp();
    const posted: unknown[] = [];
    const thread = postedWorkEvents({ postMessage: (message: unknown) => posted.push(structuredClone(message)) });
    thread.itemsProcessed(3, 1);
    thread.callbackAttempted(true);
    thread.leaseTakenOver();
    for (const message of posted) if (isWorkEventMessage(message)) replayWorkEvent(message, metrics.work);
    const text = await scrape();
    expect(sample(text, 'container_service_items_processed_total', 'outcome="succeeded"')).toBe(3);
    expect(sample(text, 'container_service_callback_attempts_total', 'outcome="delivered"')).toBe(1);
    expect(sample(text, 'container_service_lease_takeovers_total')).toBe(1);
    expect(isWorkEventMessage('ready')).toBe(false);
  });

  it('labels request latency with the route template, and unmatched requests with one label', async () => {
    const { metrics, scrape } = setUp();
    metrics.observeRequest('GET', '/core/api/v2/containers/:containerType/batch/status', 200, 0.003);
    metrics.observeRequest('GET', null, 404, 0.001);
    const text = await scrape();
    expect(
      sample(
        text,
        'container_service_http_request_duration_seconds_count',
        'method="GET",route="/core/api/v2/containers/:containerType/batch/status",status_code="200"',
      ),
    ).toBe(1);
    expect(sample(text, 'container_service_http_request_duration_seconds_count', 'method="GET",route="unmatched",status_code="404"')).toBe(1);
  });
});
