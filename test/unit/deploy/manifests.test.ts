// Keeps deploy/ true to the gateway: the production config parses with the gateway's own schema, and the
// Dockerfile, Kubernetes manifests and that config agree on ports, probe paths, env names, mount paths and
// secret keys. A renamed flag, port or env var in the gateway fails here instead of in a cluster.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CONFIG_ENV_VARIABLES, configFromEnv, readConfigFile, resolveConfig } from '../../../gateway/src/config.js';
import { OPS_PATHS } from '../../../gateway/src/adminRoutes.js';
import { envPairs, readDockerfile, type DockerStage } from '../../../scripts/src/dockerfile.js';
import { repoRoot } from '../../support/processes.js';

type Manifest = Record<string, any>;
const deployDir = join(repoRoot, 'deploy');

function manifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(join(deployDir, file), 'utf8')).map((document) => document.toJS() as Manifest);
}

const kustomization = manifests('kustomization.yaml')[0]!;
const all = (kustomization.resources as string[]).flatMap((file) => manifests(file));
const find = (kind: string, name: string): Manifest => {
  const found = all.find((m) => m.kind === kind && m.metadata?.name === name);
  assert.ok(found, `${kind}/${name} is in the kustomization's resources`);
  return found;
};
const deployment = find('Deployment', 'gateway');
const pod = deployment.spec.template.spec;
const container = pod.containers.find((c: Manifest) => c.name === 'gateway');
const secretExample = manifests('kubernetes/secret.example.yaml')[0]!;

// The config as the pods get it: the generated ConfigMap's file, with the env the Deployment sets
// (secret values stand in with the shape the example Secret gives them).
const configFile = (kustomization.configMapGenerator as Manifest[]).find((g) => g.name === 'gateway-config')!.files[0] as string;
const [configKey, configSource] = configFile.split('=') as [string, string];
const secretEnv = Object.fromEntries(
  (container.env as Manifest[]).map((e) => [e.name, e.value ?? secretExample.stringData[e.valueFrom.secretKeyRef.key]]),
);
const config = resolveConfig([readConfigFile(join(deployDir, configSource)), configFromEnv(secretEnv)]);
const runtime: DockerStage = readDockerfile(join(deployDir, 'Dockerfile')).stages.at(-1)!;
const instructions = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);

function containerPort(name: string): number {
  const port = (container.ports as Manifest[]).find((p) => p.name === name);
  assert.ok(port, `container port ${name}`);
  return port.containerPort as number;
}

describe('deploy/: the production config', () => {
  test('parses with the gateway config schema, admin listener on, Redis store, identity signed', { timeout: 10_000 }, () => {
    assert.equal(config.admin.enabled, true);
    assert.equal(config.server.host, '0.0.0.0', 'reachable from outside the container');
    assert.equal(config.rateLimits.store.kind, 'redis', 'several replicas share their limits');
    assert.equal(config.internalIdentity.enabled, true);
    assert.ok(config.internalIdentity.secret, 'the secret comes from the Secret');
    assert.equal(config.introspection, false);
  });
});

describe('deploy/: the Kubernetes manifests match the gateway', () => {
  test('Deployment: >= 2 replicas, resources, probes on the admin port', { timeout: 10_000 }, () => {
    assert.ok(deployment.spec.replicas >= 2);
    assert.ok(container.resources.requests.cpu && container.resources.requests.memory && container.resources.limits.memory);
    assert.equal(containerPort('http'), config.server.port);
    assert.equal(containerPort('admin'), config.admin.port);
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'admin' });
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'admin' });
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) assert.ok(OPS_PATHS.has(probe.httpGet.path));
    assert.equal(deployment.spec.template.metadata.annotations['prometheus.io/port'], String(config.admin.port));
    // The drain fits in the grace period: preStop pause + shutdownGraceMs < terminationGracePeriodSeconds.
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command[1]);
    assert.ok(preStopSeconds + config.server.shutdownGraceMs / 1000 < pod.terminationGracePeriodSeconds);
  });

  test('env: only variables the gateway reads, secrets from keys the Secret has', { timeout: 10_000 }, () => {
    const known = new Set<string>([...CONFIG_ENV_VARIABLES, 'NODE_ENV', 'NODE_OPTIONS']);
    for (const variable of container.env as Manifest[]) {
      assert.ok(known.has(variable.name) || variable.name.startsWith('OTEL_'), `${variable.name} is not read by the gateway`);
      const ref = variable.valueFrom?.secretKeyRef;
      if (ref) {
        assert.equal(ref.name, secretExample.metadata.name);
        assert.ok(ref.key in secretExample.stringData, `the Secret example has ${ref.key}`);
      }
    }
  });

  test('the config and the supergraph are folder mounts where the config says', { timeout: 10_000 }, () => {
    const mount = (volume: string) => (container.volumeMounts as Manifest[]).find((m) => m.name === volume)!;
    const configMap = (volume: string) => (pod.volumes as Manifest[]).find((v) => v.name === volume)!.configMap.name as string;
    assert.equal(configMap('config'), 'gateway-config');
    const configPath = container.args[container.args.indexOf('--config') + 1] as string;
    assert.equal(configPath, posix.join(mount('config').mountPath, configKey));
    // A subPath mount never sees a ConfigMap update: the hot reload needs the folder.
    assert.equal(mount('supergraph').subPath, undefined);
    assert.equal(mount('config').subPath, undefined);
    assert.equal(posix.dirname(config.supergraph.path), mount('supergraph').mountPath);
    assert.equal(configMap('supergraph'), manifests('kubernetes/supergraph-configmap.example.yaml')[0]!.metadata.name);
    assert.ok(posix.basename(config.supergraph.path) in manifests('kubernetes/supergraph-configmap.example.yaml')[0]!.data);
    assert.equal(config.supergraph.watch, true);
  });

  test('Service, PodDisruptionBudget and Redis fit the Deployment and the config', { timeout: 10_000 }, () => {
    const labels = deployment.spec.template.metadata.labels;
    const service = find('Service', 'gateway');
    assert.deepEqual(service.spec.selector, labels);
    assert.deepEqual(service.spec.ports.map((p: Manifest) => p.targetPort), ['http'], 'the admin port is not behind the Service');
    const pdb = find('PodDisruptionBudget', 'gateway');
    assert.deepEqual(pdb.spec.selector.matchLabels, labels);
    assert.ok(pdb.spec.minAvailable < deployment.spec.replicas, 'a drain can still proceed');
    assert.equal(config.rateLimits.store.kind, 'redis');
    const redisUrl = new URL(config.rateLimits.store.kind === 'redis' ? config.rateLimits.store.url : '');
    const redisService = find('Service', redisUrl.hostname);
    assert.ok(redisService.spec.ports.some((p: Manifest) => p.port === Number(redisUrl.port)));
    find('Deployment', redisUrl.hostname);
  });
});

describe('deploy/Dockerfile: the runtime image', () => {
  test('non-root, NODE_ENV=production, compiled gateway with the production config, both ports, HEALTHCHECK', { timeout: 10_000 }, () => {
    const user = instructions('USER').at(-1)?.args;
    assert.ok(user && user !== 'root' && user !== '0', 'runs as a non-root user');
    assert.equal(Object.assign({}, ...instructions('ENV').map((i) => envPairs(i.args))).NODE_ENV, 'production');
    const cmd = instructions('CMD').at(-1)!.exec!;
    const entry = cmd.indexOf('gateway/dist/main.js');
    assert.ok(cmd[0] === 'node' && entry > 0, 'compiled JavaScript');
    // The node flags `npm run gateway` measures with (bench/RESULTS.md: --max-semi-space-size), so the image runs what was measured.
    const npmGateway = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.gateway!;
    assert.deepEqual(cmd.slice(1, entry), npmGateway.split(' ').slice(1, -1), 'the node flags of `npm run gateway`');
    assert.equal(cmd[cmd.indexOf('--config') + 1], container.args[container.args.indexOf('--config') + 1], 'the same config path as the Deployment');
    const copiesConfig = instructions('COPY').some((i) => i.args === `deploy/${configSource} ${cmd[cmd.indexOf('--config') + 1]}`);
    assert.ok(copiesConfig, 'the image carries the production config at the CMD path');
    assert.deepEqual(instructions('EXPOSE').flatMap((i) => i.args.split(' ').map(Number)).sort(), [config.server.port, config.admin.port].sort());
    const healthcheck = instructions('HEALTHCHECK').at(-1)!;
    assert.match(healthcheck.args, new RegExp(`127\\.0\\.0\\.1:${config.admin.port}/healthz`));
    assert.ok(existsSync(join(repoRoot, '.dockerignore')));
    assert.ok(dirname(configSource) === '.', 'the config source sits beside the kustomization');
  });
});
