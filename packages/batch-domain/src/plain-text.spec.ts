import { asPlainText, clipText, isPlainText } from './plain-text';

describe('isPlainText', () => {
  it('takes any well-formed text, surrogate pairs, other control characters and U+FFFD included', () => {
    for (const text of ['r-1', '', 'emoji \u{1F4E6}', 'tab\there', 'line\nbreak', '\uFFFD', 'مرحبا', '\u202Eltr']) expect(isPlainText(text)).toBe(true);
  });

  it('refuses lone surrogates, high or low, anywhere, and NUL', () => {
    for (const text of ['\uD800', 'a\uDC00', '\uDBFFx', 'x\uDFFF', '\uDC00\uD800', 'nul\u0000inside', '\u0000']) expect(isPlainText(text)).toBe(false);
  });
});

describe('asPlainText', () => {
  it('leaves plain text as it is, the same string', () => {
    const text = 'attribute \u{1F4E6} is not configured';
    expect(asPlainText(text)).toBe(text);
  });

  it('turns each lone surrogate and each NUL into U+FFFD, and nothing else', () => {
    expect(asPlainText('a\uD800b\u0000c\uDC00')).toBe('a\uFFFDb\uFFFDc\uFFFD');
    expect(asPlainText('pair \uD83D\uDE00 then half \uD83D')).toBe('pair \u{1F600} then half \uFFFD');
    expect(isPlainText(asPlainText('\u0000\uDFFF\uD800'))).toBe(true);
  });
});

describe('clipText', () => {
  it('keeps text that fits, and cuts longer text to the length given', () => {
    expect(clipText('abc', 3)).toBe('abc');
    expect(clipText('abcdef', 4)).toBe('abcd');
  });

  it('never splits a surrogate pair: the cut moves before it', () => {
    expect(clipText('ab\u{1F600}cd', 3)).toBe('ab');
    expect(clipText('ab\u{1F600}cd', 4)).toBe('ab\u{1F600}');
    expect(isPlainText(clipText('\u{1F600}'.repeat(40), 63))).toBe(true);
  });
});
