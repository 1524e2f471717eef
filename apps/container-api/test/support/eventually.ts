// Polling for e2e tests: ask `probe` every `intervalMs` until `until` accepts its answer or
// `timeoutMs` has passed. A probe that throws (a failed expect, a refused request) fails at once:
// only "not yet" is retried. The timeout message says what was awaited and the last answer seen.
export interface EventuallyOptions<T> {
  timeoutMs: number;
  intervalMs: number;
  /** What is awaited, for the failure message: "batch SF.. to finish". */
  what: string;
  /** Whether the probe's answer is the one awaited; by default any truthy answer. */
  until?: (value: T) => boolean;
}

class EventuallyTimedOut extends Error {
  override readonly name = 'EventuallyTimedOut';
}

export async function eventually<T>(probe: () => T | Promise<T>, options: EventuallyOptions<T>): Promise<T> {
  const accepts = options.until ?? ((value: T) => Boolean(value));
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const last = await probe();
    if (accepts(last)) return last;
    if (Date.now() > deadline)
      throw new EventuallyTimedOut(`timed out after ${options.timeoutMs} ms waiting for ${options.what}; last value seen: ${describe(last)}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

function describe(value: unknown): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- typed string, but undefined for undefined and functions
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
  } catch {
    return String(value);
  }
}
