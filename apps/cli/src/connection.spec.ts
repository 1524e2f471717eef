import { CliError } from './cli-error';
import { resolveConnection } from './connection';

describe('resolveConnection', () => {
  it('takes flags first, then CONTAINER_API_URL, COREOS_TID and COREOS_ACCESS', () => {
    const env = { CONTAINER_API_URL: 'http://env:1', COREOS_TID: 'env-tenant', COREOS_ACCESS: 'env-token' };
    expect(resolveConnection({}, env)).toEqual({ url: 'http://env:1', tenant: 'env-tenant', token: 'env-token' });
    expect(resolveConnection({ url: 'https://flag', tenant: 'flag-tenant', token: 'Bearer flag-token' }, env)).toEqual({
      url: 'https://flag',
      tenant: 'flag-tenant',
      token: 'flag-token',
    });
  });

  it('defaults to the local development service and its tenant demo', () => {
    expect(resolveConnection({}, { COREOS_ACCESS: 't' })).toEqual({ url: 'http://localhost:3000', tenant: 'demo', token: 't' });
  });

  it('refuses a URL that is not http(s), and no token with the command that mints one', () => {
    expect(() => resolveConnection({ url: 'localhost:3000' }, { COREOS_ACCESS: 't' })).toThrow(CliError);
    expect(() => resolveConnection({ tenant: 'acme' }, { COREOS_ACCESS: ' ' })).toThrow('export COREOS_ACCESS=$(npm run -s token -- --tenant acme)');
  });
});
