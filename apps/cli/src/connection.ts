// Where the service is and who calls it: flags first, then the environment, then the defaults
// of a service started locally in development mode.
import { createBatchClient } from '@container-service/client';
import type { BatchClient } from '@container-service/client';
import { CliError } from './cli-error';

/** The service's default port (apps/container-api config: PORT 3000). */
export const DEFAULT_URL = 'http://localhost:3000';
/** The tenant the development token is printed for. */
export const DEFAULT_TENANT = 'demo';

export interface ConnectionFlags {
  readonly url?: string;
  readonly tenant?: string;
  readonly token?: string;
  readonly requestId?: string;
  readonly userInfo?: string;
}

export interface Connection {
  readonly url: string;
  readonly tenant: string;
  readonly token: string;
}

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Connection {
  const url = nonEmpty(flags.url) ?? nonEmpty(env.CONTAINER_API_URL) ?? DEFAULT_URL;
  const tenant = nonEmpty(flags.tenant) ?? nonEmpty(env.COREOS_TID) ?? DEFAULT_TENANT;
  const token = nonEmpty(flags.token) ?? nonEmpty(env.COREOS_ACCESS);
  if (!/^https?:\/\/[^/]/.test(url)) throw new CliError(`--url (or CONTAINER_API_URL) must be an http(s) URL such as ${DEFAULT_URL}; got '${url}'`);
  if (token === undefined) {
    throw new CliError(
      `no access token: pass --token or set COREOS_ACCESS (for a service in development mode: export COREOS_ACCESS=$(npm run -s token -- --tenant ${tenant}))`,
    );
  }
  return { url, tenant, token: token.replace(/^Bearer\s+/i, '') };
}

export function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv): BatchClient {
  const connection = resolveConnection(flags, env);
  return createBatchClient({
    baseUrl: connection.url,
    tenant: connection.tenant,
    token: connection.token,
    ...(flags.requestId === undefined ? {} : { requestId: flags.requestId }),
    ...(flags.userInfo === undefined ? {} : { userInfo: flags.userInfo }),
  });
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());
