// A small JSON client for a service running as a child process (see service-process.ts): calls
// as any tenant with a fresh valid token, and bounded waits for a batch to finish.
import { TERMINAL } from './final-status';
import { BASE } from './test-app';
import { tokenCache } from './tokens';

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

interface CallOptions {
  tenant: string;
  body?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface ServiceClient {
  /** `path` is relative to the API prefix (`/bag/batch`). */
  call(method: string, path: string, options: CallOptions): Promise<Answer>;
  /** The batch's meta once it is final, or its last meta when `deadline` (epoch ms) passes first. */
  untilFinal(type: string, batchId: string, tenant: string, deadline: number): Promise<{ final: boolean; meta: Record<string, unknown> | null }>;
}

/** `baseUrl` is read on every call, so a test may restart the service under the client. */
export function serviceClient(baseUrl: () => string): ServiceClient {
  const token = tokenCache();
  let requestNo = 0;
  const call: ServiceClient['call'] = async (method, path, options) => {
    const headers: Record<string, string> = {
      'X-COREOS-REQUEST-ID': `t-${++requestNo}`,
      'X-COREOS-TID': options.tenant,
      'X-COREOS-ACCESS': await token(options.tenant, 'valid'),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    };
    const body = options.form ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
    const response = await fetch(`${baseUrl()}${BASE}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  return {
    call,
    async untilFinal(type, batchId, tenant, deadline) {
      let meta: Record<string, unknown> | null = null;
      while (Date.now() < deadline) {
        try {
          const answer = await call('GET', `/${type}/batch/status?batchId=${batchId}`, {
            tenant,
            timeoutMs: Math.max(500, Math.min(5000, deadline - Date.now())),
          });
          if (answer.status === 200) {
            meta = answer.body.data.meta;
            if (TERMINAL.includes(String(meta!.status))) return { final: true, meta };
          }
        } catch {
          // A read that timed out or hit a restart: look again while there is time.
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return { final: false, meta };
    },
  };
}
