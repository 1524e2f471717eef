import { Writable } from 'node:stream';
import { createLogger, logFormatFor } from './logger';

const captured = () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, sink };
};

describe('logFormatFor', () => {
  it('writes readable lines to a terminal outside production, JSON everywhere else', () => {
    expect(logFormatFor({ logFormat: null, production: false }, true)).toBe('pretty');
    expect(logFormatFor({ logFormat: null, production: true }, true)).toBe('json');
    expect(logFormatFor({ logFormat: null, production: false }, false)).toBe('json');
  });

  it('does as LOG_FORMAT says when it is set', () => {
    expect(logFormatFor({ logFormat: 'json', production: false }, true)).toBe('json');
    expect(logFormatFor({ logFormat: 'pretty', production: true }, false)).toBe('pretty');
  });
});

describe('createLogger', () => {
  it('writes one JSON object per line by default', () => {
    const { lines, sink } = captured();
    createLogger('info', sink).info({ status: 404, code: 'NOT_FOUND' }, 'request served');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, service: 'container-api', status: 404, code: 'NOT_FOUND', msg: 'request served' });
  });

  it('writes readable lines when pretty, with the same fields and nothing secret', async () => {
    const { lines, sink } = captured();
    const logger = createLogger('info', sink, 'pretty');
    logger.info({ status: 404, code: 'NOT_FOUND', headers: { 'x-coreos-access': 'eyJ.secret.token' } }, 'request served');
    await new Promise((resolve) => setImmediate(resolve));
    const text = lines.join('\n');
    expect(() => JSON.parse(lines[0] ?? '')).toThrow();
    expect(text).toContain('request served');
    expect(text).toMatch(/code: "NOT_FOUND"/);
    expect(text).not.toContain('eyJ.secret.token');
  });
});
