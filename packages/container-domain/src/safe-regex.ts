// Refuses regular expressions that can backtrack catastrophically, so that checking an item's
// attribute never stalls a worker. The check is deliberately conservative: it allows star height
// one (no repeated group that itself contains a quantifier or an alternation; '?' is fine) and no
// backreferences. See docs/adr/0004-attribute-regex-safety.md.

export const MAX_REGEX_LENGTH = 256;

interface Group {
  hasQuantifier: boolean;
  hasAlternation: boolean;
}

export type RegexVerdict = { safe: true } | { safe: false; reason: string };

export function checkRegexSafety(pattern: string): RegexVerdict {
  if (pattern.length > MAX_REGEX_LENGTH) return { safe: false, reason: `must be at most ${MAX_REGEX_LENGTH} characters` };
  try {
    new RegExp(pattern, 'u');
  } catch {
    return { safe: false, reason: 'is not a valid regular expression' };
  }
  const stack: Group[] = [{ hasQuantifier: false, hasAlternation: false }];
  let lastClosed: Group | null = null;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    const top = stack[stack.length - 1]!;
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return { safe: false, reason: 'must not use backreferences' };
      i++;
      lastClosed = null;
      continue;
    }
    if (ch === '[') {
      // Skip a character class: quantifier characters inside it are literals.
      i++;
      if (pattern[i] === '^') i++;
      if (pattern[i] === ']') i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      lastClosed = null;
      continue;
    }
    if (ch === '(') {
      stack.push({ hasQuantifier: false, hasAlternation: false });
      // Skip a group prefix such as ?: ?= ?! ?<= ?<! or ?<name>, whose '?' is no quantifier.
      const prefix = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(i + 1));
      if (prefix) i += prefix[0].length;
      lastClosed = null;
      continue;
    }
    if (ch === ')') {
      const closed = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      parent.hasQuantifier ||= closed.hasQuantifier;
      parent.hasAlternation ||= closed.hasAlternation;
      lastClosed = closed;
      continue;
    }
    if (ch === '|') {
      top.hasAlternation = true;
      lastClosed = null;
      continue;
    }
    const isQuantifier = ch === '*' || ch === '+' || ch === '?' || (ch === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)));
    if (isQuantifier) {
      // An optional group ('?') runs at most once, so only repeating quantifiers are dangerous.
      if (ch !== '?' && lastClosed && (lastClosed.hasQuantifier || lastClosed.hasAlternation)) {
        return { safe: false, reason: 'must not repeat a group that contains a repetition or an alternation (catastrophic backtracking)' };
      }
      top.hasQuantifier = true;
      if (ch === '{') i = pattern.indexOf('}', i);
      if (pattern[i + 1] === '?') i++;
      lastClosed = null;
      continue;
    }
    lastClosed = null;
  }
  return { safe: true };
}
