// Long intakes share the request thread in slices. Reading and storing a 200 000-row file takes
// seconds of this thread; records arrive through promises, so while the socket has data nothing
// but promise callbacks run between them, and done in one go it makes every other request of the
// process wait for the whole upload. This hands the event loop back once a slice of `budgetMs`
// has passed, so other requests wait for about one slice at a time (ADR 0026). The intake's own
// statements take turns of their own (persistence's batch-intake.ts).
import { performance } from 'node:perf_hooks';

/** How long an intake may hold the request thread before it lets other work run. */
export const INTAKE_SLICE_MS = 4;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `source` as it is, with a turn of the event loop taken before an entry once `budgetMs` have
 * passed since the last turn. The time counted is the consumer's too (it runs between two pulls),
 * so parsing and storing the parts between records are both in the slices.
 */
export async function* inSlices<T>(source: AsyncIterable<T>, budgetMs = INTAKE_SLICE_MS, now: () => number = () => performance.now()): AsyncGenerator<T> {
  let sliceStart = now();
  for await (const entry of source) {
    if (now() - sliceStart >= budgetMs) {
      await turn();
      sliceStart = now();
    }
    yield entry;
  }
}
