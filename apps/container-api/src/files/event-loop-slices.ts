// Long intakes share the request thread in slices. Reading and storing a 200 000-row file takes
// seconds of this thread; records arrive through promises, so while the socket has data nothing
// but promise callbacks run between them, and done in one go it makes every other request of the
// process wait for the whole upload. An intake asks `due()` between records and takes a `turn()`
// of the event loop once a slice of `budgetMs` has passed, so other requests wait for about one
// slice at a time (ADR 0026). The intake's own statements take turns of their own
// (persistence's batch-intake.ts).
import { performance } from 'node:perf_hooks';

/** How long an intake may hold the request thread before it lets other work run. */
export const INTAKE_SLICE_MS = 4;

export class EventLoopSlices {
  private sliceStart: number;

  constructor(
    private readonly budgetMs = INTAKE_SLICE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.sliceStart = now();
  }

  /** Whether the slice is used up. The time counted is the consumer's too (it runs between two records). */
  due(): boolean {
    return this.now() - this.sliceStart >= this.budgetMs;
  }

  /** One turn of the event loop (other requests' I/O and callbacks run), then a new slice. */
  async turn(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = this.now();
  }
}
