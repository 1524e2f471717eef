// The request headers in the OpenAPI description: the X-COREOS-* ones once for every API
// controller, the submit-only ones on the submit routes.
import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

export const CoreosHeaders = () =>
  applyDecorators(
    ApiHeader({ name: 'X-COREOS-REQUEST-ID', required: true, description: '1-128 visible ASCII characters; echoed back on every response' }),
    ApiHeader({ name: 'X-COREOS-TID', required: true, description: 'tenant id, ^[A-Za-z0-9_-]{1,64}$' }),
    ApiHeader({
      name: 'X-COREOS-ACCESS',
      required: true,
      description: 'access token (JWT) whose tid claim equals X-COREOS-TID; a leading "Bearer " is accepted',
    }),
    ApiHeader({
      name: 'X-COREOS-USERINFO',
      required: false,
      description:
        'who acted, up to 8 KiB, never refused for its form: JSON {"id", "name", "appID"} or Go api.Userinfo{ID:"…", Name:"…", AppID:"…"}; recorded as createdBy/updatedBy (else the token subject, else the tenant)',
    }),
  );

/** The headers only the submit routes read, documented on each of them. */
export const SubmitHeaders = () =>
  applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        '1-255 printable ASCII characters: a repeat of the same request with the same key answers the original 202 (Idempotent-Replayed: true); a different request under it is 422 IDEMPOTENCY_KEY_REUSED',
    }),
    ApiHeader({
      name: 'X-COREOS-CALLBACK-SECRET',
      required: false,
      description: "1-256 visible ASCII characters: signs this batch's callback (HMAC-SHA256); never echoed",
    }),
  );
