// What every feature shares: configuration, logger, clock and ids, the access verifier, the
// callback secret sealer and address guard, and the in-process "a batch was submitted" signal.
import { AccessVerifier, Clock, IdGenerator } from '@container-service/batch-domain';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { Logger } from 'pino';
import { JwtAccessVerifier } from './auth/jwt-access-verifier';
import { VerificationKey } from './auth/signing-key';
import { BatchSubmitted } from './batches/batch-submitted';
import { AesGcmSecretSealer } from './callbacks/aes-gcm-secret.sealer';
import { CallbackAddressGuard } from './callbacks/callback-address.guard';
import { AppConfig } from './config/app-config';
import { UuidV7IdGenerator } from './ids/uuid-v7.id-generator';
import { ACCESS_VERIFIER, APP_CONFIG, CALLBACK_GUARD, CLOCK, ID_GENERATOR, LOGGER, SECRET_SEALER } from './tokens';

export interface CoreDependencies {
  readonly config: AppConfig;
  readonly verificationKey: VerificationKey;
  readonly logger: Logger;
  readonly clock?: Clock;
}

@Global()
@Module({})
export class CoreModule {
  static register(deps: CoreDependencies): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: deps.config },
        { provide: LOGGER, useValue: deps.logger },
        { provide: CLOCK, useValue: deps.clock ?? { now: () => Date.now() } },
        // Time-ordered ids (ADR 0028); one generator per process thread, so ids of a thread only increase.
        { provide: ID_GENERATOR, useFactory: (clock: Clock): IdGenerator => new UuidV7IdGenerator(clock), inject: [CLOCK] },
        {
          provide: ACCESS_VERIFIER,
          useFactory: (config: AppConfig): AccessVerifier =>
            new JwtAccessVerifier(deps.verificationKey, { issuer: config.auth.issuer, audience: config.auth.audience }),
          inject: [APP_CONFIG],
        },
        { provide: SECRET_SEALER, useFactory: (config: AppConfig) => new AesGcmSecretSealer(config.callbacks.secretKeys), inject: [APP_CONFIG] },
        { provide: CALLBACK_GUARD, useFactory: (config: AppConfig) => new CallbackAddressGuard(config.callbacks.allowPrivateNetworks), inject: [APP_CONFIG] },
        BatchSubmitted,
      ],
      exports: [APP_CONFIG, LOGGER, CLOCK, ID_GENERATOR, ACCESS_VERIFIER, SECRET_SEALER, CALLBACK_GUARD, BatchSubmitted],
    };
  }
}
