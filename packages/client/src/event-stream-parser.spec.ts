import { parseEventStream } from './event-stream-parser';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>) {
  const events = [];
  for await (const event of parseEventStream(stream)) events.push(event);
  return events;
}

describe('parseEventStream', () => {
  it('reads named events, joins data lines and skips comments', async () => {
    const events = await collect(streamOf(': hello\n\nevent: progress\ndata: {"a":1}\n\ndata: one\ndata: two\n\n'));
    expect(events).toEqual([
      { event: 'progress', data: '{"a":1}', lastEventId: null },
      { event: 'message', data: 'one\ntwo', lastEventId: null },
    ]);
  });

  it('accepts CRLF and CR line ends, also when a CRLF is split between chunks', async () => {
    const events = await collect(streamOf('event: done\r', '\ndata: x\r\n\r', '\nid: 7\rdata: y\r\r'));
    expect(events).toEqual([
      { event: 'done', data: 'x', lastEventId: null },
      { event: 'message', data: 'y', lastEventId: '7' },
    ]);
  });

  it('decodes a character split between chunks', async () => {
    const bytes = new TextEncoder().encode('data: café\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 9));
        controller.enqueue(bytes.slice(9));
        controller.close();
      },
    });
    await expect(collect(stream)).resolves.toEqual([{ event: 'message', data: 'café', lastEventId: null }]);
  });

  it('drops an event the stream ended in the middle of', async () => {
    await expect(collect(streamOf('data: complete\n\ndata: cut'))).resolves.toEqual([{ event: 'message', data: 'complete', lastEventId: null }]);
  });
});
