// The X-COREOS-* headers, documented once for every API controller.
import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

export const CoreosHeaders = () =>
  applyDecorators(
    ApiHeader({ name: 'X-COREOS-REQUEST-ID', required: true, description: '1-128 visible ASCII characters; echoed back on every response' }),
    ApiHeader({ name: 'X-COREOS-TID', required: true, description: 'tenant id, ^[A-Za-z0-9_-]{1,64}$' }),
    ApiHeader({ name: 'X-COREOS-ACCESS', required: true, description: 'access token (JWT) whose tid claim equals X-COREOS-TID; a leading "Bearer " is accepted' }),
    ApiHeader({ name: 'X-COREOS-USERINFO', required: false, description: 'JSON {"id": "...", "name": "..."}; recorded as createdBy/updatedBy' }),
  );
