// HTTP/1.1 over a bare TCP socket, for requests no client library would send as written: odd
// request targets (never normalised or re-encoded), bodies in chunks of our choosing, stalled,
// trickled or endless bodies, bytes that are not HTTP. Two ways to wait for the answer:
// - `rawExchange` writes on a schedule and waits for the close or a deadline; the answer says
//   whether the server closed the connection, and when (hostile-input tests).
// - `rawRequest` sends one request and resolves as soon as a framed answer is complete, or
//   rejects with `NoAnswer` (fuzzing, exact request targets).
// Both read an answer that arrived before a close or a reset.
import net from 'node:net';
import { os1Schema } from './os1-schemas';

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

/** Lenient de-chunking for `rawExchange`: whatever complete chunks came before the close. */
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
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any answer body at all is checked here
export function expectCleanErrorAnswer(answer: { status: number; body: any; text: string }): void {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status >= 500 && answer.status !== 503).toBe(false);
  expect(answer.body).toMatchObject({
    error: { code: expect.any(String), description: expect.any(String), additionalInfo: expect.objectContaining({ errorName: expect.any(String) }) },
    request: { uri: expect.any(String), queryString: expect.any(String), body: expect.any(Object) },
  });
  // The original's schema: a method outside its enum (GET, POST, PUT) is left out, not echoed.
  expect(os1Schema('ErrorResponse')(answer.body)).toBe(true);
  expect(answer.text).not.toMatch(/\n\s+at |node_modules|\/work\/|\/tmp\/|SELECT |INSERT |SQLITE|FST_/);
}

// ---- rawRequest: one request, resolved when a framed answer is complete ----

export interface RawResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: Buffer;
  text: string;
  /** Bytes of the whole answer as received (head and body). */
  bytes: number;
}

export interface RawRequest {
  method: string;
  /** The request target as sent: origin-form, absolute-form or anything else. */
  target: string;
  /** Header lines in order; Host and Connection: close are added unless given. */
  headers?: Array<[string, string]>;
  /** The body: one buffer (sent with Content-Length) or chunks (sent with Transfer-Encoding: chunked). */
  body?: Buffer | { chunks: Buffer[] };
  timeoutMs?: number;
  /**
   * Sends the head alone first and the body only if no answer came within this many ms. A server
   * that refuses a request before reading its body then answers without the body ever being sent,
   * and the answer is not lost to the reset a close with unread bytes causes.
   */
  headFirstMs?: number;
}

export class NoAnswer extends Error {}

/** Sends one request on a new connection and resolves with the parsed answer. */
export function rawRequest(port: number, request: RawRequest): Promise<RawResponse> {
  const lines = [`${request.method} ${request.target} HTTP/1.1`];
  const given = new Set((request.headers ?? []).map(([name]) => name.toLowerCase()));
  if (!given.has('host')) lines.push(`Host: 127.0.0.1:${port}`);
  if (!given.has('connection')) lines.push('Connection: close');
  for (const [name, value] of request.headers ?? []) lines.push(`${name}: ${value}`);
  const body = request.body;
  let payload: Buffer[] = [];
  if (Buffer.isBuffer(body)) {
    if (!given.has('content-length')) lines.push(`Content-Length: ${body.length}`);
    payload = [body];
  } else if (body) {
    lines.push('Transfer-Encoding: chunked');
    payload = body.chunks
      .filter((chunk) => chunk.length > 0)
      .map((chunk) => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
    payload.push(Buffer.from('0\r\n\r\n'));
  }
  // latin1 keeps each char of the head one byte, so a target may carry raw bytes (e.g. UTF-8).
  const headBytes = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return readFramed(port, request.method === 'HEAD', headBytes, Buffer.concat(payload), request.timeoutMs ?? 15_000, request.headFirstMs ?? 0);
}

function readFramed(port: number, isHead: boolean, head: Buffer, body: Buffer, timeoutMs: number, headFirstMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    let settled = false;
    const socket = net.connect(port, '127.0.0.1');
    const finish = (error?: Error) => {
      if (settled) return;
      const data = Buffer.concat(received);
      // While the connection is open only a framed answer is complete; once it ended, an answer
      // without framing runs to the end of what came.
      const parsed = error ? parseClosed(data, isHead) : parse(data, isHead);
      if (parsed === 'incomplete' && !error) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (parsed === 'incomplete' || parsed === null) reject(new NoAnswer(`no complete answer: ${error?.message ?? ''}`));
      else resolve(parsed);
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(new NoAnswer(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      finish();
    });
    socket.on('end', () => finish(new Error('closed')));
    // A server may answer before reading the whole body and reset the connection: the answer
    // that arrived still counts.
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error('closed')));
    if (headFirstMs <= 0 || body.length === 0) socket.write(Buffer.concat([head, body]), () => undefined);
    else {
      socket.write(head, () => undefined);
      setTimeout(() => {
        if (!settled && received.length === 0) socket.write(body, () => undefined);
      }, headFirstMs);
    }
  });
}

function parse(received: Buffer, isHead: boolean): RawResponse | 'incomplete' {
  let data = received;
  // Interim answers (100 Continue) come before the real one.
  while (/^HTTP\/1\.[01] 1(?!01)\d\d /.test(data.subarray(0, 16).toString('latin1'))) {
    const interimEnd = data.indexOf('\r\n\r\n');
    if (interimEnd < 0) return 'incomplete';
    data = data.subarray(interimEnd + 4);
  }
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return 'incomplete';
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
  if (!Number.isInteger(status)) return 'incomplete';
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const rest = data.subarray(end + 4);
  let body: Buffer;
  if (isHead || status === 204 || status === 304) body = Buffer.alloc(0);
  else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const decoded = dechunk(rest);
    if (decoded === 'incomplete') return 'incomplete';
    body = decoded;
  } else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (rest.length < length) return 'incomplete';
    body = rest.subarray(0, length);
  } else {
    // Read to the end of the connection: the caller only parses once it closed.
    return 'incomplete';
  }
  return { status, headers, body, text: body.toString('utf8'), bytes: end + 4 + body.length };
}

/** Parses everything received so far as a complete answer, reading an unframed body to its end. */
function parseClosed(data: Buffer, isHead: boolean): RawResponse | null {
  const parsed = parse(data, isHead);
  if (parsed !== 'incomplete') return parsed;
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = parse(Buffer.concat([data.subarray(0, end), Buffer.from('\r\ncontent-length: 0\r\n\r\n')]), true);
  if (head === 'incomplete') return null;
  const body = data.subarray(end + 4);
  return { ...head, body, text: body.toString('utf8'), bytes: data.length };
}

function dechunk(data: Buffer): Buffer | 'incomplete' {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return 'incomplete';
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size)) return 'incomplete';
    at = lineEnd + 2;
    if (size === 0) return Buffer.concat(parts);
    if (data.length < at + size + 2) return 'incomplete';
    parts.push(data.subarray(at, at + size));
    at += size + 2;
  }
}
