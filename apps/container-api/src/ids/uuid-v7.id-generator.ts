// Ids for everything the service creates (containers, batches): UUID version 7 (RFC 9562), a
// millisecond timestamp first, then randomness. Random (v4) ids sent every container insert to a
// random page of the containers' primary-key index; time-ordered ids land at its end (ADR 0028).
// A container's createdAt is public anyway, so the timestamp in its id tells nothing new.
import type { Clock, IdGenerator } from '@container-service/batch-domain';
import { randomFillSync } from 'node:crypto';

/** The character codes of the hex digits, by value. */
const DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Where each byte's two digits go in the text, after the dashes at 8, 13, 18 and 23. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
/** Random bytes are drawn this many at a time: one system call per 512 ids instead of one each. */
const POOL_BYTES = 4096;
/** rand_a is a counter within a millisecond (RFC 9562, method 1), 12 bits; it starts below half so that it can count up. */
const COUNTER_MAX = 0xfff;
const COUNTER_START_MASK = 0x7ff;

/**
 * UUID v7: 48 bits of Unix milliseconds, version 7, a 12-bit counter that orders the ids of one
 * millisecond (starting at a random value each millisecond), variant 10, 62 random bits. Ids of
 * one generator increase strictly, also when the clock stands still or steps back: the last
 * timestamp is kept until the clock passes it, and a counter that runs out moves it on by one.
 */
export class UuidV7IdGenerator implements IdGenerator {
  private lastMs = -1;
  private counter = 0;
  private readonly pool = new Uint8Array(POOL_BYTES);
  private poolAt = POOL_BYTES;
  /** The id's text, written in place and read out as one string: no string per digit pair. */
  private readonly text = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');

  constructor(
    private readonly clock: Clock = { now: () => Date.now() },
    private readonly fillRandom: (into: Uint8Array) => void = (into) => void randomFillSync(into),
  ) {}

  uuid(): string {
    const now = Math.floor(this.clock.now());
    if (now > this.lastMs) {
      this.lastMs = now;
      this.counter = this.randomByte() | ((this.randomByte() << 8) & COUNTER_START_MASK);
    } else if (this.counter < COUNTER_MAX) {
      this.counter++;
    } else {
      this.lastMs++;
      this.counter = 0;
    }
    const ms = this.lastMs;
    // 48 bits do not fit a 32-bit operator: the high 16 bits apart.
    const high = Math.floor(ms / 2 ** 32);
    const low = ms >>> 0;
    this.put(0, high >>> 8);
    this.put(1, high);
    this.put(2, low >>> 24);
    this.put(3, low >>> 16);
    this.put(4, low >>> 8);
    this.put(5, low);
    this.put(6, 0x70 | (this.counter >>> 8));
    this.put(7, this.counter);
    this.put(8, 0x80 | (this.randomByte() & 0x3f));
    for (let i = 9; i < 16; i++) this.put(i, this.randomByte());
    return this.text.toString('latin1', 0, 36);
  }

  /** Byte `i` of the id (its low 8 bits of `value`) as two hex digits in the text. */
  private put(i: number, value: number): void {
    const at = AT[i] ?? 0;
    this.text[at] = DIGITS[(value >>> 4) & 0xf] ?? 0;
    this.text[at + 1] = DIGITS[value & 0xf] ?? 0;
  }

  private randomByte(): number {
    if (this.poolAt === POOL_BYTES) {
      this.fillRandom(this.pool);
      this.poolAt = 0;
    }
    return this.pool[this.poolAt++] ?? 0;
  }
}
