import { batchIdFromUuid, parseBatchId } from './batch-id';

describe('parseBatchId', () => {
  it('accepts batch:<lower-case uuid>', () => {
    expect(parseBatchId('batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e').ok).toBe(true);
  });

  it.each([
    undefined,
    '',
    'batch:',
    '2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e',
    'batch:2B0C7E3A-5F7E-4C1E-9D3A-0B6A4F1C2D3E',
    'batch:nope',
    ['batch:x'],
    `batch:${'a'.repeat(70)}`,
  ])('refuses %p with INVALID_BATCH_ID', (raw) => {
    const result = parseBatchId(raw);
    expect(!result.ok && result.error.code).toBe('INVALID_BATCH_ID');
  });

  it('builds an id from an upper-case uuid by lowering it', () => {
    expect(batchIdFromUuid('2B0C7E3A-5F7E-4C1E-9D3A-0B6A4F1C2D3E')).toBe('batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e');
  });
});
