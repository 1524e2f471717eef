import { isPlainText } from './plain-text';

describe('isPlainText', () => {
  it('takes any well-formed text, surrogate pairs, other control characters and U+FFFD included', () => {
    for (const text of ['r-1', '', 'emoji \u{1F4E6}', 'tab\there', 'line\nbreak', '\uFFFD', 'مرحبا', '\u202Eltr']) expect(isPlainText(text)).toBe(true);
  });

  it('refuses lone surrogates, high or low, anywhere, and NUL', () => {
    for (const text of ['\uD800', 'a\uDC00', '\uDBFFx', 'x\uDFFF', '\uDC00\uD800', 'nul\u0000inside', '\u0000']) expect(isPlainText(text)).toBe(false);
  });
});
