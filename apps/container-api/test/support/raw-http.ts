// HTTP/1.1 over a bare TCP socket, for requests no client library would send as written: odd
// request targets, stalled or endless bodies, bytes that are not HTTP. Every exchange is bounded
// in time; the answer says whether the server closed the connection, and how many body bytes
// the client managed to hand over before that.
import net from 'node:net';

export interface RawAnswer {
  /** 0 when no status line came. */
  status: number;
  headers: Record<string, string>;
  /** The body parsed as JSON, undefined when it is not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
  /** The server closed the connection (FIN or reset) within the wait. */
  closed: boolean;
  /** Milliseconds from the first byte sent to the end of the answer's head. */
  answeredAfterMs: number;
  /** Milliseconds from the first byte sent to the close (the wait when not closed). */
  closedAfterMs: number;
}

export interface RawExchange {
  /** The request head and as much body as is to go at once. */
  send: string | Buffer;
  /** More bytes written every `everyMs` until the connection closes or `count` runs out. */
  trickle?: { piece: string | Buffer; everyMs: number; count: number };
  /** Further pieces, each written `afterMs` after the one before. */
  later?: Array<{ afterMs: number; piece: string | Buffer }>;
  /** How long to wait for the answer and the close; the socket is destroyed after it. */
  waitMs: number;
}

/** Builds a request head: a request line and headers, CRLF throughout. */
export function head(requestLine: string, headers: Record<string, string | number>): string {
  return `${requestLine}\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
}

export function rawExchange(url: string, exchange: RawExchange): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    const received: Buffer[] = [];
    const started = Date.now();
    let answeredAfterMs = -1;
    let trickle: NodeJS.Timeout | undefined;
    let next: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearInterval(trickle);
      clearTimeout(next);
      socket.destroy();
      resolve({ ...parseAnswer(Buffer.concat(received)), closed, answeredAfterMs, closedAfterMs: Date.now() - started });
    };
    const deadline = setTimeout(() => settle(false), exchange.waitMs);
    socket.on('data', (chunk) => {
      received.push(chunk);
      if (answeredAfterMs === -1 && Buffer.concat(received).includes('\r\n\r\n')) answeredAfterMs = Date.now() - started;
    });
    // A reset after the answer is how a server drops a body it will not read.
    socket.on('error', () => settle(true));
    socket.on('end', () => settle(true));
    socket.on('close', () => settle(true));
    socket.on('connect', () => {
      socket.write(exchange.send);
      const queue = [...(exchange.later ?? [])];
      const writeNext = () => {
        const step = queue.shift();
        if (step)
          next = setTimeout(() => {
            if (!socket.destroyed) socket.write(step.piece);
            writeNext();
          }, step.afterMs);
      };
      writeNext();
      const more = exchange.trickle;
      if (!more) return;
      let left = more.count;
      trickle = setInterval(() => {
        if (left-- <= 0 || socket.destroyed) clearInterval(trickle);
        else socket.write(more.piece);
      }, more.everyMs);
    });
  });
}

function parseAnswer(bytes: Buffer): Pick<RawAnswer, 'status' | 'headers' | 'body' | 'text'> {
  const raw = bytes.toString('utf8');
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return { status: 0, headers: {}, body: undefined, text: raw };
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let text = raw.slice(end + 4);
  if (headers['transfer-encoding'] === 'chunked') text = unchunk(text);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body, text };
}

function unchunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd === -1) return out;
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!(size > 0)) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

/** What every answer must be, whatever was sent: the envelope, no 5xx but 503, nothing internal. */
export function expectCleanErrorAnswer(answer: { status: number; body: any; text: string }): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status >= 500 && answer.status !== 503).toBe(false);
  expect(answer.body).toMatchObject({
    error: { code: expect.any(String), description: expect.any(String), additionalInfo: expect.objectContaining({ errorName: expect.any(String) }) },
    request: { uri: expect.any(String), method: expect.any(String), queryString: expect.any(String), body: expect.any(Object) },
  });
  expect(answer.text).not.toMatch(/\n\s+at |node_modules|\/work\/|\/tmp\/|SELECT |INSERT |SQLITE|FST_/);
}
