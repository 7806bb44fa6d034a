// Summarizes a V8 .cpuprofile (from `npm run bench -- --profile DIR`, i.e. `node --cpu-prof`): where the
// gateway's CPU went, by package (self time), by function (self and inclusive time), and the inclusive
// time of a few frames that name a concern (result shaping, query planning, subgraph fetch, GC). Samples before the
// first GraphQL request (module loading, startup) are skipped, so the numbers describe serving.
//
// Usage: npx tsx bench/profileSummary.ts FILE.cpuprofile [--top N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '30' } }, allowPositionals: true, strict: true });
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: profileSummary FILE.cpuprofile [--top N]\n');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

/** "@apollo/gateway", "graphql", "node:internal", "ours (gateway/dist)", "(garbage collector)", ... */
function ownerOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node (built-in modules)';
  const dist = /\/(gateway|packages\/[^/]+)\/dist\//.exec(url);
  if (dist) return `ours: ${dist[1]}`;
  return url;
}

const label = (frame: CallFrame) => `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/node_modules\//, '')}:${frame.lineNumber + 1}`;

// Start counting at the first sample whose stack is inside a GraphQL request.
const stackOf = (id: number): ProfileNode[] => {
  const stack: ProfileNode[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) stack.push(byId.get(at)!);
  return stack;
};
let first = profile.samples.findIndex((id) => stackOf(id).some((node) => node.callFrame.functionName === 'executeHTTPGraphQLRequest'));
if (first < 0) first = 0;

const inclusiveByFunction = new Map<string, number>();
const selfByOwner = new Map<string, number>();
const selfByFunction = new Map<string, number>();
const inclusive = new Map<string, number>();
/** Frames whose inclusive time names a concern (function name, url fragment). */
const CONCERNS: [string, (frame: CallFrame) => boolean][] = [
  ['@apollo/gateway executeQueryPlan (whole plan execution, fetches included)', (f) => f.functionName === 'executeQueryPlan'],
  ['@apollo/gateway result shaping (computeResponse / ResultShaping)', (f) => /resultShaping/.test(f.url)],
  ['@apollo/gateway merging fetch results (deepMerge / executeFetch body)', (f) => f.functionName === 'deepMerge' || f.functionName === 'executeFetch'],
  ['query planning (buildQueryPlan)', (f) => f.functionName === 'buildQueryPlan'],
  ['datasource process()', (f) => f.functionName === 'process' && /datasource/i.test(f.url)],
  ['graphql-js parse', (f) => f.functionName === 'parse' && /graphql\/language\/parser/.test(f.url)],
  ['graphql-js validate', (f) => f.functionName === 'validate' && /graphql\/validation\/validate/.test(f.url)],
  ['JSON.parse', (f) => f.functionName === 'parse' && f.url === ''],
  ['JSON.stringify', (f) => f.functionName === 'stringify' && f.url === ''],
  ['undici', (f) => /\/undici\//.test(f.url)],
];
let total = 0;
for (let index = first; index < profile.samples.length; index += 1) {
  const id = profile.samples[index]!;
  const dt = profile.timeDeltas[index] ?? 0;
  total += dt;
  const node = byId.get(id)!;
  const owner = ownerOf(node.callFrame);
  selfByOwner.set(owner, (selfByOwner.get(owner) ?? 0) + dt);
  const name = label(node.callFrame);
  selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + dt);
  const seen = new Set<string>();
  const seenFunctions = new Set<string>();
  for (const frame of stackOf(id)) {
    const frameName = label(frame.callFrame);
    if (node.callFrame.functionName !== '(idle)' && !seenFunctions.has(frameName)) {
      seenFunctions.add(frameName);
      inclusiveByFunction.set(frameName, (inclusiveByFunction.get(frameName) ?? 0) + dt);
    }
    for (const [concern, matches] of CONCERNS) {
      if (!seen.has(concern) && matches(frame.callFrame)) {
        seen.add(concern);
        inclusive.set(concern, (inclusive.get(concern) ?? 0) + dt);
      }
    }
  }
}

const busy = total - (selfByOwner.get('(idle)') ?? 0);
const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
const print = (title: string, map: Map<string, number>, limit: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) process.stdout.write(`${pct(us)}  ${name}\n`);
};
selfByOwner.delete('(idle)');
selfByFunction.delete('(idle) :0');
process.stdout.write(
  `${file}: ${(total / 1e6).toFixed(1)} s of samples while serving, ${(busy / 1e6).toFixed(1)} s of them busy (not idle); percentages are of busy time\n`,
);
print('Self time by package', selfByOwner, top);
print('Inclusive time by concern', inclusive, CONCERNS.length);
print('Self time by function', selfByFunction, top);
print('Inclusive time by function', inclusiveByFunction, top * 2);
