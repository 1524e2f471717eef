// What the service offers to tools outside it (the benchmarks in tools/bench): building the HTTP
// app in process and the pieces it is built from. The service itself starts from main.ts
// (`@container-service/container-api/main`) and worker.ts; nothing here runs on import.
export { createApp } from './create-app';
export type { AppDependencies } from './app.module';
export { loadConfig } from './config/app-config';
export type { AppConfig } from './config/app-config';
export { createLogger } from './logging/logger';
export { resolveVerificationKey } from './auth/signing-key';
export { UuidV7IdGenerator } from './ids/uuid-v7.id-generator';
