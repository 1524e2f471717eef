import { DomainError, Result, domainError, err, ok } from '../result';
import { expectErr, expectOk } from './results';

describe('expectOk and expectErr', () => {
  it('give the value of a success and the error of a failure', () => {
    expect(expectOk(ok(3))).toBe(3);
    expect(expectErr(err(domainError('BATCH_NOT_FOUND', 'no such batch')), 'BATCH_NOT_FOUND')).toEqual({ code: 'BATCH_NOT_FOUND', message: 'no such batch' });
    expect(expectErr(err('too long'))).toBe('too long');
  });

  it('fail with what came instead', () => {
    expect(() => expectOk(err(domainError('BATCH_NOT_FOUND', 'no such batch')))).toThrow(
      'expected a successful result, got the error {"code":"BATCH_NOT_FOUND","message":"no such batch"}',
    );
    expect(() => expectErr(ok({ id: 'b-1' }))).toThrow('expected a failed result, got the value {"id":"b-1"}');
    const unauthorized: Result<never, DomainError<'UNAUTHORIZED' | 'BATCH_NOT_FOUND'>> = err(domainError('UNAUTHORIZED', 'no'));
    expect(() => expectErr(unauthorized, 'BATCH_NOT_FOUND')).toThrow(
      'expected a failed result with code BATCH_NOT_FOUND, got the error {"code":"UNAUTHORIZED","message":"no"}',
    );
  });
});
