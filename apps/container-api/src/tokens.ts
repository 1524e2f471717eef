// Injection tokens, all in one place.
export const APP_CONFIG = Symbol('AppConfig');
export const DATABASE = Symbol('Database');
/** Wakeups between processes (WorkWakeups), or null where the store has none (SQLite). */
export const WORK_WAKEUPS = Symbol('WorkWakeups');
export const ACCESS_VERIFIER = Symbol('AccessVerifier');
export const CLOCK = Symbol('Clock');
export const ID_GENERATOR = Symbol('IdGenerator');
/** The batch ports by use; one adapter object may serve all three. */
export const BATCH_READS = Symbol('BatchReads');
export const BATCH_WRITES = Symbol('BatchWrites');
export const BATCH_RETENTION = Symbol('BatchRetention');
export const BATCH_PROCESSING_STORE = Symbol('BatchProcessingStore');
export const CALLBACK_OUTBOX = Symbol('CallbackOutbox');
export const CONTAINER_TYPE_REPOSITORY = Symbol('ContainerTypeRepository');
export const CONTAINER_READER = Symbol('ContainerReader');
export const CONTAINER_STORE_PROVIDER = Symbol('ContainerStoreProvider');
export const TARGET_TYPE_DIRECTORY = Symbol('TargetTypeDirectory');
export const BATCH_FILE_CODEC = Symbol('BatchFileCodec');
export const LOGGER = Symbol('Logger');
export const CALLBACK_GUARD = Symbol('CallbackAddressGuard');
export const SECRET_SEALER = Symbol('SecretSealer');
/** The process's ServiceMetrics, or null with METRICS_ENABLED=false (or where another thread counts). */
export const SERVICE_METRICS = Symbol('ServiceMetrics');
/** Where processing reports its work (WorkEvents). */
export const WORK_EVENTS = Symbol('WorkEvents');
export const BATCH_BACKLOG = Symbol('BatchBacklog');
