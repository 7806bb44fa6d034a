// The `auth` section of the gateway config. Absent → every caller is anonymous: an Authorization
// header is then neither rejected nor trusted (we were not told how to verify it).
import { z } from 'zod';

/** Asymmetric algorithms we accept: RSA (PKCS#1 v1.5 and PSS), ECDSA, EdDSA. Never `none`. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;
/** Shared-secret algorithms: only ever valid with a `secret` or `devKey` key source. */
export const SYMMETRIC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
const algorithmSchema = z.enum([...SYMMETRIC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS]);

/** 32 characters at least: HS256 needs a key of 256 bits or more to resist brute force. */
export const MIN_HS_SECRET_LENGTH = 32;

const secretKeySchema = z
  .object({
    type: z.literal('secret'),
    /** The shared secret itself (>= 32 chars: HS256 needs at least 256 bits of key). Prefer `secretEnv`. */
    secret: z.string().min(MIN_HS_SECRET_LENGTH).optional(),
    /** Name of an env var holding the shared secret (keeps it out of config files). */
    secretEnv: z.string().min(1).optional(),
  })
  .strict()
  .refine((k) => (k.secret === undefined) !== (k.secretEnv === undefined), { message: 'set exactly one of secret, secretEnv' });

const publicKeySchema = z
  .object({
    type: z.literal('publicKey'),
    /** SPKI PEM ("-----BEGIN PUBLIC KEY-----") or an X.509 certificate PEM. */
    pem: z.string().min(1).optional(),
    /** Path to a file holding the PEM. */
    pemFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((k) => (k.pem === undefined) !== (k.pemFile === undefined), { message: 'set exactly one of pem, pemFile' });

const jwksKeySchema = z
  .object({
    type: z.literal('jwks'),
    url: z.url(),
    /** How long a fetched key set is used before a refetch is attempted. @default 600000 (10 min) */
    cacheMaxAgeMs: z.number().int().positive().default(600_000),
    /** Minimum time between two fetches (unknown `kid` or failed fetch), so a flood of tokens with
     * random kids cannot hammer the identity provider. @default 30000 (30 s) */
    refetchCooldownMs: z.number().int().nonnegative().default(30_000),
    /** Timeout of one JWKS fetch. @default 5000 (5 s) */
    timeoutMs: z.number().int().positive().default(5_000),
  })
  .strict();

const devKeySchema = z
  .object({
    /** The generated local dev HS256 secret in `.local/dev-auth.json`. Refused when NODE_ENV=production. */
    type: z.literal('devKey'),
  })
  .strict();

export const jwtConfigSchema = z
  .object({
    key: z.discriminatedUnion('type', [secretKeySchema, publicKeySchema, jwksKeySchema, devKeySchema]),
    /** Allowed `alg` values. @default ['HS256'] for secret/devKey, every asymmetric algorithm for publicKey/jwks */
    algorithms: z.array(algorithmSchema).min(1).optional(),
    /** Required `iss` (one of). Unchecked when absent. */
    issuer: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Required `aud` (one of). Unchecked when absent. */
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Leeway for exp/nbf/iat between our clock and the issuer's. @default 30 (seconds) */
    clockToleranceSec: z.number().int().nonnegative().max(300).default(30),
    /** Tokens longer than this are rejected before any crypto. @default 8192 (bytes) */
    maxTokenBytes: z.number().int().positive().max(65_536).default(8_192),
    /** Also read the token from this cookie when there is no Authorization header. Unset: header only. */
    cookieName: z.string().min(1).optional(),
    /** Claim holding roles (array of strings or a space-separated string). @default 'roles' */
    rolesClaim: z.string().min(1).default('roles'),
    /** Claim holding the rate-limit tier. @default 'tier'; a token without it gets tier 'authenticated' */
    tierClaim: z.string().min(1).default('tier'),
    /**
     * Verified tokens remembered (by the whole token string) so a client's repeated token is not
     * re-verified on every request; 0 turns the cache off. @default 10000 (entries)
     */
    verifiedCacheMaxEntries: z.number().int().nonnegative().max(1_000_000).default(10_000),
    /** Longest a verified token is remembered, in ms (never past its `exp`). @default 60000 (60 s) */
    verifiedCacheMaxAgeMs: z.number().int().positive().max(3_600_000).default(60_000),
  })
  .strict()
  .superRefine((jwt, ctx) => {
    const symmetricKey = jwt.key.type === 'secret' || jwt.key.type === 'devKey';
    for (const alg of jwt.algorithms ?? []) {
      const symmetricAlg = (SYMMETRIC_ALGORITHMS as readonly string[]).includes(alg);
      // Mixing families is how HS256-signed-with-the-RSA-public-key attacks work: refuse the config.
      if (symmetricAlg !== symmetricKey) {
        ctx.addIssue({ code: 'custom', path: ['algorithms'], message: `${alg} cannot be used with a ${jwt.key.type} key` });
      }
    }
  });

export const apiKeyConsumerSchema = z
  .object({
    name: z.string().min(1),
    /** Hex SHA-256 of the key: the key itself is never stored. `printf %s KEY | sha256sum` */
    keySha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex chars (SHA-256)'),
    /** Rate-limit tier of this consumer, e.g. 'partner'. */
    tier: z.string().min(1),
    scopes: z.array(z.string().min(1)).default([]),
    roles: z.array(z.string().min(1)).default([]),
    /** A revoked key is answered like an unknown one (401). @default false */
    revoked: z.boolean().default(false),
  })
  .strict();

export const apiKeysConfigSchema = z
  .object({
    /** Request header carrying the key. @default 'x-api-key' */
    header: z.string().min(1).default('x-api-key').transform((h) => h.toLowerCase()),
    consumers: z.array(apiKeyConsumerSchema).default([]),
  })
  .strict();

export const authConfigSchema = z
  .object({
    /** JWT bearer tokens. Unset: Authorization headers are ignored (never trusted). */
    jwt: jwtConfigSchema.optional(),
    /** API keys for service clients. Unset: x-api-key is ignored. */
    apiKeys: apiKeysConfigSchema.optional(),
  })
  .strict();

export type AuthConfig = z.infer<typeof authConfigSchema>;
export type JwtConfig = z.infer<typeof jwtConfigSchema>;
export type ApiKeyConsumer = z.infer<typeof apiKeyConsumerSchema>;
