import { FixedClock } from '@container-service/batch-domain/testing';
import { UuidV7IdGenerator } from './uuid-v7.id-generator';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Counts up from `start`, so that every test sees the same "random" bytes. */
const countingBytes = (start = 0) => {
  let next = start;
  return (into: Uint8Array) => {
    for (let i = 0; i < into.length; i++) into[i] = next++ & 0xff;
  };
};

describe('UuidV7IdGenerator', () => {
  it('writes the millisecond, version 7 and variant 10 where RFC 9562 puts them', () => {
    const clock = new FixedClock(Date.UTC(2026, 10, 30, 5, 0, 0, 123));
    const id = new UuidV7IdGenerator(clock, countingBytes()).uuid();
    expect(id).toMatch(UUID);
    const hex = id.replace(/-/g, '');
    expect(parseInt(hex.slice(0, 12), 16)).toBe(clock.now());
    expect(hex[12]).toBe('7');
    expect(parseInt(hex[16]!, 16) >> 2).toBe(0b10);
  });

  it('keeps version and variant bits whatever the random bytes', () => {
    for (const byte of [0x00, 0xff, 0x7f, 0x80]) {
      const id = new UuidV7IdGenerator(new FixedClock(1), (into) => into.fill(byte)).uuid();
      expect(id[14]).toBe('7');
      expect(['8', '9', 'a', 'b']).toContain(id[19]);
    }
  });

  it('increases strictly within one millisecond, past its counter running out', () => {
    const clock = new FixedClock(1_700_000_000_000);
    const ids = new UuidV7IdGenerator(clock, (into) => into.fill(0xff));
    const made = Array.from({ length: 10_000 }, () => ids.uuid());
    for (let i = 1; i < made.length; i++) expect(made[i]! > made[i - 1]!).toBe(true);
  });

  it('increases strictly when the clock steps back', () => {
    const clock = new FixedClock(1_700_000_000_500);
    const ids = new UuidV7IdGenerator(clock, countingBytes(7));
    const before = ids.uuid();
    clock.advance(-400);
    const after = ids.uuid();
    expect(after > before).toBe(true);
    expect(after.slice(0, 13)).toBe(before.slice(0, 13));
  });

  it('orders ids of later milliseconds after earlier ones', () => {
    const clock = new FixedClock(1_700_000_000_000);
    const ids = new UuidV7IdGenerator(clock, countingBytes(200));
    const first = ids.uuid();
    clock.advance(1);
    expect(ids.uuid() > first).toBe(true);
  });

  it('makes unique ids with real time and randomness', () => {
    const ids = new UuidV7IdGenerator();
    const made = new Set(Array.from({ length: 100_000 }, () => ids.uuid()));
    expect(made.size).toBe(100_000);
    for (const id of [...made].slice(0, 100)) expect(id).toMatch(UUID);
  });

  it('keeps ids of two generators apart by their random bits', () => {
    const clock = new FixedClock(1_700_000_000_000);
    const a = new UuidV7IdGenerator(clock);
    const b = new UuidV7IdGenerator(clock);
    const made = new Set([...Array.from({ length: 1000 }, () => a.uuid()), ...Array.from({ length: 1000 }, () => b.uuid())]);
    expect(made.size).toBe(2000);
  });
});
