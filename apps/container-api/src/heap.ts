// How the service's processes size their V8 heaps. With V8's default heuristics the peak resident
// size of a long upload or batch depends on when the first full collection happens to run (it
// varied by 150 MiB between runs); `--optimize-for-size` kept it flat but slowed batch processing
// by a quarter, mostly through a young generation of 1 MiB semi-spaces. What keeps the peak flat
// is growing the old generation by 10 % per full collection instead of up to several times, and
// a small young generation for the worker thread, where batches are processed
// (docs/benchmarks.md).
import { setFlagsFromString } from 'node:v8';

/** The worker thread's young generation (two 4 MiB semi-spaces and V8's own share). */
export const WORKER_THREAD_YOUNG_GENERATION_MB = 12;

/** Call before anything sizable is allocated; it holds for every isolate of the process. */
export function limitHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=10');
}
