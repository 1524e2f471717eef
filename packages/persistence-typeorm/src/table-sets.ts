// The tables come in sets, each with its entities and the migrations that build it, so that a
// service reusing the batch domain opens a database with the batch tables only. Sets share one
// migrations table and run in the order of their timestamps, whichever set they belong to.
import { EntitySchema, MigrationInterface } from 'typeorm';
import { InitialSchema1764300000000 } from './migrations/1764300000000-initial-schema';
import { ContainersAndLeases1764400000000 } from './migrations/1764400000000-containers-and-leases';
import { FileBatches1764500000000 } from './migrations/1764500000000-file-batches';
import { SubmitKeys1764600000000 } from './migrations/1764600000000-submit-keys';
import { BatchCallbacks1764700000000 } from './migrations/1764700000000-batch-callbacks';
import { TenantTurns1764800000000 } from './migrations/1764800000000-tenant-turns';
import { BatchKinds1765100000000 } from './migrations/1765100000000-batch-kinds';
import { BatchParts1765200000000 } from './migrations/1765200000000-batch-parts';
import { BatchRateWindow1765300000000 } from './migrations/1765300000000-batch-rate-window';
import { OpenIntakesIndex1765500000000 } from './migrations/1765500000000-open-intakes-index';
import { FinishedBatchCounts1765600000000 } from './migrations/1765600000000-finished-batch-counts';
import { BatchOutcomes1765700000000 } from './migrations/1765700000000-batch-outcomes';
import { ContainerTables1765000000000 } from './migrations/1765000000000-container-tables';
import { ContainerTypeNamesInByteOrder1765400000000 } from './migrations/1765400000000-container-type-names-in-byte-order';
import { BatchItemSchema, BatchOutcomeSchema, BatchPartSchema, BatchSchema } from './schemas/batch.schema';
import { BatchCallbackSchema } from './schemas/batch-callback.schema';
import { SubmitKeySchema } from './schemas/submit-key.schema';
import { ContainerTypeSchema } from './schemas/container-type.schema';
import { ContainerSchema, ContainerTrackingSchema } from './schemas/container.schema';

export interface TableSet {
  readonly name: string;
  readonly entities: readonly EntitySchema[];
  readonly migrations: readonly (new () => MigrationInterface)[];
}

/** Batches, their items and parts, submission keys, callbacks and tenant turns: what batch-domain's adapters use. */
export const batchTables: TableSet = {
  name: 'batch',
  entities: [BatchSchema, BatchItemSchema, BatchOutcomeSchema, BatchPartSchema, SubmitKeySchema, BatchCallbackSchema],
  migrations: [
    InitialSchema1764300000000,
    ContainersAndLeases1764400000000,
    FileBatches1764500000000,
    SubmitKeys1764600000000,
    BatchCallbacks1764700000000,
    TenantTurns1764800000000,
    BatchKinds1765100000000,
    BatchParts1765200000000,
    BatchRateWindow1765300000000,
    OpenIntakesIndex1765500000000,
    FinishedBatchCounts1765600000000,
    BatchOutcomes1765700000000,
  ],
};

/** Container types, containers and their tracking ids: what container-domain's adapters use. */
export const containerTables: TableSet = {
  name: 'container',
  entities: [ContainerTypeSchema, ContainerSchema, ContainerTrackingSchema],
  migrations: [ContainerTables1765000000000, ContainerTypeNamesInByteOrder1765400000000],
};

export const allTables: readonly TableSet[] = [batchTables, containerTables];
