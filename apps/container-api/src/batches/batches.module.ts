// Batches of containers over HTTP: submit (JSON and CSV file), status (waiting or as events),
// results, cancel, retry, list. The batch domain's use cases get the container domain's rules
// here, once: the type parameter's rule, each operation's reference field, and how a container
// item is cleaned and a container file's header checked.
import {
  AccessVerifier,
  BatchReads,
  BatchWrites,
  CancelBatch,
  Clock,
  GetBatchStatus,
  IdGenerator,
  ListBatchResults,
  ListBatches,
  RetryBatch,
  SubmitBatch,
  SubmitBatchFile,
  TargetTypeDirectory,
} from '@container-service/batch-domain';
import { ContainerTypeRepository, GetContainerFileTemplate, cleanContainerItem, containerFileHeaderCheck } from '@container-service/container-domain';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import {
  ACCESS_VERIFIER,
  APP_CONFIG,
  BATCH_FILE_CODEC,
  BATCH_READS,
  BATCH_WRITES,
  CLOCK,
  CONTAINER_TYPE_REPOSITORY,
  ID_GENERATOR,
  TARGET_TYPE_DIRECTORY,
} from '../tokens';
import { BatchControlController } from './batch-control.controller';
import { containerFileCodec } from './batch-file-codec';
import { BatchResultsController } from './batch-results.controller';
import { BATCH_SCOPE } from './batch-routes';
import { BatchEventsController } from './batch-events.controller';
import { BatchStatusController } from './batch-status.controller';
import { BatchWatches } from './batch-watches';
import { BatchSubmitController } from './batch-submit.controller';
import { BatchTemplateController } from './batch-template.controller';
import { BatchUploadController } from './batch-upload.controller';

const MAX_JSON_BATCH_ITEMS = 1024;

/** What these routes serve: container batches, under type names of the rule the routes name. */
const scope = BATCH_SCOPE;
/** Where each operation's items carry their reference: a new container's refID, an existing one's id. */
const referenceField = { create: 'refID', update: 'containerId' } as const;

/** Container types as the batch domain sees them: a tenant has one, or not. */
const typeDirectory = (types: ContainerTypeRepository): TargetTypeDirectory => ({
  exists: async (tenantId, name) => (await types.find(tenantId, name)) !== null,
});

@Module({
  controllers: [
    BatchStatusController,
    BatchEventsController,
    BatchResultsController,
    BatchSubmitController,
    BatchUploadController,
    BatchTemplateController,
    BatchControlController,
  ],
  providers: [
    { provide: TARGET_TYPE_DIRECTORY, useFactory: typeDirectory, inject: [CONTAINER_TYPE_REPOSITORY] },
    { provide: BATCH_FILE_CODEC, useValue: containerFileCodec },
    {
      provide: GetContainerFileTemplate,
      useFactory: (types: ContainerTypeRepository, access: AccessVerifier) => new GetContainerFileTemplate(types, access),
      inject: [CONTAINER_TYPE_REPOSITORY, ACCESS_VERIFIER],
    },
    {
      provide: GetBatchStatus,
      useFactory: (batches: BatchReads, access: AccessVerifier, clock: Clock) => new GetBatchStatus(batches, access, scope, clock),
      inject: [BATCH_READS, ACCESS_VERIFIER, CLOCK],
    },
    { provide: BatchWatches, useFactory: (status: GetBatchStatus) => new BatchWatches(status), inject: [GetBatchStatus] },
    {
      provide: ListBatchResults,
      useFactory: (batches: BatchReads, access: AccessVerifier) => new ListBatchResults(batches, access, scope),
      inject: [BATCH_READS, ACCESS_VERIFIER],
    },
    {
      provide: SubmitBatch,
      useFactory: (batches: BatchWrites, types: TargetTypeDirectory, access: AccessVerifier, clock: Clock, ids: IdGenerator) =>
        new SubmitBatch(batches, types, access, clock, ids, {
          ...scope,
          maxItems: MAX_JSON_BATCH_ITEMS,
          referenceField,
          cleanItem: cleanContainerItem,
        }),
      inject: [BATCH_WRITES, TARGET_TYPE_DIRECTORY, ACCESS_VERIFIER, CLOCK, ID_GENERATOR],
    },
    {
      provide: CancelBatch,
      useFactory: (batches: BatchWrites, access: AccessVerifier, clock: Clock) => new CancelBatch(batches, access, scope, clock),
      inject: [BATCH_WRITES, ACCESS_VERIFIER, CLOCK],
    },
    {
      provide: RetryBatch,
      useFactory: (reads: BatchReads, writes: BatchWrites, access: AccessVerifier, clock: Clock, ids: IdGenerator) =>
        new RetryBatch(reads, writes, access, scope, clock, ids),
      inject: [BATCH_READS, BATCH_WRITES, ACCESS_VERIFIER, CLOCK, ID_GENERATOR],
    },
    {
      provide: ListBatches,
      useFactory: (batches: BatchReads, types: TargetTypeDirectory, access: AccessVerifier) => new ListBatches(batches, types, access, scope),
      inject: [BATCH_READS, TARGET_TYPE_DIRECTORY, ACCESS_VERIFIER],
    },
    {
      provide: SubmitBatchFile,
      useFactory: (
        batches: BatchWrites,
        types: TargetTypeDirectory,
        access: AccessVerifier,
        clock: Clock,
        ids: IdGenerator,
        config: AppConfig,
        typeConfigs: ContainerTypeRepository,
      ) =>
        new SubmitBatchFile(batches, types, access, clock, ids, {
          ...scope,
          referenceField,
          checkColumns: containerFileHeaderCheck(typeConfigs),
          maxRows: config.upload.maxRows,
          intakeIdleMs: config.upload.idleTimeoutMs,
        }),
      inject: [BATCH_WRITES, TARGET_TYPE_DIRECTORY, ACCESS_VERIFIER, CLOCK, ID_GENERATOR, APP_CONFIG, CONTAINER_TYPE_REPOSITORY],
    },
  ],
})
export class BatchesModule {}
