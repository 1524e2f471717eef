// The paging options of a listing in the OpenAPI description, from the limits the listing reads
// them with (parsePage), so that the two cannot drift apart.
import type { PageLimit } from '@container-service/batch-domain';
import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';

// Applied in the order the two separate decorators used to run (bottom up): cursor, then limit.
export const PagingQuery = (limits: PageLimit) =>
  applyDecorators(
    ApiQuery({ name: 'cursor', required: false, type: String, description: 'the `nextCursor` of the previous page' }),
    ApiQuery({ name: 'limit', required: false, type: 'integer', minimum: 1, maximum: limits.max, description: `1-${limits.max}, default ${limits.default}` }),
  );
