// The worker's upkeep, one small step per call, in this order: what abandoned uploads stored,
// submission keys past their time, then finished batches past the retention period. Each step
// is one short write (at most MAINTENANCE_STEP_ROWS rows), so status reads never wait on it long.
import { BatchRetention } from '@container-service/batch-domain';
import { RetentionConfig } from '../config/app-config';
import { MaintenanceStep } from './batch-worker';

const MAINTENANCE_STEP_ROWS = 5000;
const HOUR_MS = 3_600_000;

export function maintenanceStep(batches: BatchRetention, retention: RetentionConfig): MaintenanceStep {
  return async (now) => {
    const abandoned = await batches.purgeAbandonedIntakes(now, MAINTENANCE_STEP_ROWS);
    if (abandoned > 0) return abandoned;
    const keys = await batches.purgeSubmissions(now - retention.submitKeyHours * HOUR_MS, MAINTENANCE_STEP_ROWS);
    if (keys > 0) return keys;
    return batches.purgeFinishedBatches(now - retention.batchDays * 24 * HOUR_MS, MAINTENANCE_STEP_ROWS);
  };
}
