// Which routes need the identity headers and a token, and whether a request target spells its
// route plainly. The router decodes percent-escapes and accepts absolute-form targets, so the
// decision is taken on the route the router matched, never on the raw URL; and a target that
// reaches an API route through another spelling than the route's own is refused, so that logs,
// the request echo and anything keyed on the path see one spelling per route.

const API_PREFIX = '/core/api/v2/containers';

/** Whether a matched route (its pattern, such as `/core/api/v2/containers/:containerType/batch`) is an API route. */
export function isApiRoute(routePattern: string | undefined): boolean {
  return routePattern !== undefined && (routePattern === API_PREFIX || routePattern.startsWith(`${API_PREFIX}/`));
}

/**
 * Why `target` (the raw request target, query included) is not a plain spelling of the route
 * `routePattern`; null when it is. Plain means: origin-form (it starts with one `/`), no empty,
 * `.` or `..` segment (escaped or not), and every fixed segment of the route written exactly as
 * the route writes it (no escapes, same case). Parameter segments may hold escapes.
 */
export function oddSpelling(target: string, routePattern: string): string | null {
  if (!target.startsWith('/') || target.startsWith('//')) return 'the request target must be a path starting with one /, not an absolute URL';
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  const segments = path.split('/').slice(1);
  const expected = routePattern.split('/').slice(1);
  for (const segment of segments) {
    if (segment === '') return 'the path has an empty segment (a doubled or trailing /)';
    if (isDotSegment(segment)) return 'the path has a . or .. segment';
  }
  const wildcard = expected.findIndex((part) => part.includes('*'));
  const fixedCount = wildcard === -1 ? expected.length : wildcard;
  if (wildcard === -1 && segments.length !== expected.length) return 'the path does not spell its route plainly';
  for (let i = 0; i < fixedCount; i++) {
    const part = expected[i] ?? '';
    if (part.includes(':')) continue;
    if (segments[i] !== part) return 'the path spells a fixed part of its route with escapes or another case';
  }
  return null;
}

function isDotSegment(segment: string): boolean {
  if (!segment.includes('.') && !/%2e/i.test(segment)) return false;
  const decoded = segment.replace(/%2e/gi, '.');
  return decoded === '.' || decoded === '..';
}
