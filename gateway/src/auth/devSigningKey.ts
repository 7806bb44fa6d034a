// The local development signing key: an HS256 secret generated on first run into the git-ignored
// `.local/` folder, so `npm start` works with no setup and `npm run token` mints tokens the local
// gateway accepts. Production refuses it (refuseDevKeyInProduction), because anyone with a checkout
// of a dev machine could mint tokens for it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AuthConfig } from './authConfig.js';

/** `iss` of dev tokens; the dev gateway config requires it. */
export const DEV_TOKEN_ISSUER = 'federation-gateway-dev';
/** `aud` of dev tokens; the dev gateway config requires it. */
export const DEV_TOKEN_AUDIENCE = 'federation-gateway';

export interface DevSigningKey {
  /** base64url, 32 random bytes (256 bits: the HS256 key size). */
  secret: string;
  issuer: string;
  audience: string;
  createdAt: string;
  /** Absolute path of the file it was read from / written to. */
  file: string;
}

/** `.local/dev-auth.json` under the current directory (npm scripts run at the repo root);
 * env DEV_AUTH_FILE overrides it (tests use a temp dir). */
export function devSigningKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.DEV_AUTH_FILE ?? '.local/dev-auth.json');
}

export function loadOrCreateDevSigningKey(file = devSigningKeyPath()): DevSigningKey {
  const existing = readDevSigningKey(file);
  if (existing) return existing;
  const key = {
    secret: randomBytes(32).toString('base64url'),
    issuer: DEV_TOKEN_ISSUER,
    audience: DEV_TOKEN_AUDIENCE,
    createdAt: new Date().toISOString(),
  };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': if two processes race on first run, the loser reads the winner's key instead.
    writeFileSync(file, `${JSON.stringify(key, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = readDevSigningKey(file);
    if (winner) return winner;
    throw error;
  }
  return { ...key, file };
}

function readDevSigningKey(file: string): DevSigningKey | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<DevSigningKey>;
  if (typeof parsed.secret !== 'string' || parsed.secret.length < 32) {
    throw new Error(`${file}: not a dev signing key file (delete it to generate a new one)`);
  }
  return {
    secret: parsed.secret,
    issuer: parsed.issuer ?? DEV_TOKEN_ISSUER,
    audience: parsed.audience ?? DEV_TOKEN_AUDIENCE,
    createdAt: parsed.createdAt ?? '',
    file,
  };
}

/** The auth config of the local dev gateway (`npm start`): dev-key JWTs, issuer/audience pinned. */
export function devAuthConfig(): AuthConfig {
  return {
    jwt: {
      key: { type: 'devKey' },
      algorithms: ['HS256'],
      issuer: DEV_TOKEN_ISSUER,
      audience: DEV_TOKEN_AUDIENCE,
      clockToleranceSec: 30,
      maxTokenBytes: 8_192,
      rolesClaim: 'roles',
      tierClaim: 'tier',
      verifiedCacheMaxEntries: 10_000,
      verifiedCacheMaxAgeMs: 60_000,
    },
  };
}

/**
 * Startup check (the gateway calls it before listening): with NODE_ENV=production, refuse the
 * generated dev key, whether configured as `devKey` or pasted in as a shared secret.
 * Throws an Error naming the config key.
 */
export function refuseDevKeyInProduction(auth: AuthConfig | undefined, env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_ENV !== 'production' || !auth?.jwt) return;
  const key = auth.jwt.key;
  if (key.type === 'devKey') {
    throw new Error('auth.jwt.key: the generated dev signing key is refused when NODE_ENV=production; configure a secret, publicKey or jwks');
  }
  if (key.type === 'secret') {
    const secret = key.secret ?? (key.secretEnv ? env[key.secretEnv] : undefined);
    const dev = readDevSigningKey(devSigningKeyPath(env));
    if (dev && secret === dev.secret) {
      throw new Error('auth.jwt.key: this secret is the generated dev signing key, refused when NODE_ENV=production');
    }
  }
}
