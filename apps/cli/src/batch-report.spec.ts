import type { BatchMeta } from '@container-service/client';
import { exitCodeFor, formatEta, progressLine, summaryLine } from './batch-report';

const meta = (overrides: Partial<BatchMeta>): BatchMeta => ({
  status: 'IN_PROGRESS',
  success: 10,
  failed: 0,
  total: 40,
  batchId: 'batch:1',
  containerType: 'bag',
  operation: 'create',
  source: 'file',
  pending: 30,
  cancelled: 0,
  createdAt: 0,
  startedAt: 0,
  completedAt: null,
  hasMore: false,
  callback: { state: 'NONE', attempts: 0 },
  progress: { percent: 25, itemsPerSecond: 0, etaMs: null },
  createdBy: { id: 'demo' },
  ...overrides,
});

describe('batch report', () => {
  it('exits 0 while nothing failed, 2 once an item failed or was cancelled', () => {
    expect(exitCodeFor(meta({ status: 'SUCCESS', success: 40, pending: 0 }))).toBe(0);
    expect(exitCodeFor(meta({}))).toBe(0);
    expect(exitCodeFor(meta({ status: 'PARTIAL_SUCCESS', success: 39, failed: 1, pending: 0 }))).toBe(2);
    expect(exitCodeFor(meta({ status: 'CANCELLED', cancelled: 30, pending: 0 }))).toBe(2);
  });

  it('says the ETA in seconds, minutes or hours, and ? while unknown', () => {
    expect([null, 0, 1, 45_200, 185_000, 3_720_000].map(formatEta)).toEqual(['?', '0s', '1s', '46s', '3m05s', '1h02m']);
  });

  it('reads the progress from meta.progress', () => {
    expect(progressLine(meta({ progress: { percent: 25, itemsPerSecond: 1234.4, etaMs: 24_000 } }))).toBe('IN_PROGRESS 25.0% 10/40 1234 items/s ETA 24s');
    expect(progressLine(meta({}))).toBe('IN_PROGRESS 25.0% 10/40 0 items/s ETA ?');
    expect(summaryLine(meta({}))).toBe('batch:1 IN_PROGRESS: 10 succeeded, 0 failed, 0 cancelled, 30 pending of 40');
  });
});
