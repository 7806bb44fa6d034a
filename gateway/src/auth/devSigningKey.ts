// The local development signing key, as the gateway reads it (`auth.jwt.key.type: devKey`): an HS256
// secret in the git-ignored `.local/dev-auth.json`. The dev tools (`npm start`, `npm run token`, in
// scripts/) create that file and mint tokens with it; the gateway only reads it, through this module,
// which is also the file format's one definition (exported as `@federation-gateway/gateway/dev-signing-key`).
// Production refuses the key (refuseDevKeyInProduction): anyone with a checkout of a dev machine could
// mint tokens for it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MIN_HS_SECRET_LENGTH, type AuthConfig } from './authConfig.js';

/** `iss` of dev tokens; the dev gateway config requires it. */
export const DEV_TOKEN_ISSUER = 'federation-gateway-dev';
/** `aud` of dev tokens; the dev gateway config requires it. */
export const DEV_TOKEN_AUDIENCE = 'federation-gateway';
/** 32 bytes = 256 bits, the HS256 key size; shorter files are refused. */
export const DEV_SECRET_BYTES = 32;

export interface DevSigningKey {
  /** base64url of DEV_SECRET_BYTES random bytes. */
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

/** The dev key in `file`, or undefined when there is no such file; throws on a file that is not one. */
export function readDevSigningKey(file: string): DevSigningKey | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<DevSigningKey>;
  if (typeof parsed.secret !== 'string' || parsed.secret.length < MIN_HS_SECRET_LENGTH) {
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

/** The dev key the gateway verifies with; a clear startup error when none was generated yet. */
export function requireDevSigningKey(file = devSigningKeyPath()): DevSigningKey {
  const key = readDevSigningKey(file);
  if (!key) {
    throw new Error(`auth.jwt.key: devKey: no dev signing key at ${file}; \`npm start\` or \`npm run token\` generates one`);
  }
  return key;
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
