// class-validator DTO checks, reported as VALIDATION_FAILED with one violation per broken rule.
import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiError } from './api-error';

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidUnknownValues: false,
    transform: true,
    exceptionFactory: (errors: ValidationError[]) =>
      new ApiError('VALIDATION_FAILED', 'The request breaks the rules listed in additionalInfo.violations.', { violations: flatten(errors, '') }),
  });
}

function flatten(errors: ValidationError[], prefix: string): Array<{ path: string; message: string }> {
  return errors.flatMap((error) => {
    const path = /^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
