import { EventLoopSlices } from './event-loop-slices';

/** Entries that arrive through promises only, as a socket's buffered chunks do: no turn of the loop between them. */
async function* buffered(count: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) yield await Promise.resolve(i);
}

describe('EventLoopSlices', () => {
  it('lets the event loop turn once a slice has passed, and only then', async () => {
    let clock = 0;
    const slices = new EventLoopSlices(4, () => clock);
    const seen: string[] = [];
    const other = { waiting: false };
    // Another request waiting for the loop: it records where in the intake it got its turn.
    const wait = () => {
      other.waiting = true;
      setImmediate(() => {
        seen.push('turn');
        other.waiting = false;
      });
    };
    for await (const entry of buffered(12)) {
      if (slices.due()) await slices.turn();
      if (!other.waiting) wait();
      seen.push(String(entry));
      clock += 1; // each entry's parsing and storing takes 1 ms
    }
    expect(seen).toEqual(['0', '1', '2', '3', 'turn', '4', '5', '6', '7', 'turn', '8', '9', '10', '11']);
  });

  it('without slices, a request waiting for the loop gets its turn only after the whole intake', async () => {
    const seen: string[] = [];
    setImmediate(() => seen.push('turn'));
    for await (const entry of buffered(5)) seen.push(String(entry));
    seen.push('end');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['0', '1', '2', '3', '4', 'end', 'turn']);
  });

  it('starts a new slice after each turn', async () => {
    let clock = 0;
    const slices = new EventLoopSlices(4, () => clock);
    clock = 5;
    expect(slices.due()).toBe(true);
    await slices.turn();
    expect(slices.due()).toBe(false);
    clock = 9;
    expect(slices.due()).toBe(true);
  });
});
