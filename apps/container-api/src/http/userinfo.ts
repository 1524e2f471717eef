// Reads who acted from X-COREOS-USERINFO, as well as it can be read (contract §1, §11). OS1
// clients send it in whatever form they have: our JSON object, a Go value printed with %#v
// (`api.Userinfo{ID:"", Name:"Ada", AppID:"app-7"}`), a number, or nothing useful. The header is
// never refused for its form; what cannot be read is ignored. Everything here runs in one pass
// over at most 8 KiB, with no regular expression, so no header can make it slow.

/** What the header says about the actor; every field optional, already trimmed and bounded. */
export interface DeclaredActor {
  readonly id?: string;
  readonly name?: string;
  readonly appID?: string;
}

/** A longer header is refused (400 INVALID_HEADER); anything shorter is read or ignored. */
export const USERINFO_MAX_BYTES = 8192;
/** The bounds of the OS1 ActionBy schema: an id is 1-64 characters, a name at most 256. */
export const MAX_ACTOR_ID = 64;
const MAX_NAME = 256;
const MAX_APP_ID = 256;
/** A JSON string holding the JSON (or an escaped Go value) is unwrapped this many times at most. */
const MAX_UNWRAP = 2;

const NOTHING: DeclaredActor = {};

/** Reads the header's value (as Node hands it over: one character per byte). */
export function readUserInfo(raw: string): DeclaredActor {
  return fromText(asUtf8(raw).trim(), MAX_UNWRAP);
}

function fromText(text: string, unwraps: number): DeclaredActor {
  const first = text.charCodeAt(0);
  if (first === 0x7b /* { */ || first === 0x22 /* " */) {
    const parsed = parseJson(text);
    if (typeof parsed === 'string') return unwraps > 0 ? fromText(parsed.trim(), unwraps - 1) : NOTHING;
    if (isRecord(parsed)) return fromFields((name) => field(parsed, name));
  }
  const go = readGoValue(text);
  if (go !== null) return fromFields((name) => go.get(name));
  // `api.Userinfo{ID:\"\", …}`: a Go value that went through one more layer of quoting.
  if (unwraps > 0 && text.includes('\\"')) return fromText(unescapeOnce(text), unwraps - 1);
  return NOTHING;
}

function fromFields(get: (lowerName: string) => unknown): DeclaredActor {
  const id = text(get('id'), MAX_ACTOR_ID, 'drop');
  const name = text(get('name'), MAX_NAME, 'cut', false);
  const appID = text(get('appid'), MAX_APP_ID, 'drop');
  return { ...(id !== undefined ? { id } : {}), ...(name !== undefined ? { name } : {}), ...(appID !== undefined ? { appID } : {}) };
}

/** A usable text value: a string (or, unless only strings will do, a finite number), trimmed, not empty. */
function text(value: unknown, max: number, tooLong: 'drop' | 'cut', numbers = true): string | undefined {
  let s: string;
  if (typeof value === 'string') s = value.trim();
  else if (numbers && typeof value === 'number' && Number.isFinite(value)) s = String(value);
  else return undefined;
  if (s.length === 0) return undefined;
  if (s.length <= max) return s;
  if (tooLong === 'drop') return undefined;
  // Cut without splitting a surrogate pair.
  const cut = s.slice(0, max);
  const last = cut.charCodeAt(max - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** A JSON member by name: the exact lower-case spelling first, then any casing (`ID`, `AppId`). */
function field(record: Record<string, unknown>, lowerName: string): unknown {
  const exact = lowerName === 'appid' ? 'appID' : lowerName;
  if (Object.prototype.hasOwnProperty.call(record, exact)) return record[exact];
  for (const key of Object.keys(record)) if (key.toLowerCase() === lowerName) return record[key];
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Header bytes that form valid UTF-8 are read as UTF-8 (a name like "Zoë"); others stay Latin-1. */
function asUtf8(raw: string): string {
  let ascii = true;
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code > 0xff) return raw; // not bytes: already text
    if (code >= 0x80) ascii = false;
  }
  if (ascii) return raw;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(raw, 'latin1'));
  } catch {
    return raw;
  }
}

/** Undoes one layer of backslash quoting: `\"` → `"`, `\\` → `\`; other escapes are kept. */
function unescapeOnce(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    const next = text[i + 1];
    if (c === '\\' && (next === '"' || next === '\\')) {
      out += next;
      i++;
    } else out += c;
  }
  return out;
}

/**
 * A Go composite literal as %#v prints it: `&pkg.Type{Field:value, ...}`, the `&` and the
 * type name optional. Values are Go strings ("…" with escapes, or `raw`), numbers, or anything
 * else (skipped, brackets balanced). Returns the fields by lower-case name, or null.
 */
function readGoValue(source: string): Map<string, unknown> | null {
  const s = new Scanner(source);
  s.skipSpace();
  s.eat('&');
  if (s.identifier() !== null && s.eat('.') && s.identifier() === null) return null;
  s.skipSpace();
  if (!s.eat('{')) return null;
  const fields = new Map<string, unknown>();
  for (;;) {
    s.skipSpace();
    if (s.eat('}')) return fields;
    const name = s.identifier();
    if (name === null) return null;
    s.skipSpace();
    if (!s.eat(':')) return null;
    s.skipSpace();
    const value = s.goValue();
    if (value === FAILED) return null;
    if (!fields.has(name.toLowerCase())) fields.set(name.toLowerCase(), value);
    s.skipSpace();
    if (s.eat(',')) continue;
    if (s.eat('}')) return fields;
    return null;
  }
}

const FAILED = Symbol('failed');
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };
const NUMBER = new Set('0123456789+-.eExXabcdefABCDEF_'.split(''));

class Scanner {
  private pos = 0;
  constructor(private readonly s: string) {}

  skipSpace(): void {
    while (this.pos < this.s.length && ' \t\r\n'.includes(this.s.charAt(this.pos))) this.pos++;
  }

  eat(c: string): boolean {
    if (this.s[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  identifier(): string | null {
    const start = this.pos;
    while (this.pos < this.s.length && isIdentChar(this.s.charCodeAt(this.pos), this.pos === start)) this.pos++;
    return this.pos > start ? this.s.slice(start, this.pos) : null;
  }

  /** A string, a number, or another value skipped whole (then undefined). */
  goValue(): unknown {
    const c = this.s[this.pos];
    if (c === '"') return this.quoted();
    if (c === '`') return this.raw();
    const start = this.pos;
    if (!this.skipOther()) return FAILED;
    const token = this.s.slice(start, this.pos).trim();
    // A number is kept as printed: Number() would lose the digits of a large id.
    const digitAt = token.startsWith('-') ? 1 : 0;
    let numeric = token.charCodeAt(digitAt) >= 0x30 && token.charCodeAt(digitAt) <= 0x39;
    for (const ch of token) numeric &&= NUMBER.has(ch);
    return numeric ? token : undefined;
  }

  private quoted(): string | typeof FAILED {
    this.pos++;
    let out = '';
    while (this.pos < this.s.length) {
      const c = this.s.charAt(this.pos++);
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.pos++];
      if (e === undefined) return FAILED;
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) out += simple;
      else if (e === 'x' || e === 'u' || e === 'U') {
        const code = this.hex(e === 'x' ? 2 : e === 'u' ? 4 : 8);
        if (code === null) return FAILED;
        out += code;
      } else if (e >= '0' && e <= '7') {
        const digits = e + this.s.slice(this.pos, this.pos + 2);
        if (!/^[0-7]{3}$/.test(digits)) return FAILED;
        this.pos += 2;
        out += String.fromCharCode(parseInt(digits, 8));
      } else return FAILED;
    }
    return FAILED;
  }

  private hex(length: number): string | null {
    const digits = this.s.slice(this.pos, this.pos + length);
    if (digits.length !== length) return null;
    for (const ch of digits) if (!'0123456789abcdefABCDEF'.includes(ch)) return null;
    this.pos += length;
    const code = parseInt(digits, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : null;
  }

  private raw(): string | typeof FAILED {
    const end = this.s.indexOf('`', this.pos + 1);
    if (end === -1) return FAILED;
    const value = this.s.slice(this.pos + 1, end);
    this.pos = end + 1;
    return value;
  }

  /** Skips a value that is not a string (nil, true, 12, []string{"a"}, time.Time{…}) up to `,` or `}`. */
  private skipOther(): boolean {
    let depth = 0;
    while (this.pos < this.s.length) {
      const c = this.s.charAt(this.pos);
      if (c === '"' || c === '`') {
        if ((c === '"' ? this.quoted() : this.raw()) === FAILED) return false;
        continue;
      }
      if (depth === 0 && (c === ',' || c === '}')) return true;
      if (c === '{' || c === '[' || c === '(') depth++;
      else if (c === '}' || c === ']' || c === ')') {
        if (depth === 0) return false;
        depth--;
      }
      this.pos++;
    }
    return false;
  }
}

function isIdentChar(code: number, first: boolean): boolean {
  const letter = (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
  return letter || (!first && code >= 0x30 && code <= 0x39);
}
