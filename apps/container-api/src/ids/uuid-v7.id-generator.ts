// Ids for everything the service creates (containers, batches): UUID version 7 (RFC 9562), a
// millisecond timestamp first, then randomness. Random (v4) ids sent every container insert to a
// random page of the containers' primary-key index; time-ordered ids land at its end (ADR 0028).
// A container's createdAt is public anyway, so the timestamp in its id tells nothing new.
import type { Clock, IdGenerator } from '@container-service/batch-domain';
import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Two hex digits of a byte. */
const h = (byte: number): string => HEX[byte & 0xff] ?? '00';
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
    return (
      h((high >>> 8) & 0xff) +
      h(high & 0xff) +
      h(low >>> 24) +
      h((low >>> 16) & 0xff) +
      '-' +
      h((low >>> 8) & 0xff) +
      h(low & 0xff) +
      '-' +
      h(0x70 | (this.counter >>> 8)) +
      h(this.counter & 0xff) +
      '-' +
      h(0x80 | (this.randomByte() & 0x3f)) +
      h(this.randomByte()) +
      '-' +
      h(this.randomByte()) +
      h(this.randomByte()) +
      h(this.randomByte()) +
      h(this.randomByte()) +
      h(this.randomByte()) +
      h(this.randomByte())
    );
  }

  private randomByte(): number {
    if (this.poolAt === POOL_BYTES) {
      this.fillRandom(this.pool);
      this.poolAt = 0;
    }
    return this.pool[this.poolAt++] ?? 0;
  }
}
