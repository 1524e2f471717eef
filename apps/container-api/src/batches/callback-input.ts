// The `callback` a submit may carry: {url: absolute http(s) URL, meta?: object}; its shape here,
// where it may point in CallbackAddressGuard.
import { NOT_PLAIN_TEXT, isPlainText } from '@container-service/batch-domain';
import type { CallbackTarget, Violation } from '@container-service/batch-domain';

/** What is wrong with a callback, or null when it is absent or good. */
export function callbackViolation(callback: unknown, path = 'callback'): Violation | null {
  if (callback === undefined || callback === null) return null;
  if (typeof callback !== 'object' || Array.isArray(callback)) return { path, message: 'must be an object with a url' };
  const { url, meta } = callback as Record<string, unknown>;
  // The URL is stored as it was given: a NUL there (which URL parsing takes) cannot be stored on
  // PostgreSQL, and a lone surrogate would read back otherwise on each store.
  if (typeof url === 'string' && !isPlainText(url)) return { path: `${path}.url`, message: NOT_PLAIN_TEXT };
  let parsed: URL | null;
  try {
    parsed = typeof url === 'string' ? new URL(url) : null;
  } catch {
    parsed = null;
  }
  if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    return { path: `${path}.url`, message: 'must be an absolute http(s) URL' };
  if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta))) return { path: `${path}.meta`, message: 'must be an object' };
  return null;
}

/** A callback whose shape callbackViolation accepted. */
export const isCallback = (callback: unknown): callback is { url: string; meta?: unknown } =>
  typeof callback === 'object' && callback !== null && !Array.isArray(callback) && typeof (callback as { url?: unknown }).url === 'string';

/** What is stored to announce the batch: the URL, the meta to send back, the secret, the submit's request id. */
export function callbackTarget(callback: { url: string; meta?: unknown }, secret: string | null, requestId: string): CallbackTarget {
  return { url: callback.url, meta: callback.meta ?? null, secret, requestId };
}
