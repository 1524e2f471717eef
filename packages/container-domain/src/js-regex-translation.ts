// Translates an attribute regex, written in JavaScript syntax (the `u` flag, no other flag), into
// the RE2 syntax of re2js, with the same meaning: RE2 matches in time linear in the value, a
// backtracking engine does not. The pattern has already been accepted by `new RegExp(p, 'u')`,
// whose grammar is strict, so only valid `u`-mode syntax reaches this parser. Where the two
// dialects differ in meaning, the translation spells the JavaScript meaning out: `.` excludes
// the four JavaScript line terminators, `\s` is JavaScript's whitespace set, `[]` matches nothing
// and `[^]` anything. What RE2 cannot run in linear time (backreferences, lookaround) is refused.
// Alongside the RE2 text comes an estimate of what compiling it costs: an upper bound on the
// program RE2 will build, with large classes weighing more (each instruction copies its ranges),
// so that `(?:a{999}){999}` or `[\p{L}]{999}` is refused before anything is compiled.
import { LINE_TERMINATORS, Range, classEscape, classOf, complement, hex, normalize, rangeText } from './code-point-ranges';

export type Translation = { ok: true; re2: string; cost: number } | { ok: false; reason: string };

const CONTROL_ESCAPES: Record<string, number> = { f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };
const HEX = /^[0-9A-Fa-f]+$/;
/** Compile cost: a class counts one more unit per this many ranges; a Unicode property (hundreds of ranges) as many units. */
const RANGES_PER_UNIT = 64;
const PROPERTY_COST = 16;

/** Thrown inside the parser to abandon it; `translateJsRegex` turns it into a value. */
class Refusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

class Parser {
  private i = 0;

  constructor(private readonly p: string) {}

  translate(): { re2: string; cost: number } {
    const result = this.alternation();
    if (this.i < this.p.length) throw new Refusal(`has an unexpected '${this.p.charAt(this.i)}' at position ${this.i}`);
    return result;
  }

  private alternation(): { re2: string; cost: number } {
    const branches = [this.sequence()];
    while (this.p[this.i] === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    return { re2: branches.map((b) => b.re2).join('|'), cost: branches.reduce((sum, b) => sum + b.cost, branches.length - 1) };
  }

  private sequence(): { re2: string; cost: number } {
    let re2 = '';
    let cost = 0;
    while (this.i < this.p.length && this.p[this.i] !== '|' && this.p[this.i] !== ')') {
      const atom = this.atom();
      const repeated = this.quantifier(atom);
      re2 += repeated.re2;
      cost += repeated.cost;
    }
    return { re2: re2 === '' ? '(?:)' : re2, cost: Math.max(cost, 1) };
  }

  private quantifier(atom: { re2: string; cost: number }): { re2: string; cost: number } {
    const rest = this.p.slice(this.i);
    const simple = /^[*+?]/.exec(rest);
    const counted = /^\{(\d+)(,(\d*))?\}/.exec(rest);
    let suffix: string;
    let cost: number;
    if (simple) {
      suffix = simple[0];
      cost = atom.cost + 1;
      this.i += 1;
    } else if (counted) {
      const min = Number(counted[1]);
      const max = counted[2] === undefined ? min : counted[3] === '' ? null : Number(counted[3]);
      if (min > 1000 || (max !== null && max > 1000)) throw new Refusal('repeats a part more than 1000 times');
      suffix = `{${min}${counted[2] === undefined ? '' : `,${max ?? ''}`}}`;
      cost = atom.cost * ((max ?? min) + 1) + 1;
      this.i += counted[0].length;
    } else return atom;
    // A lazy quantifier matches where the greedy one does: only whether a match exists matters here.
    if (this.p[this.i] === '?') this.i++;
    return { re2: `(?:${atom.re2})${suffix}`, cost };
  }

  private atom(): { re2: string; cost: number } {
    // Called only while `i` is inside the pattern (see `sequence`).
    const ch = this.p.charAt(this.i);
    if (ch === '^' || ch === '$') {
      this.i++;
      return { re2: ch, cost: 1 };
    }
    if (ch === '.') {
      this.i++;
      return { re2: classOf(complement(LINE_TERMINATORS)), cost: 1 };
    }
    if (ch === '(') return this.group();
    if (ch === '[') return this.characterClass();
    if (ch === '\\') return this.escape();
    return { re2: hex(this.codePoint()), cost: 1 };
  }

  private group(): { re2: string; cost: number } {
    this.i++;
    if (this.p[this.i] === '?') {
      const rest = this.p.slice(this.i);
      if (/^\?(=|!|<=|<!)/.test(rest)) throw new Refusal('uses a lookahead or lookbehind, which cannot be checked in linear time');
      const prefix = /^\?(:|<[A-Za-z_$][\w$]*>)/.exec(rest);
      if (!prefix) throw new Refusal(`uses an unsupported group syntax at position ${this.i - 1}`);
      this.i += prefix[0].length;
    }
    const inner = this.alternation();
    if (this.p[this.i] !== ')') throw new Refusal('has an unclosed group');
    this.i++;
    return { re2: `(?:${inner.re2})`, cost: inner.cost + 2 };
  }

  private codePoint(): number {
    const code = this.p.codePointAt(this.i);
    if (code === undefined) throw new Refusal('ends in the middle of an escape or class');
    this.i += code > 0xffff ? 2 : 1;
    return code;
  }

  /** An escape outside a class: an assertion, a class escape, a property or one character. */
  private escape(): { re2: string; cost: number } {
    const letter = this.p[this.i + 1] ?? '';
    if (letter === 'b' || letter === 'B') {
      this.i += 2;
      return { re2: `\\${letter}`, cost: 1 };
    }
    if (/[1-9]/.test(letter) || letter === 'k') throw new Refusal('uses a backreference, which cannot be checked in linear time');
    const ranges = classEscape(letter);
    if (ranges) {
      this.i += 2;
      return { re2: classOf(ranges), cost: 1 };
    }
    if (letter === 'p' || letter === 'P') return { re2: this.property(), cost: PROPERTY_COST };
    return { re2: hex(this.characterEscape()), cost: 1 };
  }

  /** `\p{...}`/`\P{...}` in RE2 spelling: general categories by their short names, scripts by name. */
  private property(): string {
    const match = /^\\([pP])\{(?:([A-Za-z_]+)=)?([A-Za-z0-9_]+)\}/.exec(this.p.slice(this.i));
    if (!match) throw new Refusal(`has an unreadable property escape at position ${this.i}`);
    // `sign` and `value` are not optional in the pattern: the defaults never apply.
    const [whole, sign = '', key, value = ''] = match;
    if (key !== undefined && !['General_Category', 'gc', 'Script', 'sc'].includes(key)) {
      throw new Refusal(`uses the Unicode property '${key}', which is not supported (use General_Category or Script)`);
    }
    this.i += whole.length;
    return `\\${sign}{${value}}`;
  }

  /** One character written as an escape (`\n`, `\x41`, `\u{1F600}`, `\.`, ...): its code point. */
  private characterEscape(): number {
    const letter = this.p[this.i + 1] ?? '';
    const control = CONTROL_ESCAPES[letter];
    if (control !== undefined) {
      this.i += 2;
      return control;
    }
    if (letter === '0') {
      this.i += 2;
      return 0;
    }
    if (letter === 'c') {
      this.i += 3;
      return this.p.charCodeAt(this.i - 1) % 32;
    }
    if (letter === 'x') {
      this.i += 4;
      return parseInt(this.p.slice(this.i - 2, this.i), 16);
    }
    if (letter === 'u') return this.unicodeEscape();
    this.i += 1;
    return this.codePoint();
  }

  private unicodeEscape(): number {
    if (this.p[this.i + 2] === '{') {
      const end = this.p.indexOf('}', this.i);
      const digits = this.p.slice(this.i + 3, end);
      if (end < 0 || !HEX.test(digits)) throw new Refusal(`has an unreadable \\u escape at position ${this.i}`);
      this.i = end + 1;
      return parseInt(digits, 16);
    }
    const code = parseInt(this.p.slice(this.i + 2, this.i + 6), 16);
    this.i += 6;
    // With the u flag, an escaped surrogate pair is one code point, as JavaScript reads it.
    const trail = /^\\u(d[c-f][0-9a-f]{2})/i.exec(this.p.slice(this.i));
    if (code >= 0xd800 && code <= 0xdbff && trail) {
      this.i += 6;
      return 0x10000 + ((code - 0xd800) << 10) + (parseInt(trail[0].slice(2), 16) - 0xdc00);
    }
    return code;
  }

  private characterClass(): { re2: string; cost: number } {
    this.i++;
    const negated = this.p[this.i] === '^';
    if (negated) this.i++;
    const ranges: Range[] = [];
    const properties: string[] = [];
    while (this.i < this.p.length && this.p[this.i] !== ']') {
      const from = this.classAtom();
      if (typeof from === 'number' && this.p[this.i] === '-' && this.p[this.i + 1] !== ']' && this.i + 1 < this.p.length) {
        this.i++;
        const to = this.classAtom();
        if (typeof to !== 'number') throw new Refusal('has a class range that ends in a class escape');
        ranges.push([from, to]);
      } else if (typeof from === 'number') ranges.push([from, from]);
      else if (typeof from === 'string') properties.push(from);
      else ranges.push(...from);
    }
    if (this.p[this.i] !== ']') throw new Refusal('has an unclosed character class');
    this.i++;
    const cost = 1 + Math.floor(normalize(ranges).length / RANGES_PER_UNIT) + PROPERTY_COST * properties.length;
    if (properties.length === 0) return { re2: classOf(negated ? complement(ranges) : ranges), cost };
    return { re2: `[${negated ? '^' : ''}${rangeText(normalize(ranges))}${properties.join('')}]`, cost };
  }

  /** A code point, a set of ranges (`\d`, `\S`, ...) or an RE2 property escape. */
  private classAtom(): number | Range[] | string {
    if (this.p[this.i] !== '\\') return this.codePoint();
    const letter = this.p[this.i + 1] ?? '';
    if (letter === 'b') {
      this.i += 2;
      return 0x08;
    }
    if (letter === '-') {
      this.i += 2;
      return 0x2d;
    }
    const ranges = classEscape(letter);
    if (ranges) {
      this.i += 2;
      return ranges;
    }
    if (letter === 'p' || letter === 'P') return this.property();
    return this.characterEscape();
  }
}

/** The RE2 spelling of a JavaScript (`u` flag) pattern that `new RegExp` accepted, with a bound on its program size. */
export function translateJsRegex(pattern: string): Translation {
  try {
    return { ok: true, ...new Parser(pattern).translate() };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.reason };
    return { ok: false, reason: 'could not be read as a regular expression' };
  }
}
