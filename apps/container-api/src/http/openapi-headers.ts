// The request headers in the OpenAPI description. The three identity headers every API route
// requires (contract §1) are security schemes, not parameters: Swagger UI's Authorize fills them
// once for every "Try it out", and a generated client sets them once on its client instead of on
// every call (openapi-document.ts applies them to every API route). The optional ones stay
// parameters: X-COREOS-USERINFO on every API route, the submit-only ones on the submit routes.
import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { SecuritySchemeObject } from '@nestjs/swagger';

/** The security schemes, by name: each an API key in its header. */
export const IDENTITY_SCHEMES: Readonly<Record<'requestId' | 'tenantId' | 'accessToken', SecuritySchemeObject>> = {
  requestId: {
    type: 'apiKey',
    in: 'header',
    name: 'X-COREOS-REQUEST-ID',
    description:
      'Correlation id, 1-128 visible ASCII characters (0x21-0x7E); echoed back on every response. Not a secret: the same one may be sent on any number of calls.',
  },
  tenantId: { type: 'apiKey', in: 'header', name: 'X-COREOS-TID', description: 'Tenant id, ^[A-Za-z0-9_-]{1,64}$.' },
  accessToken: {
    type: 'apiKey',
    in: 'header',
    name: 'X-COREOS-ACCESS',
    description:
      'Access token (JWT) whose tid claim equals X-COREOS-TID; a leading "Bearer " is accepted. In development mode `npm run token -- --tenant demo` prints one.',
  },
};

/** All three together (one requirement object: they are needed at once, not one of them). */
export const IDENTITY_REQUIREMENT: Readonly<Record<keyof typeof IDENTITY_SCHEMES, string[]>> = { requestId: [], tenantId: [], accessToken: [] };

export const CoreosHeaders = () =>
  applyDecorators(
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
      description: "1-256 visible ASCII characters: signs this batch's callback (HMAC-SHA256, see the callbacks of this operation); never echoed",
    }),
  );
