// Injection tokens, all in one place.
export const APP_CONFIG = Symbol('AppConfig');
export const DATABASE = Symbol('Database');
export const ACCESS_VERIFIER = Symbol('AccessVerifier');
export const CLOCK = Symbol('Clock');
export const ID_GENERATOR = Symbol('IdGenerator');
export const BATCH_REPOSITORY = Symbol('BatchRepository');
export const CONTAINER_TYPE_REPOSITORY = Symbol('ContainerTypeRepository');
export const LOGGER = Symbol('Logger');
export const CALLBACK_GUARD = Symbol('CallbackAddressGuard');
export const SECRET_SEALER = Symbol('SecretSealer');
