// Names the create items that come without a refID (contract §4): a client generated from the
// OS1 OpenAPI file has no refID to send, so each such item is named by its 1-based position in
// `payload`. Done here, at the edge, so the batch domain keeps its one rule: every item has a
// reference, unique in the batch. The name is written into the item, so the stored input, the
// container's refID, results, the failed-rows CSV and a retry all carry it.
import type { Violation } from '@container-service/batch-domain';

const REFERENCE_FIELD = 'refID';

const own = (record: Record<string, unknown>, key: string): unknown => (Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An absent or null refID is no refID; anything else is the client's, judged by SubmitBatch. */
const isUnnamed = (item: Record<string, unknown>) => {
  const ref = own(item, REFERENCE_FIELD);
  return ref === undefined || ref === null;
};

export interface NamedPayload {
  /** The payload with every unnamed item named; the same array when none was, and anything but an array as given. */
  readonly payload: unknown;
  /** A given refID that equals a name assigned to another item. */
  readonly collisions: Violation[];
}

/** Names the unnamed create items of `payload`; the given object is left as it was (the request echo shows what came). */
export function nameCreateItems(payload: unknown): NamedPayload {
  if (!Array.isArray(payload) || !payload.some((item) => isRecord(item) && isUnnamed(item))) return { payload, collisions: [] };
  const assignedTo = new Map<string, number>();
  const named = payload.map((item: unknown, i) => {
    if (!isRecord(item) || !isUnnamed(item)) return item;
    const name = String(i + 1);
    assignedTo.set(name, i);
    return { ...item, [REFERENCE_FIELD]: name };
  });
  const collisions: Violation[] = [];
  payload.forEach((item: unknown, i) => {
    if (!isRecord(item) || isUnnamed(item)) return;
    const ref = own(item, REFERENCE_FIELD);
    if (typeof ref !== 'string') return;
    const other = assignedTo.get(ref);
    if (other !== undefined) {
      collisions.push({
        path: `payload[${i}].${REFERENCE_FIELD}`,
        message: `'${ref}' is the name given to payload[${other}], which has no ${REFERENCE_FIELD}; choose another or give payload[${other}] one`,
      });
    }
  });
  return { payload: named, collisions };
}
