// A reader of the text/event-stream format (the WHATWG server-sent events rules): lines end in
// LF, CRLF or CR; `field: value` lines build an event; a blank line sends it; lines starting
// with `:` are comments (the service's keep-alives). Written here because the format is small and
// fetch gives no EventSource in Node 20.

export interface ServerSentEvent {
  /** `message` when the event named none. */
  readonly event: string;
  readonly data: string;
  /** The last `id:` seen on the stream so far, for Last-Event-ID on a reconnect; null before any. */
  readonly lastEventId: string | null;
}

/** The events of `stream` in order; ends when the stream does (an unfinished last event is dropped, as the rules say). */
export async function* parseEventStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let lastEventId: string | null = null;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      for (;;) {
        const end = lineEnd(buffer, done);
        if (end === null) break;
        const line = buffer.slice(0, end.at);
        buffer = buffer.slice(end.at + end.length);
        if (line === '') {
          if (data.length > 0) yield { event: event === '' ? 'message' : event, data: data.join('\n'), lastEventId };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let text = colon === -1 ? '' : line.slice(colon + 1);
        if (text.startsWith(' ')) text = text.slice(1);
        if (field === 'event') event = text;
        else if (field === 'data') data.push(text);
        else if (field === 'id' && !text.includes('\0')) lastEventId = text;
        // `retry` and unknown fields: nothing to do for a reader that reconnects on its own terms.
      }
      if (done) return;
    }
  } finally {
    // Stops the download when the consumer leaves early.
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * Where the first complete line of `buffer` ends. A CR at the very end may be the first half of
 * a CRLF split across chunks, so it counts only once the stream is done.
 */
function lineEnd(buffer: string, done: boolean): { at: number; length: number } | null {
  for (let i = 0; i < buffer.length; i++) {
    const c = buffer.charCodeAt(i);
    if (c === 10) return { at: i, length: 1 };
    if (c === 13) {
      if (i + 1 < buffer.length) return { at: i, length: buffer.charCodeAt(i + 1) === 10 ? 2 : 1 };
      return done ? { at: i, length: 1 } : null;
    }
  }
  return null;
}
