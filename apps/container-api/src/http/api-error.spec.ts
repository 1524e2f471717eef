import { domainError, err, ok } from '@container-service/batch-domain';
import { ApiError, unwrap } from './api-error';
import { CONTAINER_TYPE_ROUTE_CODES } from './error-codes';

const thrown = (run: () => unknown): ApiError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
};

describe('ApiError.fromDomain', () => {
  it("answers the batch domain's missing target type as the catalog's CONTAINER_TYPE_NOT_FOUND", () => {
    const error = ApiError.fromDomain(domainError('TARGET_TYPE_NOT_FOUND', "No containerType 'bag' exists for this tenant."));
    expect([error.code, error.status, error.wireCode, error.description]).toEqual([
      'CONTAINER_TYPE_NOT_FOUND',
      404,
      'CONTAINER_TYPE_NOT_FOUND',
      "No containerType 'bag' exists for this tenant.",
    ]);
  });

  it('adds where the broken rules are listed to a domain sentence that has violations', () => {
    const violations = [{ path: 'limit', message: 'must be an integer from 1 to 500' }];
    const error = ApiError.fromDomain(domainError('VALIDATION_FAILED', 'The listing options break some rules.', violations));
    expect(error.description).toBe('The listing options break some rules. Each broken rule is listed in additionalInfo.violations.');
    expect(error.additionalInfo).toEqual({ violations });
  });

  it('says how a batch id is passed', () => {
    expect(ApiError.fromDomain(domainError('INVALID_BATCH_ID', 'A batch id is required, as batch:<uuid>.')).description).toBe(
      'The batchId query parameter is required, as batch:<uuid>.',
    );
  });

  it("spells the catalog code with the original service's code on routes that have one", () => {
    const error = thrown(() =>
      unwrap(err(domainError('CONTAINER_TYPE_NOT_FOUND', "No container type 'bag' exists for this tenant.")), CONTAINER_TYPE_ROUTE_CODES),
    );
    expect([error.code, error.wireCode, error.status]).toEqual(['CONTAINER_TYPE_NOT_FOUND', '100920043304', 400]);
  });

  it('passes a value through', () => {
    expect(unwrap(ok(42))).toBe(42);
  });
});
