// Injection tokens, all in one place.
export const APP_CONFIG = Symbol('AppConfig');
export const DATABASE = Symbol('Database');
export const ACCESS_VERIFIER = Symbol('AccessVerifier');
export const CLOCK = Symbol('Clock');
export const ID_GENERATOR = Symbol('IdGenerator');
/** The batch adapter: BatchReads, BatchWrites and BatchRetention in one object; each use case is typed with the port it uses. */
export const BATCH_REPOSITORY = Symbol('BatchRepository');
export const CONTAINER_TYPE_REPOSITORY = Symbol('ContainerTypeRepository');
export const LOGGER = Symbol('Logger');
export const CALLBACK_GUARD = Symbol('CallbackAddressGuard');
export const SECRET_SEALER = Symbol('SecretSealer');
