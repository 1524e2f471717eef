// Sends a finished batch's callback (contract §5): POST of the JSON body with X-COREOS-REQUEST-ID
// (the submitting request's id), X-COREOS-TID and X-COREOS-TIMESTAMP, signed with
// X-COREOS-HMAC-SIGNATURE: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")> when the
// submit gave a secret. Redirects are not followed; only a 2xx answer counts as delivered.
//
// A receiver cannot hold a try (contract §13): one deadline covers the lookup, the connection,
// the headers and the body of the answer together, and at most 64 KiB of the answer is read;
// past that the socket is closed and the status decides. A try still running at the deadline
// failed, whatever status it had announced: the receiver never finished answering.
import { CallbackSender, Clock, DueCallback } from '@container-service/batch-domain';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { CallbackAddressGuard, REFUSED_ADDRESS_CODE } from './callback-address.guard';

export interface HttpCallbackSenderOptions {
  /** The whole try, from the lookup to the end of the answer. */
  readonly timeoutMs: number;
}

/** The most of a receiver's answer that is read; the rest is never waited for. */
const CALLBACK_ANSWER_MAX_BYTES = 64 * 1024;

/** The signature header's value for a body sent at `timestamp`. */
export function callbackSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

type SendResult = { delivered: boolean; error: string | null };

export class HttpCallbackSender implements CallbackSender {
  constructor(
    private readonly guard: CallbackAddressGuard,
    private readonly clock: Clock,
    private readonly options: HttpCallbackSenderOptions,
  ) {}

  send(due: DueCallback, payload: unknown, signal?: AbortSignal): Promise<SendResult> {
    const body = JSON.stringify(payload);
    const timestamp = String(this.clock.now());
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      'User-Agent': 'container-service-callbacks/1',
      'X-COREOS-REQUEST-ID': due.target.requestId,
      'X-COREOS-TID': due.locator.tenantId,
      'X-COREOS-TIMESTAMP': timestamp,
    };
    if (due.target.secret !== null) headers['X-COREOS-HMAC-SIGNATURE'] = callbackSignature(due.target.secret, timestamp, body);
    const url = new URL(due.target.url);
    // node:net connects to an IP literal without a lookup, so the lookup hook never sees it.
    const refused = this.guard.refuseLiteral(url.hostname);
    if (refused) return Promise.resolve({ delivered: false, error: refused.message });
    if (signal?.aborted) return Promise.resolve({ delivered: false, error: 'stopped before the try' });
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
        request.destroy();
        resolve(result);
      };
      const byStatus = (status: number): SendResult =>
        status >= 200 && status < 300 ? { delivered: true, error: null } : { delivered: false, error: `HTTP ${status}` };
      const request = transport.request(url, { method: 'POST', headers, lookup: this.guard.lookup(), agent: false, maxHeaderSize: 16 * 1024 }, (response) => {
        const status = response.statusCode ?? 0;
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          // Enough: the status is known, and a longer answer is not worth a slot.
          if (read >= CALLBACK_ANSWER_MAX_BYTES) finish(byStatus(status));
        });
        response.on('end', () => finish(byStatus(status)));
        response.on('error', () => finish({ delivered: false, error: `HTTP ${status}, then the answer broke off` }));
      });
      const deadline = setTimeout(() => finish({ delivered: false, error: `no complete answer within ${this.options.timeoutMs} ms` }), this.options.timeoutMs);
      const onAbort = () => finish({ delivered: false, error: 'stopped during the try' });
      signal?.addEventListener('abort', onAbort, { once: true });
      request.on('error', (error: NodeJS.ErrnoException) =>
        finish({
          delivered: false,
          error: error.code === REFUSED_ADDRESS_CODE ? error.message : error.code ? `${error.code}: ${error.message}` : error.message,
        }),
      );
      request.end(body);
    });
  }
}
