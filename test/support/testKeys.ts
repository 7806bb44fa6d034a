// Signing key pairs for the auth tests, generated once per checkout and kept under
// node_modules/.cache/test-keys/ (named by algorithm and the test's name for the key): each name is its own
// key, so tests that need different keys (key rotation, a key the JWKS never published) still get them.
//
// Why: an RSA key pair takes ~0.2 CPU-s to generate (a random prime search: 0.05-0.5 s), and the auth
// tests used nine a run. The keys are real keys of the algorithm asked for; only the generation is kept.
// Test keys only: nothing outside the tests trusts them.
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI, type CryptoKey } from 'jose';
import { cachedFile, readCached, writeCached } from './checkoutCache.js';

export type TestKeyAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

interface KeptPair {
  privateKey: string;
  publicKey: string;
}

/** The key pair kept for (`name`, `alg`), generated on first use; both keys extractable. */
export async function testKeyPair(name: string, alg: TestKeyAlgorithm): Promise<{ publicKey: CryptoKey; privateKey: CryptoKey }> {
  if (!/^[\w-]+$/.test(name)) throw new Error(`testKeyPair: a key name is letters, digits, - and _ (got ${JSON.stringify(name)})`);
  const file = cachedFile('test-keys', `${alg}-${name}.json`);
  const text = readCached(file);
  let kept = text === undefined ? undefined : (JSON.parse(text) as KeptPair);
  if (kept === undefined) {
    const generated = await generateKeyPair(alg, { extractable: true });
    kept = { privateKey: await exportPKCS8(generated.privateKey), publicKey: await exportSPKI(generated.publicKey) };
    writeCached(file, JSON.stringify(kept));
  }
  return {
    privateKey: await importPKCS8(kept.privateKey, alg, { extractable: true }),
    publicKey: await importSPKI(kept.publicKey, alg, { extractable: true }),
  };
}
