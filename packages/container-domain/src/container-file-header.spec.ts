import { InMemoryContainerTypeRepository, aContainerType } from './testing';
import {
  MAX_ATTRIBUTE_COLUMNS,
  MAX_UNREAD_COLUMNS,
  containerFileHeaderCheck,
  containerFileHeaderProblem,
  misnamedColumnsProblem,
} from './container-file-header';

const attributes = (n: number) => Array.from({ length: n }, (_, i) => `attributes.a${i}`);
const others = (n: number) => Array.from({ length: n }, (_, i) => `note${i}`);

describe('containerFileHeaderProblem', () => {
  it('takes every known column, 256 attribute columns and 32 unread ones', () => {
    expect(
      containerFileHeaderProblem('create', [
        'refID',
        'scannableId',
        'isHazmat',
        'isContainerizable',
        'isReusable',
        'parentId',
        'trackingDetails',
        'items',
        ...attributes(MAX_ATTRIBUTE_COLUMNS),
        ...others(MAX_UNREAD_COLUMNS),
      ]),
    ).toBeNull();
    expect(containerFileHeaderProblem('update', ['containerId', 'trackingDetails', 'items', 'reason', 'code'])).toBeNull();
  });

  it('refuses a 257th attribute column', () => {
    expect(containerFileHeaderProblem('create', ['refID', ...attributes(MAX_ATTRIBUTE_COLUMNS + 1)])).toBe(
      'the header has 257 attributes.* columns; at most 256 are allowed',
    );
  });

  it('counts the columns of the other operation as unread, and refuses a 33rd', () => {
    expect(containerFileHeaderProblem('update', ['containerId', 'refID', 'scannableId', ...others(MAX_UNREAD_COLUMNS - 2)])).toBeNull();
    expect(containerFileHeaderProblem('update', ['containerId', 'refID', 'scannableId', ...others(MAX_UNREAD_COLUMNS - 1)])).toBe(
      'the header has 33 columns that are not update columns; at most 32 are allowed',
    );
  });

  it('refuses an attribute column without a name', () => {
    expect(containerFileHeaderProblem('create', ['refID', 'attributes.'])).toBe("the column 'attributes.' names no attribute");
  });
});

describe('containerFileHeaderProblem, separators', () => {
  it("refuses a header cell holding a ';' (separators mixed) or a tab (a tab-separated file)", () => {
    expect(containerFileHeaderProblem('create', ['refID;scannableId', 'note'])).toBe(
      "the header cell 'refID;scannableId' holds a ';': a file is read as separated by ';' only when its header line has no ',' outside quotes; separate all cells by ',' or all by ';'",
    );
    expect(containerFileHeaderProblem('update', ['containerId\titems'])).toBe(
      "the header cell 'containerId\titems' holds a tab: files separated by tabs are not read; separate cells by ',' or ';'",
    );
  });
});

describe('misnamedColumnsProblem', () => {
  it('takes known columns, attribute columns, failed-rows columns and notes', () => {
    expect(misnamedColumnsProblem('create', ['refID', 'attributes.weight', 'row', 'reason', 'code', 'note', 'Weights'], ['weight'])).toBeNull();
    expect(misnamedColumnsProblem('update', ['containerId', 'items', 'reason'], ['reason', 'code', 'row'])).toBeNull();
  });

  it('names a known column in another letter case, with its spelling', () => {
    expect(misnamedColumnsProblem('create', ['refid', 'ScannableID', 'note'], [])).toBe(
      "the header has columns that would be ignored as they are named (names are case-sensitive, attributes take the 'attributes.' prefix): 'refid' is spelled 'refID'; 'ScannableID' is spelled 'scannableId'",
    );
    expect(misnamedColumnsProblem('update', ['containerID'], [])).toContain("'containerID' is spelled 'containerId'");
  });

  it('names an attribute without its prefix, in any case, and the prefix in another case', () => {
    expect(misnamedColumnsProblem('create', ['refID', 'weight', 'Fragile', 'Attributes.label'], ['weight', 'fragile'])).toBe(
      "the header has columns that would be ignored as they are named (names are case-sensitive, attributes take the 'attributes.' prefix): 'weight' names the attribute 'weight': its column is 'attributes.weight'; 'Fragile' names the attribute 'fragile': its column is 'attributes.fragile'; 'Attributes.label' is spelled 'attributes.label'",
    );
  });

  it('names five and counts the rest', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect(misnamedColumnsProblem('create', ['refID', ...names], names)).toMatch(/'e' names the attribute 'e': its column is 'attributes.e'; and 2 more$/);
  });
});

describe('containerFileHeaderCheck', () => {
  const target = { tenantId: 'acme', targetType: 'bag' };
  async function setUp() {
    const types = new InMemoryContainerTypeRepository();
    await types.add(aContainerType({ tenantId: 'acme', name: 'bag', attributes: [{ name: 'weight', dataType: 'number' }] }));
    let finds = 0;
    const counting = { find: async (tenantId: string, name: string) => (finds++, types.find(tenantId, name)) };
    return { check: containerFileHeaderCheck(counting), finds: () => finds };
  }

  it("names the type's attribute written without its prefix", async () => {
    const { check } = await setUp();
    expect(await check('create', ['refID', 'weight'], target)).toContain("'weight' names the attribute 'weight'");
    expect(await check('create', ['refID', 'weight'], { tenantId: 'other', targetType: 'bag' })).toBeNull();
  });

  it('reads the type only for a header with a column it would not read', async () => {
    const { check, finds } = await setUp();
    expect(await check('create', ['refID', 'attributes.weight', 'reason', 'code', 'row'], target)).toBeNull();
    expect(finds()).toBe(0);
    expect(await check('create', ['refID', 'note'], target)).toBeNull();
    expect(finds()).toBe(1);
  });

  it('answers the size rules first', async () => {
    const { check } = await setUp();
    expect(await check('create', ['refID', 'attributes.'], target)).toBe("the column 'attributes.' names no attribute");
  });
});
