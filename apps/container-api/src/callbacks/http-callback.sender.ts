// Sends a finished batch's callback (contract §5): POST of the JSON body with X-COREOS-REQUEST-ID
// (the submitting request's id), X-COREOS-TID and X-COREOS-TIMESTAMP, signed with
// X-COREOS-HMAC-SIGNATURE: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")> when the
// submit gave a secret. Redirects are not followed; only a 2xx answer counts as delivered.
import { CallbackSender, Clock, DueCallback } from '@container-service/batch-domain';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { CallbackAddressGuard } from './callback-address.guard';

export interface HttpCallbackSenderOptions {
  readonly timeoutMs: number;
}

/** The signature header's value for a body sent at `timestamp`. */
export function callbackSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

export class HttpCallbackSender implements CallbackSender {
  constructor(
    private readonly guard: CallbackAddressGuard,
    private readonly clock: Clock,
    private readonly options: HttpCallbackSenderOptions,
  ) {}

  send(due: DueCallback, payload: unknown): Promise<{ delivered: boolean; error: string | null }> {
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
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      let settled = false;
      const done = (delivered: boolean, error: string | null) => {
        if (settled) return;
        settled = true;
        resolve({ delivered, error });
      };
      const request = transport.request(url, { method: 'POST', headers, lookup: this.guard.lookup(), timeout: this.options.timeoutMs, agent: false }, (response) => {
        response.resume(); // the answer's body is not needed
        const status = response.statusCode ?? 0;
        response.on('end', () => done(status >= 200 && status < 300, status >= 200 && status < 300 ? null : `HTTP ${status}`));
        response.on('error', () => done(status >= 200 && status < 300, status >= 200 && status < 300 ? null : `HTTP ${status}`));
      });
      request.on('timeout', () => {
        request.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`));
      });
      request.on('error', (error: NodeJS.ErrnoException) => done(false, error.code === 'ECALLBACKADDRESS' ? error.message : error.code ? `${error.code}: ${error.message}` : error.message));
      request.end(body);
    });
  }
}
