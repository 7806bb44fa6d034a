// `npm run -s token -- --sub user-1 --scopes "orders:write users:read:email" [--ttl 3600] [--roles "a b"] [--tier gold]`
// Prints ONLY the JWT on stdout (so `TOKEN=$(npm run -s token -- …)` works); messages go to stderr.
// Signed with the local dev key (.local/dev-auth.json, created on first use), with the issuer and
// audience the dev gateway config requires.
import { failCommand, parseCommandLine } from './commandLine.js';
import { loadOrCreateDevSigningKey } from './devSigningKeyFile.js';
import { mintDevToken } from './mintDevToken.js';

const COMMAND = {
  name: 'token',
  usage: 'usage: npm run -s token -- --sub ID [--scopes "a b"] [--roles "r1 r2"] [--tier T] [--ttl SECONDS]',
};

/** Every token error is a usage error: the message, the usage, exit 2. */
function fail(message: string): never {
  return failCommand(COMMAND, `${message}\n${COMMAND.usage}`, 2);
}

const { values } = parseCommandLine(COMMAND, {
  options: {
    sub: { type: 'string' },
    scopes: { type: 'string', default: '' },
    roles: { type: 'string', default: '' },
    tier: { type: 'string' },
    /** Lifetime in seconds. @default 3600 (1 h) */
    ttl: { type: 'string', default: '3600' },
  },
});
if (!values.sub) fail('--sub is required');
const ttlSec = Number(values.ttl);
if (!Number.isInteger(ttlSec) || ttlSec <= 0) fail('--ttl must be a positive whole number of seconds');

const key = loadOrCreateDevSigningKey();
const scopes = (values.scopes ?? '').split(' ').filter(Boolean);
const roles = (values.roles ?? '').split(' ').filter(Boolean);
const token = await mintDevToken(key, { subject: values.sub, scopes, roles, ttlSeconds: ttlSec, ...(values.tier ? { tier: values.tier } : {}) });

process.stderr.write(`token: sub=${values.sub} scopes=[${scopes.join(' ')}] expires in ${ttlSec} s (dev key ${key.file})\n`);
process.stdout.write(`${token}\n`);
