import { parseTtl } from './token-minter';

describe('parseTtl', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['7d', 604800],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseTtl(text)).toBe(seconds);
  });

  it.each(['', '0', '1w', '-1h', 'h'])('refuses %p', (text) => {
    expect(parseTtl(text)).toBeNull();
  });
});
