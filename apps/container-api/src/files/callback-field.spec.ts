import { judgeCallbackValue, readCallbackText } from './callback-field';

describe('callback field', () => {
  it('reads JSON text, and keeps text that is not JSON with its problem', () => {
    expect(readCallbackText('{"url":"https://example.com/h"}')).toEqual({ value: { url: 'https://example.com/h' }, problem: null });
    expect(readCallbackText('{url:')).toEqual({ value: '{url:', problem: 'must be JSON text' });
  });

  it("holds the body's rules: the nesting limit and numbers read as Infinity", () => {
    expect(judgeCallbackValue(JSON.parse(`${'['.repeat(65)}${']'.repeat(65)}`)).problem).toMatch(/more than 64 levels/);
    expect(readCallbackText('{"url":"https://example.com/h","meta":{"n":1e400}}').problem).toBe('holds a number too large to be read');
  });

  it('drops keys that could reach a prototype, as the JSON body does', () => {
    const read = readCallbackText('{"url":"https://example.com/h","meta":{"__proto__":{"x":1},"constructor":{"prototype":1},"k":1}}');
    expect(read).toEqual({ value: { url: 'https://example.com/h', meta: { k: 1 } }, problem: null });
  });
});
