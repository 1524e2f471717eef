import type { BatchStatusReport, FailureResult, SuccessResult } from '@container-service/batch-domain';
import { aBatch } from '@container-service/batch-domain/testing';
import type { FastifyRequest } from 'fastify';
import { successEnvelope } from '../http/envelope';
import { presentBatchStatus } from './batch-response.presenter';
import { batchStatusAnswer } from './batch-status.bytes';

const batchStatusText = (request: FastifyRequest, report: BatchStatusReport) => {
  const answer = batchStatusAnswer(request, report);
  return typeof answer === 'string' ? answer : answer.toString('utf8');
};
/** Lists as the store's cache hands them out: frozen, the same arrays read after read. */
const held = <T>(list: T[]): readonly T[] => Object.freeze(list);

const request = (url: string) => ({ url, raw: { url }, method: 'GET' }) as unknown as FastifyRequest;

function aReport(successes: readonly SuccessResult[], failures: readonly FailureResult[], overrides: Partial<BatchStatusReport> = {}): BatchStatusReport {
  const batch = aBatch({
    total: Math.max(3, successes.length + failures.length),
    createdBy: { id: 'u-1', name: 'Ada "the first"' },
    parentBatchId: 'batch:00000000-0000-4000-8000-0000000000aa',
  } as never);
  return {
    batch: batch.toSnapshot(),
    status: 'PARTIAL_SUCCESS',
    pending: 0,
    successes,
    failures,
    hasMore: false,
    progress: { percent: 100, itemsPerSecond: 12.5, etaMs: 0 },
    ...overrides,
  };
}

const success = (seq: number, refId: string, row: number | null): SuccessResult => ({ seq, refId, row, outcome: 'success', resultId: `bag:${seq}` });
const failure = (seq: number, refId: string, row: number | null): FailureResult => ({
  seq,
  refId,
  row,
  outcome: 'failed',
  reason: `bad "${refId}"\n\u2028é`,
  code: 'ITEM_INVALID',
});

/** What the route sent before: the whole envelope serialised. */
const asBefore = (url: string, report: BatchStatusReport) => JSON.stringify(successEnvelope(request(url), presentBatchStatus(report)));

describe('batchStatusAnswer', () => {
  it('is byte for byte the serialised envelope: rows or none, quotes, line separators, non-ASCII, progress, parent and actor', () => {
    const report = aReport([success(0, 'a', 2), success(1, 'b"\\', null), success(2, 'ü', 4)], [failure(3, 'c', 5), failure(4, 'd\u0000', null)], {
      hasMore: true,
    });
    const url = '/core/api/v2/containers/bag/batch/status?batchId=batch:1&x=%22';
    expect(batchStatusText(request(url), report)).toBe(asBefore(url, report));
  });

  it('is the UTF-8 of the serialised envelope, whatever the characters', () => {
    const report = aReport(held([success(0, '\ud83d\ude00 emoji', 2)]), held([failure(1, 'ü\u2028\ud800', null)]));
    const url = '/core/api/v2/containers/bag/batch/status?batchId=batch:1&q=%C3%BC';
    const answer = batchStatusAnswer(request(url), report);
    expect(Buffer.isBuffer(answer) && answer.equals(Buffer.from(asBefore(url, report), 'utf8'))).toBe(true);
  });

  it('answers lists read afresh (not held by the cache) with text, as before, keeping nothing', () => {
    const report = aReport([success(0, 'a', 2)], [failure(1, 'b', 3)]);
    const answer = batchStatusAnswer(request('/s?batchId=1'), report);
    expect(typeof answer).toBe('string');
    expect(answer).toBe(asBefore('/s?batchId=1', report));
  });

  it('keeps no answer whose meta and echo outweigh its lists: a small batch read through a long URL is made afresh', () => {
    const report = aReport(held([success(0, 'a', 2)]), held([]));
    const url = `/s?batchId=1&pad=${'x'.repeat(2000)}`;
    const first = batchStatusAnswer(request(url), report);
    const again = batchStatusAnswer(request(url), report);
    expect(again).not.toBe(first);
    expect(again.toString()).toBe(asBefore(url, report));
    const many = aReport(held(Array.from({ length: 100 }, (_, i) => success(i, `r-${i}`, i + 2))), held([]));
    expect(batchStatusAnswer(request('/s?batchId=2'), many)).toBe(batchStatusAnswer(request('/s?batchId=2'), many));
  });

  it('sends the same bytes again while the meta, the echo and both lists stay the same, and makes new ones when any changes', () => {
    const successes = held(Array.from({ length: 20 }, (_, i) => success(i, `r-${i}`, i + 2)));
    const failures = held([failure(20, 'b', 3)]);
    const report = aReport(successes, failures);
    const first = batchStatusAnswer(request('/s?batchId=1'), report);
    expect(batchStatusAnswer(request('/s?batchId=1'), aReport(successes, failures))).toBe(first);
    const otherEcho = batchStatusAnswer(request('/s?batchId=1&x=1'), report);
    expect(otherEcho).not.toBe(first);
    expect(otherEcho.toString()).toBe(asBefore('/s?batchId=1&x=1', report));
    const otherMeta = aReport(successes, failures, { progress: { percent: 100, itemsPerSecond: 1, etaMs: 0 } });
    expect(batchStatusAnswer(request('/s?batchId=1&x=1'), otherMeta).toString()).toBe(asBefore('/s?batchId=1&x=1', otherMeta));
    const otherFailures = aReport(successes, held([failure(20, 'other', 3)]));
    expect(batchStatusAnswer(request('/s?batchId=1&x=1'), otherFailures).toString()).toBe(asBefore('/s?batchId=1&x=1', otherFailures));
  });

  it('is the same text on every read of the same lists, with each read’s own meta and echo', () => {
    const successes = Object.freeze([success(0, 'a', 2)]);
    const failures = Object.freeze([failure(1, 'b', 3)]);
    const first = aReport(successes, failures);
    const later = aReport(successes, failures, { progress: { percent: 100, itemsPerSecond: 99, etaMs: 0 } });
    expect(batchStatusText(request('/s?batchId=1'), first)).toBe(asBefore('/s?batchId=1', first));
    expect(batchStatusText(request('/t?batchId=2'), later)).toBe(asBefore('/t?batchId=2', later));
  });

  it('answers each batch its own lists: text is kept per list, never shared between lists that look alike', () => {
    const mine = aReport([success(0, 'same', 2)], []);
    const theirs = aReport([{ ...success(0, 'same', 2), resultId: 'bag:theirs' }], []);
    expect(batchStatusText(request('/s'), mine)).toContain('"id":"bag:0"');
    expect(batchStatusText(request('/s'), theirs)).toContain('"id":"bag:theirs"');
    expect(batchStatusText(request('/s'), mine)).not.toContain('theirs');
  });

  it('answers empty lists and a running batch as before', () => {
    const running = aReport([], [], { status: 'IN_PROGRESS', pending: 3, progress: { percent: 0, itemsPerSecond: 0, etaMs: null } });
    expect(batchStatusText(request('/s'), running)).toBe(asBefore('/s', running));
  });
});
