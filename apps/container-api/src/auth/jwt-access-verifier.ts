// AccessVerifier over JWTs (jose). A token must verify with the configured key and one of its
// allowed algorithms (so `alg: none` and algorithm confusion fail), carry `exp`, and name the
// calling tenant in `tid`. Verified tokens are cached until they expire, so repeated calls with
// the same token cost a map lookup.
import { AccessVerifier, DomainError, Principal, Result, domainError, err, ok } from '@container-service/batch-domain';
import { JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { VerificationKey } from './signing-key';

const MAX_CACHED_TOKENS = 10_000;
const MAX_TOKEN_LENGTH = 8192;

interface CachedToken {
  readonly tenantId: string;
  readonly subject: string | null;
  readonly expiresAtMs: number;
}

export interface JwtAccessVerifierOptions {
  readonly issuer?: string | null;
  readonly audience?: string | null;
  readonly now?: () => number;
}

export class JwtAccessVerifier implements AccessVerifier {
  private readonly cache = new Map<string, CachedToken>();
  private readonly now: () => number;

  constructor(
    private readonly key: VerificationKey,
    private readonly options: JwtAccessVerifierOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async verify(rawToken: string | undefined, tenantId: string): Promise<Result<Principal, DomainError<'UNAUTHORIZED'>>> {
    const token = rawToken?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return denied('The X-COREOS-ACCESS header with an access token is required.');
    if (token.length > MAX_TOKEN_LENGTH) return denied('The access token is too long.');

    const cached = this.cache.get(token);
    if (cached && cached.expiresAtMs > this.now()) return this.forTenant(cached, tenantId);
    if (cached) this.cache.delete(token);

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key.key as Parameters<typeof jwtVerify>[1] & Uint8Array, {
        algorithms: this.key.algorithms,
        requiredClaims: ['exp'],
        currentDate: new Date(this.now()),
        ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
        ...(this.options.audience ? { audience: this.options.audience } : {}),
      }));
    } catch (error) {
      // A key endpoint that cannot be reached is our failure, not the caller's: it surfaces as 503.
      if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid || !(error instanceof joseErrors.JOSEError)) throw error;
      return denied(describeFailure(error));
    }
    if (typeof payload.tid !== 'string' || payload.tid.length === 0) return denied('The access token carries no tid (tenant) claim.');
    // requiredClaims above: jose refuses a token without a numeric exp.
    if (payload.exp === undefined) throw new Error('jose accepted an access token without an exp claim');
    const entry: CachedToken = { tenantId: payload.tid, subject: typeof payload.sub === 'string' ? payload.sub : null, expiresAtMs: payload.exp * 1000 };
    this.remember(token, entry);
    return this.forTenant(entry, tenantId);
  }

  private forTenant(entry: CachedToken, tenantId: string): Result<Principal, DomainError<'UNAUTHORIZED'>> {
    if (entry.tenantId !== tenantId) return denied('The access token was issued for another tenant than X-COREOS-TID.');
    return ok({ tenantId, subject: entry.subject });
  }

  private remember(token: string, entry: CachedToken): void {
    if (this.cache.size >= MAX_CACHED_TOKENS) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(token, entry);
  }
}

function denied(message: string): Result<never, DomainError<'UNAUTHORIZED'>> {
  return err(domainError('UNAUTHORIZED', message));
}

function describeFailure(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The access token has expired.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return error.claim === 'exp' ? 'The access token has no exp (expiry) claim.' : `The access token's ${error.claim} claim is not accepted.`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The access token is signed with an algorithm this service does not accept.';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The access token signature does not verify.';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'The access token is signed with a key this service does not know.';
  return 'The access token is malformed.';
}
