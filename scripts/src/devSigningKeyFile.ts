// Creates the local dev signing key on first use (`npm start`, `npm run token`), in the format the
// gateway reads (`@federation-gateway/gateway/dev-signing-key`, the format's one definition). Dev-only:
// the gateway's build never generates keys, it only verifies with this one (and refuses it in production).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  DEV_SECRET_BYTES,
  DEV_TOKEN_AUDIENCE,
  DEV_TOKEN_ISSUER,
  devSigningKeyPath,
  readDevSigningKey,
  type DevSigningKey,
} from '@federation-gateway/gateway/dev-signing-key';

export function loadOrCreateDevSigningKey(file = devSigningKeyPath()): DevSigningKey {
  const existing = readDevSigningKey(file);
  if (existing) return existing;
  const key = {
    secret: randomBytes(DEV_SECRET_BYTES).toString('base64url'),
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
