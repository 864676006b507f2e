/**
 * Validates the deploy manifests without a cluster: every YAML parses, every
 * Kubernetes object passes the Kubernetes OpenAPI schema (kubernetes-models),
 * kustomizations reference files that exist, each container of our image
 * starts an entry file of the repository with an env that the process's own
 * zod config schema accepts, probes hit paths the process serves, and the
 * Prometheus and Grafana files name metrics the processes export. When
 * `kubectl` is installed, `kubectl kustomize` must render the same objects.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { cellApiConfigSchema, cellWorkerConfigSchema } from '../../cell/config.ts';
import { PORTS } from '../../deploy/local/topology.ts';
import { migratorConfigSchema } from '../../router/migration/config.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const k8sDir = path.join(root, 'deploy', 'k8s');
const IMAGE = 'cellular-resume-platform';

type Obj = Record<string, unknown>;
interface Doc {
  file: string;
  namespace: string | undefined;
  value: Obj;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

function parseYaml(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  return docs.map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    return doc.toJS() as Obj;
  });
}

const get = (value: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>(
    (current, key) =>
      current !== null && typeof current === 'object'
        ? (current as Record<string | number, unknown>)[key]
        : undefined,
    value,
  );
const list = (value: unknown): Obj[] => (Array.isArray(value) ? (value as Obj[]) : []);

interface Rendered {
  docs: Doc[];
  /** configMapGenerator literals by namespace and name. */
  generated: Map<string, Record<string, string>>;
  kustomizations: string[];
}

/**
 * A small kustomize: follows `resources`, applies the nearest `namespace`, and
 * records configMapGenerator literals. Enough to check what reaches each pod;
 * compared against the real `kubectl kustomize` below when it is installed.
 */
function render(dir: string, namespace?: string, out?: Rendered): Rendered {
  const result: Rendered = out ?? { docs: [], generated: new Map(), kustomizations: [] };
  const file = path.join(dir, 'kustomization.yaml');
  const [k] = parseYaml(file);
  if (!k) throw new Error(`${file} is empty`);
  result.kustomizations.push(file);
  const ns = (k.namespace as string | undefined) ?? namespace;
  for (const resource of (k.resources as string[] | undefined) ?? []) {
    const target = path.join(dir, resource);
    if (!existsSync(target)) throw new Error(`${file}: resource ${resource} does not exist`);
    if (statSync(target).isDirectory()) render(target, ns, result);
    else {
      for (const value of parseYaml(target)) {
        const kind = value.kind as string;
        const docNs = kind === 'Namespace' ? undefined : ns;
        result.docs.push({ file: target, namespace: docNs, value });
      }
    }
  }
  for (const generator of list(k.configMapGenerator)) {
    for (const entry of (generator.files as string[] | undefined) ?? []) {
      if (!existsSync(path.join(dir, entry))) throw new Error(`${file}: file ${entry} missing`);
    }
    const literals = Object.fromEntries(
      ((generator.literals as string[] | undefined) ?? []).map((l) => {
        const at = l.indexOf('=');
        return [l.slice(0, at), l.slice(at + 1)];
      }),
    );
    result.generated.set(`${ns}/${generator.name}`, literals);
  }
  return result;
}

const platform = render(k8sDir);
/** The migrator Job: its own kustomization, applied on demand (a Job runs once and is immutable). */
const migratorDir = path.join(k8sDir, 'migrator');
const migratorRender = render(migratorDir);
const objects = platform.docs;
const yamlFiles = walk(k8sDir).filter((f) => f.endsWith('.yaml'));
const templateFiles = yamlFiles.filter((f) => f.endsWith('.template.yaml'));
const secretTemplates = templateFiles.flatMap(parseYaml).filter((d) => d.kind === 'Secret');

function workloads() {
  return objects.filter((d) => ['Deployment', 'StatefulSet'].includes(d.value.kind as string));
}

interface OurContainer {
  doc: Doc;
  container: Obj;
  entry: string;
}

function ourContainers(): OurContainer[] {
  return workloads().flatMap((doc) =>
    list(get(doc.value, 'spec', 'template', 'spec', 'containers'))
      .filter((c) => String(c.image).startsWith(IMAGE))
      .map((container) => ({ doc, container, entry: String(list(container.args)[0] ?? '') })),
  );
}

/** Health and metrics paths each process serves, with the source lines that prove it. */
const PROCESSES: Record<
  string,
  { served: string[]; proof: Record<string, string[]>; schema: () => Promise<z.ZodType> }
> = {
  'cell/api/server.ts': {
    served: ['/health/live', '/health/ready', '/metrics'],
    proof: {
      'cell/api/app.ts': ["app.route('/health', healthRoutes)", "app.get('/metrics'"],
      'cell/api/routes/health.ts': [".get('/live'", ".get('/ready'"],
    },
    schema: async () => cellApiConfigSchema,
  },
  'cell/workers/server.ts': {
    served: ['/health/live', '/metrics'],
    proof: { 'cell/workers/server.ts': [".get('/health/live'", ".get('/metrics'"] },
    schema: async () => cellWorkerConfigSchema,
  },
  'router/server.ts': {
    served: ['/health/live', '/health/ready', '/metrics'],
    proof: {
      'router/app.ts': ["app.get('/health/live'", "app.get('/health/ready'", "app.get('/metrics'"],
    },
    schema: () => exportedSchema('router/config.ts'),
  },
  'shared-services/pdf/server.ts': {
    served: ['/health/live', '/health/ready', '/metrics'],
    proof: {
      'shared-services/pdf/app.ts': ["app.route('/health', healthRoutes)", "app.get('/metrics'"],
      'shared-services/pdf/routes/health.ts': [".get('/live'", ".get('/ready'"],
    },
    schema: () => exportedSchema('shared-services/pdf/config.ts'),
  },
  'shared-services/ai-optimizer/server.ts': {
    served: ['/health/live', '/health/ready', '/metrics'],
    proof: {
      'shared-services/ai-optimizer/app.ts': [
        "app.get('/health/live'",
        "app.get('/health/ready'",
        "app.get('/metrics'",
      ],
    },
    schema: () => exportedSchema('shared-services/ai-optimizer/config.ts'),
  },
};

/** The one exported `...ConfigSchema` of a config module (imported by computed path). */
async function exportedSchema(file: string): Promise<z.ZodType> {
  const module = (await import(path.join(root, file))) as Record<string, unknown>;
  const found = Object.entries(module).find(([name]) => /ConfigSchema$/.test(name));
  if (!found) throw new Error(`${file} exports no *ConfigSchema`);
  return found[1] as z.ZodType;
}

/** Keys a schema requires: those whose field rejects `undefined` (no default, not optional). */
function requiredKeys(schema: z.ZodType): string[] {
  const object = ('shape' in schema
    ? schema
    : (schema as unknown as { in: z.ZodType }).in) as unknown as {
    shape: Record<string, z.ZodType>;
  };
  return Object.entries(object.shape)
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([key]) => key);
}

/** A value of the form the secret templates ask for: `openssl rand -base64 32` or `-hex 32`. */
function sampleSecret(key: string): string {
  return key === 'SECRETS_KEY' ? Buffer.alloc(32, 7).toString('base64') : 'f'.repeat(64);
}

/** The env a container gets: literals, secret refs (checked against the templates), config maps, $(VAR) expansion. */
function containerEnv(doc: Doc, container: Obj): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of list(container.envFrom)) {
    const name = get(from, 'configMapRef', 'name');
    if (typeof name === 'string') {
      const literals = platform.generated.get(`${doc.namespace}/${name}`);
      if (!literals) throw new Error(`${doc.file}: configMap ${name} is not generated`);
      Object.assign(env, literals);
    }
  }
  for (const variable of list(container.env)) {
    const name = String(variable.name);
    const ref = get(variable, 'valueFrom', 'secretKeyRef') as Obj | undefined;
    if (ref) {
      const secret = secretTemplates.find((s) => get(s, 'metadata', 'name') === ref.name);
      const value = get(secret, 'stringData', String(ref.key));
      if (typeof value !== 'string') {
        throw new Error(`${doc.file}: ${name} refers to ${ref.name}/${ref.key}, not in a template`);
      }
      env[name] = sampleSecret(String(ref.key));
    } else {
      env[name] = String(variable.value ?? '').replace(/\$\(([A-Z0-9_]+)\)/g, (whole, v: string) =>
        v in env ? (env[v] as string) : whole,
      );
    }
  }
  return env;
}

describe('deploy/k8s manifests', () => {
  it('every YAML file parses; every object has apiVersion, kind and metadata.name', () => {
    expect(yamlFiles.length).toBeGreaterThan(10);
    for (const file of yamlFiles) {
      for (const doc of parseYaml(file)) {
        expect(doc.apiVersion, file).toEqual(expect.any(String));
        expect(doc.kind, file).toEqual(expect.any(String));
        // A Kustomization is build configuration, not an object sent to the cluster.
        if (doc.kind === 'Kustomization') continue;
        expect(get(doc, 'metadata', 'name'), file).toEqual(expect.any(String));
      }
    }
  });

  it('every object is valid against the Kubernetes schema', async () => {
    const all = [...objects, ...migratorRender.docs].map((d) => d.value).concat(secretTemplates);
    for (const value of all) {
      const [group, version] = String(value.apiVersion).includes('/')
        ? String(value.apiVersion).split('/')
        : [undefined, String(value.apiVersion)];
      const module = `kubernetes-models/${group ? `${group}/` : ''}${version}/${value.kind}`;
      const Model = (
        (await import(module)) as Record<string, new (v: Obj) => { validate(): void }>
      )[String(value.kind)];
      if (!Model) throw new Error(`no model for ${module}`);
      expect(
        () => new Model(value).validate(),
        `${value.kind} ${get(value, 'metadata', 'name')}`,
      ).not.toThrow();
    }
  });

  it('every manifest is reachable from deploy/k8s/kustomization.yaml or the migrator Job’s, except secret templates', () => {
    const used = new Set(
      [platform, migratorRender].flatMap((r) => [
        ...r.docs.map((d) => d.file),
        ...r.kustomizations,
      ]),
    );
    const orphans = yamlFiles.filter((f) => !used.has(f) && !templateFiles.includes(f));
    expect(orphans).toEqual([]);
    expect(objects.some((d) => d.value.kind === 'Secret')).toBe(false);
    expect(migratorRender.docs.some((d) => d.value.kind === 'Secret')).toBe(false);
  });

  it('renders each cell as one namespace with Postgres, Redis, API, workers, policies and its id', () => {
    const cells = objects
      .filter((d) => d.value.kind === 'Namespace')
      .map((d) => String(get(d.value, 'metadata', 'name')))
      .filter((n) => n.startsWith('cell-'));
    expect(cells).toEqual(['cell-1', 'cell-2', 'cell-3']);
    for (const cell of cells) {
      const inCell = objects.filter((d) => d.namespace === cell);
      const names = inCell.map((d) => `${d.value.kind}/${get(d.value, 'metadata', 'name')}`);
      expect(names).toEqual(
        expect.arrayContaining([
          'StatefulSet/postgres',
          'StatefulSet/redis',
          'Deployment/cell-api',
          'Deployment/cell-worker',
          'Service/cell-api',
          'NetworkPolicy/default-deny-ingress',
          'PodDisruptionBudget/cell-api',
        ]),
      );
      expect(platform.generated.get(`${cell}/cell-config`)).toEqual({ CELL_ID: cell });
      const postgres = inCell.find(
        (d) => d.value.kind === 'StatefulSet' && get(d.value, 'metadata', 'name') === 'postgres',
      );
      expect(list(get(postgres?.value, 'spec', 'volumeClaimTemplates'))).toHaveLength(1);
    }
  });

  it("configures each cell's Redis with appendonly and noeviction", () => {
    const config = objects.find(
      (d) => d.namespace === 'cell-1' && get(d.value, 'metadata', 'name') === 'redis-config',
    );
    const conf = String(get(config?.value, 'data', 'redis.conf'));
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    const redis = objects.find(
      (d) =>
        d.namespace === 'cell-1' &&
        d.value.kind === 'StatefulSet' &&
        get(d.value, 'metadata', 'name') === 'redis',
    );
    expect(get(redis?.value, 'spec', 'template', 'spec', 'containers', 0, 'command')).toEqual([
      'redis-server',
      '/etc/redis/redis.conf',
    ]);
  });

  it('lets only the router and Prometheus reach a cell API', () => {
    const policy = objects.find(
      (d) =>
        d.namespace === 'cell-2' &&
        get(d.value, 'metadata', 'name') === 'cell-api-from-router-and-prometheus',
    );
    const peers = list(get(policy?.value, 'spec', 'ingress', 0, 'from')).map((peer) => [
      get(peer, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name'),
      get(peer, 'podSelector', 'matchLabels', 'app.kubernetes.io/name'),
    ]);
    expect(peers).toEqual([
      ['cellular', 'router'],
      ['cellular', 'migrator'],
      ['monitoring', 'prometheus'],
    ]);
    const router = objects.find(
      (d) => d.value.kind === 'Deployment' && get(d.value, 'metadata', 'name') === 'router',
    );
    expect(router?.namespace).toBe('cellular');
    expect(
      get(router?.value, 'spec', 'template', 'metadata', 'labels', 'app.kubernetes.io/name'),
    ).toBe('router');
  });

  it('gives every workload resources, a PodDisruptionBudget selecting it, and probes', () => {
    for (const { namespace, value } of workloads()) {
      const name = `${namespace}/${get(value, 'metadata', 'name')}`;
      const labels = get(value, 'spec', 'template', 'metadata', 'labels') as Record<string, string>;
      for (const container of list(get(value, 'spec', 'template', 'spec', 'containers'))) {
        expect(get(container, 'resources', 'requests', 'cpu'), name).toBeDefined();
        expect(get(container, 'resources', 'requests', 'memory'), name).toBeDefined();
        expect(get(container, 'resources', 'limits', 'memory'), name).toBeDefined();
        expect(container.readinessProbe, name).toBeDefined();
        expect(container.livenessProbe, name).toBeDefined();
      }
      const pdbs = objects.filter(
        (d) =>
          d.value.kind === 'PodDisruptionBudget' &&
          d.namespace === namespace &&
          Object.entries(
            get(d.value, 'spec', 'selector', 'matchLabels') as Record<string, string>,
          ).every(([k, v]) => labels[k] === v),
      );
      expect(pdbs, name).toHaveLength(1);
      expect(
        get(value, 'spec', 'template', 'spec', 'terminationGracePeriodSeconds'),
        name,
      ).toBeGreaterThanOrEqual(25);
    }
  });

  it('starts our image through node --import tsx with the entry file as argument', () => {
    const dockerfile = readFileSync(path.join(root, 'deploy/docker/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ENTRYPOINT \[.*"node", "--import", "tsx"\]$/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\}/m);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-/m);
    const containers = ourContainers();
    expect(new Set(containers.map((c) => c.entry))).toEqual(new Set(Object.keys(PROCESSES)));
    for (const folder of ['lib', 'router', 'cell', 'shared-services']) {
      expect(dockerfile).toContain(`COPY ${folder} ./${folder}`);
    }
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies.tsx, 'tsx must survive npm ci --omit=dev').toBeDefined();
  });

  describe.each(Object.entries(PROCESSES))('%s', (entry, process) => {
    it('exists and serves the probed paths', () => {
      for (const [file, needles] of Object.entries(process.proof)) {
        const source = readFileSync(path.join(root, file), 'utf8');
        for (const needle of needles) expect(source, file).toContain(needle);
      }
      for (const { container } of ourContainers().filter((c) => c.entry === entry)) {
        const ports = new Map(list(container.ports).map((p) => [p.name, p.containerPort]));
        for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
          const http = get(container, probe, 'httpGet') as Obj | undefined;
          if (!http) continue;
          expect(process.served).toContain(http.path);
          expect(ports.has(String(http.port)), `${entry} ${probe} port`).toBe(true);
        }
      }
    });

    it('gets every variable its config schema requires, listening on 0.0.0.0', async () => {
      const schema = await process.schema();
      const required = requiredKeys(schema);
      for (const { doc, container } of ourContainers().filter((c) => c.entry === entry)) {
        const env = containerEnv(doc, container);
        expect(Object.keys(env), `${doc.namespace} ${entry}`).toEqual(
          expect.arrayContaining(required),
        );
        const parsed = schema.safeParse(env);
        expect(parsed.error?.issues ?? [], `${doc.namespace} ${entry}`).toEqual([]);
        expect(env.HOST).toBe('0.0.0.0');
        const port = Number(env.WORKER_PORT ?? env.PORT);
        expect(list(container.ports).map((p) => p.containerPort)).toContain(port);
      }
    });
  });

  it('cell env: id from the overlay, stores of its own namespace, the router secret', () => {
    const api = ourContainers().find(
      (c) => c.doc.namespace === 'cell-3' && c.entry === 'cell/api/server.ts',
    );
    expect(api).toBeDefined();
    const env = containerEnv(api?.doc as Doc, api?.container as Obj);
    expect(env).toMatchObject({
      CELL_ID: 'cell-3',
      DATABASE_URL: `postgres://cell:${'f'.repeat(64)}@postgres:5432/cell`,
      REDIS_URL: 'redis://redis:6379',
    });
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining([
        'ROUTER_SECRET',
        'SECRETS_KEY',
        'AI_OPTIMIZER_URL',
        'PDF_SERVICE_URL',
        'LOG_LEVEL',
      ]),
    );
  });

  it("runs the migrator as a Job: router/migration/main.ts with the router's control plane and cell secret", () => {
    const [job, ...rest] = migratorRender.docs;
    expect(rest).toEqual([]);
    expect(job?.value.kind).toBe('Job');
    expect(job?.namespace).toBe('cellular');
    const spec = get(job?.value, 'spec', 'template', 'spec') as Obj;
    expect(['OnFailure', 'Never']).toContain(spec.restartPolicy);
    expect(get(job?.value, 'spec', 'activeDeadlineSeconds')).toBeUndefined();
    const [container, ...others] = list(spec.containers);
    expect(others).toEqual([]);
    const args = list(container?.args) as unknown as string[];
    // The Makefile's `migrator` target runs the same entry file.
    expect(readFileSync(path.join(root, 'Makefile'), 'utf8')).toContain(`$(TSX) ${args[0]}`);
    expect(args).toEqual(['router/migration/main.ts']);
    expect(existsSync(path.join(root, args[0] as string))).toBe(true);
    expect(get(container, 'resources', 'requests', 'cpu')).toBeDefined();
    expect(get(container, 'resources', 'limits', 'memory')).toBeDefined();

    // The same image as the router, pinned to the same tag as the platform.
    const router = ourContainers().find((c) => c.entry === 'router/server.ts');
    expect(container?.image).toBe(router?.container.image);
    const tags = [k8sDir, migratorDir].map(
      (dir) => list(parseYaml(path.join(dir, 'kustomization.yaml'))[0]?.images)[0],
    );
    expect(tags[1]).toEqual(tags[0]);

    // Its config schema accepts the env, and the control plane and cell secret are the router's.
    const env = containerEnv(job as Doc, container as Obj);
    const parsed = migratorConfigSchema.safeParse(env);
    expect(parsed.error?.issues ?? []).toEqual([]);
    const routerEnv = containerEnv(router?.doc as Doc, router?.container as Obj);
    for (const key of ['CONTROL_PLANE_DATABASE_URL', 'ROUTER_SECRET']) {
      expect(env[key], key).toBe(routerEnv[key]);
    }
    const refs = (c: Obj | undefined) =>
      Object.fromEntries(
        list(c?.env)
          .filter((v) => get(v, 'valueFrom', 'secretKeyRef'))
          .map((v) => [v.name, get(v, 'valueFrom', 'secretKeyRef')]),
      );
    expect(refs(container)).toEqual({
      CONTROL_PLANE_DB_PASSWORD: refs(router?.container).CONTROL_PLANE_DB_PASSWORD,
      ROUTER_SECRET: refs(router?.container).ROUTER_SECRET,
    });

    // The network policies let it reach the control-plane Postgres and every cell API.
    const labels = get(job?.value, 'spec', 'template', 'metadata', 'labels') as Record<
      string,
      string
    >;
    const admits = (policy: Doc | undefined, namespace: string) =>
      list(get(policy?.value, 'spec', 'ingress', 0, 'from')).some((peer) => {
        const ns = get(peer, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name');
        const pods = get(peer, 'podSelector', 'matchLabels') as Record<string, string> | undefined;
        return (
          (ns === undefined || ns === namespace) &&
          pods !== undefined &&
          Object.entries(pods).every(([k, v]) => labels[k] === v)
        );
      });
    const controlPlane = objects.find(
      (d) => get(d.value, 'metadata', 'name') === 'control-plane-postgres-from-router',
    );
    expect(controlPlane?.namespace).toBe('cellular');
    expect(admits(controlPlane, 'cellular')).toBe(true);
    for (const cell of ['cell-1', 'cell-2', 'cell-3']) {
      const policy = objects.find(
        (d) =>
          d.namespace === cell &&
          get(d.value, 'metadata', 'name') === 'cell-api-from-router-and-prometheus',
      );
      expect(admits(policy, 'cellular'), cell).toBe(true);
    }
  });

  it("the router's cell registry lists every cell overlay at its API service", () => {
    const registry = JSON.parse(readFileSync(path.join(k8sDir, 'base/cells.json'), 'utf8')) as {
      cells: { id: string; url: string }[];
    };
    expect(registry.cells.map((c) => c.id)).toEqual(['cell-1', 'cell-2', 'cell-3']);
    for (const cell of registry.cells) {
      expect(cell.url).toBe(`http://cell-api.${cell.id}.svc.cluster.local:8080`);
    }
  });

  const kubectl = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.runIf(kubectl)('kubectl kustomize renders the same objects', () => {
    const output = execFileSync('kubectl', ['kustomize', k8sDir], { encoding: 'utf8' });
    const rendered = parseAllDocuments(output).map((d) => d.toJS() as Obj);
    const key = (kind: unknown, ns: unknown, name: unknown) =>
      `${kind}/${ns ?? ''}/${String(name).replace(/-[a-z0-9]{10}$/, '')}`;
    const ours = objects.map((d) =>
      key(d.value.kind, d.namespace, get(d.value, 'metadata', 'name')),
    );
    const generated = [...platform.generated.keys()].map((k) => {
      const [ns, name] = k.split('/');
      return key('ConfigMap', ns, name);
    });
    const theirs = rendered.map((v) =>
      key(v.kind, get(v, 'metadata', 'namespace'), get(v, 'metadata', 'name')),
    );
    expect(theirs.sort()).toEqual([...ours, ...generated].sort());
    const job = parseAllDocuments(
      execFileSync('kubectl', ['kustomize', migratorDir], { encoding: 'utf8' }),
    ).map((d) => d.toJS() as Obj);
    expect(
      job.map((v) => key(v.kind, get(v, 'metadata', 'namespace'), get(v, 'metadata', 'name'))),
    ).toEqual(['Job/cellular/migrator']);
  });
});

describe('deploy/observability', () => {
  const dir = path.join(root, 'deploy', 'observability');

  it('scrapes every local process at the ports of deploy/local/topology.ts', () => {
    const [config] = parseYaml(path.join(dir, 'prometheus.local.yml'));
    const targets = list(get(config, 'scrape_configs')).flatMap((job) =>
      list(job.static_configs).flatMap((s) => s.targets as string[]),
    );
    const expected = [
      PORTS.router,
      PORTS.pdf,
      PORTS.ai,
      ...[1, 2, 3].flatMap((k) => [PORTS.cellApi(k), PORTS.cellWorker(k)]),
    ].map((port) => `127.0.0.1:${port}`);
    expect(targets.sort()).toEqual(expected.sort());
    expect(get(config, 'rule_files')).toEqual(['alerts.yml']);
    const [kubernetes] = parseYaml(path.join(dir, 'prometheus.kubernetes.yml'));
    expect(get(kubernetes, 'scrape_configs', 0, 'kubernetes_sd_configs', 0, 'role')).toBe('pod');
  });

  it('annotates every scraped pod with the port its process serves /metrics on', () => {
    for (const { container, doc } of ourContainers()) {
      const annotations = get(doc.value, 'spec', 'template', 'metadata', 'annotations') as Record<
        string,
        string
      >;
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(list(container.ports).map((p) => String(p.containerPort))).toContain(
        annotations['prometheus.io/port'],
      );
      expect(PROCESSES[String(list(container.args)[0] ?? '')]?.served).toContain(
        annotations['prometheus.io/path'],
      );
    }
  });

  it('alerts on cell_up == 0, 5xx rate and p95 latency', () => {
    const [rules] = parseYaml(path.join(dir, 'alerts.yml'));
    const all = list(get(rules, 'groups')).flatMap((g) => list(g.rules));
    const byName = Object.fromEntries(all.map((r) => [r.alert, String(r.expr)]));
    expect(byName.CellDown).toMatch(/cell_up\)? == 0/);
    expect(byName.CellHigh5xxRate).toContain('status=~"5.."');
    expect(byName.CellLatencyP95High).toMatch(/histogram_quantile\(0\.95/);
    for (const rule of all) {
      expect(rule.labels, String(rule.alert)).toHaveProperty('severity');
      expect(rule.annotations, String(rule.alert)).toHaveProperty('summary');
    }
  });

  it('names only metrics the processes export, in the alerts and the dashboard', () => {
    const dashboard = readFileSync(path.join(dir, 'grafana-dashboard.json'), 'utf8');
    const parsed = JSON.parse(dashboard) as { panels: { targets: { expr: string }[] }[] };
    const exprs = parsed.panels.flatMap((p) => p.targets.map((t) => t.expr));
    const alerts = readFileSync(path.join(dir, 'alerts.yml'), 'utf8');
    const metrics = new Set(
      [...exprs, alerts]
        .join('\n')
        .match(/\b[a-z_]+_(total|bucket|up|overrides)\b|\bcell_up\b/g)
        ?.map((m) => m.replace(/_bucket$/, '')),
    );
    expect([...metrics]).toEqual(
      expect.arrayContaining(['cell_up', 'router_proxy_requests_total', 'ai_spend_usd_total']),
    );
    const sources = [
      'lib/metrics.ts',
      'router/metrics.ts',
      'shared-services/ai-optimizer/domain/ai-metrics.ts',
    ].filter((f) => existsSync(path.join(root, f)));
    const text = sources.map((f) => readFileSync(path.join(root, f), 'utf8')).join('\n');
    for (const metric of metrics) {
      if (metric === 'up') continue; // Prometheus' own
      const owner = metric.startsWith('ai_')
        ? 'shared-services/ai-optimizer'
        : metric.startsWith('http_')
          ? 'lib'
          : 'router';
      if (!existsSync(path.join(root, owner))) continue; // that process has not landed on this branch
      expect(text, metric).toContain(`'${metric}'`);
    }
  });
});
