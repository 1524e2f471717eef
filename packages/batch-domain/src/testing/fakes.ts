// Deterministic clocks, ids and access checks for tests.
import { AccessVerifier, Clock, IdGenerator, Principal } from '../ports';
import { DomainError, Result, domainError, err, ok } from '../result';

export class FixedClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Counts up: 00000000-0000-4000-8000-000000000001, ...02, ... */
export class SequentialIdGenerator implements IdGenerator {
  private next = 1;
  uuid(): string {
    const n = (this.next++).toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${n}`;
  }
}

/** Accepts exactly the tokens it was given, each for one tenant. */
export class StaticAccessVerifier implements AccessVerifier {
  private readonly tokens = new Map<string, string>();
  readonly calls: Array<{ token: string | undefined; tenantId: string }> = [];

  grant(token: string, tenantId: string): this {
    this.tokens.set(token, tenantId);
    return this;
  }

  async verify(token: string | undefined, tenantId: string): Promise<Result<Principal, DomainError<'UNAUTHORIZED'>>> {
    this.calls.push({ token, tenantId });
    if (token !== undefined && this.tokens.get(token) === tenantId) return ok({ tenantId, subject: null });
    return err(domainError('UNAUTHORIZED', 'The access token is missing, invalid, or not for this tenant.'));
  }
}
