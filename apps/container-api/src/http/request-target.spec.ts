import { isApiRoute, oddSpelling } from './request-target';

const STATUS = '/core/api/v2/containers/:containerType/batch/status';

describe('isApiRoute', () => {
  it('takes the routes under the API prefix, and nothing else', () => {
    expect(isApiRoute(STATUS)).toBe(true);
    expect(isApiRoute('/core/api/v2/containers')).toBe(true);
    expect(isApiRoute('/core/api/v2/containersX')).toBe(false);
    expect(isApiRoute('/health')).toBe(false);
    expect(isApiRoute(undefined)).toBe(false);
  });
});

describe('oddSpelling', () => {
  it('accepts the plain spelling, with a query, and escapes inside parameters', () => {
    expect(oddSpelling('/core/api/v2/containers/bag/batch/status', STATUS)).toBeNull();
    expect(oddSpelling('/core/api/v2/containers/bag/batch/status?batchId=batch:x&y=%2e%2e', STATUS)).toBeNull();
    expect(oddSpelling('/core/api/v2/containers/%62ag/batch/status', STATUS)).toBeNull();
  });

  it.each([
    'http://x/core/api/v2/containers/bag/batch/status',
    '//core/api/v2/containers/bag/batch/status',
    '*core/api/v2/containers/bag/batch/status',
    '/core/api/v2/%63ontainers/bag/batch/status',
    '/core/api/v2/containers/bag/batch/%73tatus',
    '/core/api/v2/containers/bag/batch/STATUS',
    '/core/api/v2/containers/./batch/status',
    '/core/api/v2/containers/%2E%2e/batch/status',
    '/core/api/v2/containers//batch/status',
    '/core/api/v2/containers/bag/batch/status/',
    '/core/api/v2/containers/bag/extra/batch/status',
  ])('refuses %s', (target) => {
    expect(oddSpelling(target, STATUS)).toEqual(expect.any(String));
  });

  it('compares only the fixed part before a wildcard', () => {
    expect(oddSpelling('/docs/static/a.css', '/docs/*')).toBeNull();
    expect(oddSpelling('/%64ocs/static/a.css', '/docs/*')).toEqual(expect.any(String));
  });
});
