// A raw HTTP/1.1 client over node:net for tests that must send a request exactly as written:
// the request target is never normalised or re-encoded, bodies may go in chunks of our choosing,
// and the answer is read byte for byte (status, headers, de-chunked body).
import net from 'node:net';

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
  const head = [`${request.method} ${request.target} HTTP/1.1`];
  const given = new Set((request.headers ?? []).map(([name]) => name.toLowerCase()));
  if (!given.has('host')) head.push(`Host: 127.0.0.1:${port}`);
  if (!given.has('connection')) head.push('Connection: close');
  for (const [name, value] of request.headers ?? []) head.push(`${name}: ${value}`);
  const body = request.body;
  let payload: Buffer[] = [];
  if (Buffer.isBuffer(body)) {
    if (!given.has('content-length')) head.push(`Content-Length: ${body.length}`);
    payload = [body];
  } else if (body) {
    head.push('Transfer-Encoding: chunked');
    payload = body.chunks.filter((chunk) => chunk.length > 0).map((chunk) => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
    payload.push(Buffer.from('0\r\n\r\n'));
  }
  // latin1 keeps each char of the head one byte, so a target may carry raw bytes (e.g. UTF-8).
  const headBytes = Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1');
  return exchange(port, request.method === 'HEAD', headBytes, Buffer.concat(payload), request.timeoutMs ?? 15_000, request.headFirstMs ?? 0);
}

function exchange(port: number, isHead: boolean, head: Buffer, body: Buffer, timeoutMs: number, headFirstMs: number): Promise<RawResponse> {
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
