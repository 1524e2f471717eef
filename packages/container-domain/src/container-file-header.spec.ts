import { MAX_ATTRIBUTE_COLUMNS, MAX_UNREAD_COLUMNS, containerFileHeaderProblem } from './container-file-header';

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
