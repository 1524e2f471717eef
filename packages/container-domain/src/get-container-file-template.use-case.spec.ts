import { StaticAccessVerifier } from '@container-service/batch-domain/testing';
import { GetContainerFileTemplate } from './get-container-file-template.use-case';
import { InMemoryContainerTypeRepository, aContainerType, expectErr, expectOk } from './testing';

async function setUp() {
  const types = new InMemoryContainerTypeRepository();
  await types.add(aContainerType({ tenantId: 'acme', name: 'bag' }));
  return new GetContainerFileTemplate(types, new StaticAccessVerifier().grant('tok', 'acme').grant('tok-g', 'globex'));
}

const caller = { accessToken: 'tok', tenantId: 'acme', containerType: 'bag' };

describe('GetContainerFileTemplate', () => {
  it("gives the template of the caller's type, for creates when no operation is named", async () => {
    const templates = await setUp();
    const create = expectOk(await templates.execute({ ...caller, operation: undefined }));
    expect(create.columns).toEqual(expect.arrayContaining(['refID', 'attributes.weight', 'attributes.colour']));
    expect(create.example[create.columns.indexOf('attributes.colour')]).toBe('grey');
    const update = expectOk(await templates.execute({ ...caller, operation: 'update' }));
    expect(update.columns[0]).toBe('containerId');
  });

  it('checks the token, then the type name and the operation, then whether the tenant has the type', async () => {
    const templates = await setUp();
    expectErr(await templates.execute({ ...caller, accessToken: 'nope', containerType: 'b4g', operation: 'delete' }), 'UNAUTHORIZED');
    expect(expectErr(await templates.execute({ ...caller, containerType: 'b4g', operation: 'delete' }), 'VALIDATION_FAILED').violations).toEqual([
      { path: 'containerType', message: 'must be 3 to 16 letters (A-Z, a-z)' },
    ]);
    expect(expectErr(await templates.execute({ ...caller, operation: 'delete' }), 'VALIDATION_FAILED').violations).toEqual([
      { path: 'operation', message: 'must be create or update' },
    ]);
    expectErr(await templates.execute({ ...caller, operation: ['create'] }), 'VALIDATION_FAILED');
    expectErr(await templates.execute({ ...caller, containerType: 'box', operation: 'create' }), 'CONTAINER_TYPE_NOT_FOUND');
    expectErr(await templates.execute({ accessToken: 'tok-g', tenantId: 'globex', containerType: 'bag', operation: 'create' }), 'CONTAINER_TYPE_NOT_FOUND');
  });
});
