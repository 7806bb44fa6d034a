// `node --import ./scripts/testLoader.mjs`: the test processes run the test files, the support modules
// and the workspace sources they import (.ts) through scripts/testLoaderHooks.mjs, with source maps on
// (stack traces name the .ts files and lines).
import { register } from 'node:module';

process.setSourceMapsEnabled(true);
register('./testLoaderHooks.mjs', import.meta.url);
