// Waiting for a batch to finish, as most e2e tests do: its status read until the status is final.
import { eventually } from './eventually';
import { BASE, TestApp, TestResponse } from './test-app';

export const TERMINAL = ['SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED'];

export interface FinalStatusOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly tenant?: string;
  /** The status route read: `status` (default) or `upload/status`. */
  readonly route?: 'status' | 'upload/status';
  /** Sees the meta of every read, the last one included. */
  readonly onPoll?: (meta: Record<string, number | string>) => void;
}

/** The status answer of batch `batchId` of `type` once it is final; every read must answer 200. */
export function finalStatus(t: TestApp, type: string, batchId: string, options: FinalStatusOptions): Promise<TestResponse> {
  return eventually(
    async () => {
      const response = await t.request(`${BASE}/${type}/batch/${options.route ?? 'status'}?batchId=${batchId}`, { headers: await t.headers(options.tenant) });
      expect(response.status).toBe(200);
      options.onPoll?.(response.body.data.meta);
      return response;
    },
    {
      timeoutMs: options.timeoutMs,
      intervalMs: options.intervalMs ?? 25,
      what: `batch ${batchId} to finish`,
      until: (response) => TERMINAL.includes(response.body.data.meta.status),
    },
  );
}
