// Container types (define, read, list, replace attributes) and reading one container, over HTTP.
import { AccessVerifier, Clock } from '@container-service/batch-domain';
import {
  ContainerReader,
  ContainerTypeRepository,
  DefineContainerType,
  GetContainer,
  GetContainerType,
  ListContainerTypes,
  ReplaceContainerTypeAttributes,
} from '@container-service/container-domain';
import { Module } from '@nestjs/common';
import { ContainerController } from '../containers/container.controller';
import { ACCESS_VERIFIER, CLOCK, CONTAINER_READER, CONTAINER_TYPE_REPOSITORY } from '../tokens';
import { ContainerTypesController } from './container-types.controller';

@Module({
  controllers: [ContainerTypesController, ContainerController],
  providers: [
    {
      provide: DefineContainerType,
      useFactory: (types: ContainerTypeRepository, access: AccessVerifier, clock: Clock) => new DefineContainerType(types, access, clock),
      inject: [CONTAINER_TYPE_REPOSITORY, ACCESS_VERIFIER, CLOCK],
    },
    {
      provide: GetContainerType,
      useFactory: (types: ContainerTypeRepository, access: AccessVerifier) => new GetContainerType(types, access),
      inject: [CONTAINER_TYPE_REPOSITORY, ACCESS_VERIFIER],
    },
    {
      provide: ListContainerTypes,
      useFactory: (types: ContainerTypeRepository, access: AccessVerifier) => new ListContainerTypes(types, access),
      inject: [CONTAINER_TYPE_REPOSITORY, ACCESS_VERIFIER],
    },
    {
      provide: ReplaceContainerTypeAttributes,
      useFactory: (types: ContainerTypeRepository, access: AccessVerifier, clock: Clock) => new ReplaceContainerTypeAttributes(types, access, clock),
      inject: [CONTAINER_TYPE_REPOSITORY, ACCESS_VERIFIER, CLOCK],
    },
    {
      provide: GetContainer,
      useFactory: (containers: ContainerReader, access: AccessVerifier) => new GetContainer(containers, access),
      inject: [CONTAINER_READER, ACCESS_VERIFIER],
    },
  ],
})
export class ContainersModule {}
