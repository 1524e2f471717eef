// Set-up most e2e tests share: a container type defined for a tenant, accepted (202) or the test
// fails there with the answer, not later with a batch that names an unknown type.
import { expectStatus } from './answers';
import { BASE, TestApp } from './test-app';

export async function defineType(t: TestApp, body: unknown, tenant = 'acme'): Promise<void> {
  expectStatus(await t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(tenant), body }), 202);
}
