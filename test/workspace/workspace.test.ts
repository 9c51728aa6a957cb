import * as fs from 'fs';
import * as path from 'path';
import { Project, Testing } from 'projen';
import { parse as parseYaml } from 'yaml';
import { AppComponent, BakeFile, DRIFT_CHECK_ENV, GoApp, ImagesWorkflow, Instruction, NodeApp, NodeAppKind, PoetryApp, WorkspaceProject, WorkspaceProjectOptions } from '../../src';
import { only, parseDockerfile, stageNamed } from '../dockerfile-facts';
import { snapshotDir } from '../python/poetry-util';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

/** A workspace synthesized into a folder of its own (no installs, no Poetry). */
function workspace(options: WorkspaceProjectOptions = {}, more?: (p: WorkspaceProject) => void, dir = tempDir('ws-')): { project: WorkspaceProject; dir: string } {
  const project = synthesize(() => {
    const p = new WorkspaceProject({ name: 'shop', outdir: dir, ...options });
    more?.(p);
    return p;
  });
  return { project, dir };
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf-8');
const compose = (dir: string) => parseYaml(read(dir, 'compose.yaml'));

/** The target blocks of docker-bake.hcl, by name: each attribute's text as written. */
function bakeTargets(hcl: string): Record<string, Record<string, string>> {
  const targets: Record<string, Record<string, string>> = {};
  for (const m of hcl.matchAll(/^target "([^"]+)" \{\n([\s\S]*?)^\}/gm)) {
    targets[m[1]] = Object.fromEntries([...m[2].matchAll(/^ {2}([a-z-]+)\s*= (.*)$/gm)].map((a) => [a[1], a[2]]));
  }
  return targets;
}

describe('the sample workspace', () => {
  const { project, dir } = workspace();
  const services = compose(dir).services;
  const apps = AppComponent.all(project);

  test('three components in their folders, one compose service and one bake target each', () => {
    expect(apps.map((a) => [a.appId, a.folder])).toEqual([['api', 'apps/api'], ['web', 'apps/web'], ['worker', 'apps/worker']]);
    expect(Object.keys(services)).toEqual(['api', 'web', 'worker']);
    expect(Object.keys(bakeTargets(read(dir, 'docker-bake.hcl')))).toEqual(['api', 'web', 'worker']);
    expect(read(dir, 'docker-bake.hcl')).toContain('group "default" {\n  targets = ["api", "web", "worker"]\n}');
  });

  test.each(['api', 'web', 'worker'])('%s: build context, Dockerfile and image are the component\'s', (id) => {
    const app = project.app(id);
    expect(services[id].build).toEqual({ context: `./${app.folder}`, dockerfile: 'Dockerfile' });
    expect(fs.existsSync(path.join(dir, app.folder, services[id].build.dockerfile))).toBe(true);
    expect(services[id].image).toBe(app.imageReference);
    const target = bakeTargets(read(dir, 'docker-bake.hcl'))[id];
    expect(target.context).toBe(JSON.stringify(app.folder));
    expect(target.dockerfile).toBe('"Dockerfile"');
    expect(target.tags).toBe(`[image(${JSON.stringify(app.imageName)}, ${JSON.stringify(app.imageTag)})]`);
    expect(target.platforms).toBe('split(",", PLATFORMS)');
  });

  test.each(['api', 'web'])('%s: the healthcheck is the command and timings of its Dockerfile\'s HEALTHCHECK', (id) => {
    const app = project.app(id);
    const healthcheck = only(stageNamed(parseDockerfile(read(dir, `${app.folder}/Dockerfile`)), 'runtime'), 'HEALTHCHECK');
    expect(services[id].healthcheck.test).toEqual(['CMD', ...healthcheck.json!]);
    expect(healthcheck.json!.slice(-1)[0]).toBe(`http://127.0.0.1:${app.port}${app.healthCheckPath}`);
    expect(healthcheck.flags).toEqual({
      'interval': services[id].healthcheck.interval,
      'timeout': services[id].healthcheck.timeout,
      'start-period': services[id].healthcheck.start_period,
      'retries': String(services[id].healthcheck.retries),
    });
    expect(services[id].ports).toEqual([`${app.port}:${app.port}`]);
    expect(services[id].environment.PORT).toBe(String(app.port));
  });

  test('web depends on a healthy api and finds it at the URL under API_URL', () => {
    expect(services.web.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    expect(services.web.environment.API_URL).toBe(`http://api:${project.app('api').port}`);
    expect(project.app('web').connections.map((c) => [c.target.appId, c.env, c.url])).toEqual([['api', 'API_URL', 'http://api:8000']]);
    expect(services.api.depends_on).toBeUndefined();
  });

  test('the worker, a command-line app, has no port and no healthcheck, and is a job: in the "jobs" profile', () => {
    expect(services.worker.ports).toBeUndefined();
    expect(services.worker.healthcheck).toBeUndefined();
    expect(services.worker.profiles).toEqual(['jobs']);
    expect(services.api.profiles).toBeUndefined();
  });

  test('the files generated in the Node app\'s folder (a subproject) name the root\'s .projenrc.ts, not a .projenrc.js of their own', () => {
    const generated: string[] = JSON.parse(read(dir, 'apps/web/.projen/files.json')).files;
    expect(generated).toEqual(expect.arrayContaining(['Dockerfile', '.gitignore', 'tsconfig.json', '.projen/tasks.json']));
    const marked = generated.map((file) => ({ file, marker: /Generated by projen\. To modify, edit (\S+) and run/.exec(read(path.join(dir, 'apps/web'), file))?.[1] }))
      .filter((m) => m.marker !== undefined);
    expect(marked.map((m) => m.file)).toEqual(expect.arrayContaining(['Dockerfile', '.gitignore', 'tsconfig.json', '.projen/tasks.json']));
    expect(marked.filter((m) => m.marker !== '../../.projenrc.ts')).toEqual([]);
    expect(read(dir, 'apps/web/.gitignore')).not.toMatch(/^!.*projenrc/m);
  });

  test('develop.watch rebuilds on a change to any file of the build context', () => {
    const api = project.app('api');
    expect(services.api.develop.watch).toEqual(api.buildContext.map((entry) => ({ action: 'rebuild', path: `./${path.posix.join(api.folder, entry)}`.replace(/\/$/, '') })));
    expect(services.api.develop.watch.map((w: any) => w.path)).toContain('./apps/api/poetry.lock');
  });

  test('the web stub asks the API through the injected variable', () => {
    const server = fs.readdirSync(path.join(dir, 'apps/web/src')).map((f) => read(dir, `apps/web/src/${f}`)).join('\n');
    expect(server).toContain('const API_URL_ENV = "API_URL";');
  });

  test('the workflow runs the drift check, then bake with the gha cache', () => {
    const wf = parseYaml(read(dir, '.github/workflows/images.yml'));
    expect(wf.jobs.drift.steps.map((s: any) => s.run).filter(Boolean)).toEqual(['npm ci', 'npx projen typecheck', 'npx projen drift']);
    expect(wf.jobs.images.needs).toBe('drift');
    const bake = wf.jobs.images.steps.find((s: any) => String(s.uses).startsWith('docker/bake-action@'));
    expect(bake.with.files).toBe('docker-bake.hcl');
    expect(bake.env.CACHE_TYPE).toBe('gha');
    expect(wf.jobs.images.steps.map((s: any) => s.uses)).toContain('docker/setup-buildx-action@v3');
    expect(fs.existsSync(path.join(dir, '.github/workflows/drift.yml'))).toBe(false);
  });

  test('driftWorkflow: the drift workflow beside the images workflow when asked for, alone without it', () => {
    const workflows = (options: WorkspaceProjectOptions) => {
      const files = Testing.synth(new WorkspaceProject({ name: 'wf', outdir: tempDir('ws-wf-'), sampleCode: false, ...options }));
      return Object.keys(files).filter((f) => f.startsWith('.github/workflows/')).sort();
    };
    expect(workflows({ driftWorkflow: true })).toEqual(['.github/workflows/drift.yml', '.github/workflows/images.yml']);
    expect(workflows({ imagesWorkflow: false })).toEqual(['.github/workflows/drift.yml']);
    expect(workflows({ imagesWorkflow: false, driftWorkflow: false })).toEqual([]);
  });

  test('the bake variables: registry, tag, cache type (validated), platforms, attestations', () => {
    const hcl = read(dir, 'docker-bake.hcl');
    expect(hcl.split('\n')[0]).toMatch(/^# ~~ Generated by projen/);
    for (const name of ['REGISTRY', 'TAG', 'CACHE_TYPE', 'CACHE_DIR', 'PLATFORMS', 'ATTESTATIONS']) {
      expect(hcl).toContain(`variable "${name}" {`);
    }
    expect(hcl).toContain('condition     = contains(["", "registry", "gha", "local"], CACHE_TYPE)');
    expect(hcl).toMatch(/variable "PLATFORMS" \{\n.*\n {2}default {5}= "linux\/amd64"/);
    expect(hcl).toMatch(/variable "ATTESTATIONS" \{\n.*\n {2}default {5}= false/);
  });
});

test('options: no sample, platforms and attestations reach the bake file', () => {
  const { dir } = workspace({ sampleCode: false, platforms: ['linux/amd64', 'linux/arm64'], attestations: true });
  expect(compose(dir).services).toEqual({});
  const hcl = read(dir, 'docker-bake.hcl');
  expect(hcl).toContain('targets = []');
  expect(hcl).toMatch(/variable "PLATFORMS" \{\n.*\n {2}default {5}= "linux\/amd64,linux\/arm64"/);
  expect(hcl).toMatch(/variable "ATTESTATIONS" \{\n.*\n {2}default {5}= true/);
  expect(fs.existsSync(path.join(dir, 'apps'))).toBe(false);
});

test('a component added in .projenrc.ts after the project type is in compose and bake; the default env name', () => {
  const { dir } = workspace({}, (p) => {
    const jobs = new GoApp(p, 'jobs', { port: 9000 });
    jobs.connectTo(p.app('api'));
    p.app('web').connectTo(jobs, { env: 'JOBS' });
  });
  const services = compose(dir).services;
  expect(services.jobs.environment).toEqual({ PORT: '9000', API_URL: 'http://api:8000' });
  expect(services.jobs.depends_on).toEqual({ api: { condition: 'service_healthy' } });
  expect(services.web.depends_on).toEqual({ api: { condition: 'service_healthy' }, jobs: { condition: 'service_healthy' } });
  expect(services.web.environment.JOBS).toBe('http://jobs:9000');
  expect(bakeTargets(read(dir, 'docker-bake.hcl')).jobs.context).toBe('"apps/jobs"');
});

test('an escape hatch on the HEALTHCHECK reaches compose: one source', () => {
  const { dir } = workspace({}, (p) => {
    const runtime = p.app('api').image.runtimeStage;
    runtime.replaceInstruction('healthcheck', Instruction.healthcheck(['python', '-c', 'print(1)'], { interval: '7s', retries: 9 }));
  });
  const hc = compose(dir).services.api.healthcheck;
  expect(hc).toEqual({ test: ['CMD', 'python', '-c', 'print(1)'], interval: '7s', retries: 9 });
});

test('a literal "$" in the environment is escaped for compose', () => {
  const { dir } = workspace({ sampleCode: false }, (p) => new PoetryApp(p, 'api', { port: 8000, environment: { GREETING: 'costs $5' } }));
  expect(compose(dir).services.api.environment.GREETING).toBe('costs $$5');
});

describe('bad input: one line naming the component, the option and the value; nothing on disk changes', () => {
  const cases: Array<[string, (p: WorkspaceProject) => void, RegExp]> = [
    ['connect to itself', (p) => p.app('web').connectTo(p.app('web')), /^NodeApp "web": invalid connectTo target "web"\. A component cannot connect to itself/],
    ['connect to a component without a port', (p) => p.app('web').connectTo(p.app('worker')), /^NodeApp "web": invalid connectTo target "worker"\. "worker" has no port \(a command-line app\)/],
    ['a cycle of two', (p) => p.app('api').connectTo(p.app('web')), /^PoetryApp "api": invalid connectTo target "web"\. It would close a cycle of dependencies \(api -> web -> api\)/],
    ['a cycle of three', (p) => {
      const jobs = new GoApp(p, 'jobs', { port: 9000 });
      jobs.connectTo(p.app('web'));
      p.app('api').connectTo(jobs);
    }, /^PoetryApp "api": invalid connectTo target "jobs"\. It would close a cycle of dependencies \(api -> jobs -> web -> api\)/],
    ['an env name that is not one', (p) => p.app('web').connectTo(new GoApp(p, 'jobs', { port: 9000 }), { env: 'JOBS URL' }), /^NodeApp "web": invalid connectTo env "JOBS URL"\. Expected an environment variable name/],
    ['an env name the image sets', (p) => p.app('web').connectTo(new GoApp(p, 'jobs', { port: 9000 }), { env: 'PORT' }), /^NodeApp "web": invalid connectTo env "PORT"\. web sets this variable already/],
    ['an env name used by another connection', (p) => p.app('web').connectTo(new GoApp(p, 'jobs', { port: 9000 }), { env: 'API_URL' }), /^NodeApp "web": invalid connectTo env "API_URL"\. web sets this variable already/],
    ['connected twice', (p) => p.app('web').connectTo(p.app('api'), { env: 'AGAIN' }), /^NodeApp "web": invalid connectTo target "api"\. It is connected already/],
    ['a static site connected: its page runs in the browser', (p) => new NodeApp(p, 'site', { appKind: NodeAppKind.STATIC_SITE }).connectTo(p.app('api')),
      /^NodeApp "site": invalid connectTo target "api"\. A static site's page runs in the browser: it reads no environment variable \(API_URL\) and cannot reach http:\/\/api:8000, a host name of the compose network\./],
  ];
  test.each(cases)('%s', (_name, wire, message) => {
    const { dir } = workspace();
    const before = snapshotDir(dir);
    expect(() => workspace({}, wire, dir)).toThrow(message);
    expect(snapshotDir(dir)).toEqual(before);
  });

  test('bake platform not os/arch', () => {
    const dir = tempDir('ws-');
    expect(() => workspace({ platforms: ['amd64'] }, undefined, dir)).toThrow(/^BakeFile: invalid platforms\[0\] "amd64"\. Expected os\/arch/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

test('re-synthesis: a component added then removed brings and takes its generated files, service and target; its stubs stay', () => {
  const dir = tempDir('ws-');
  workspace({}, (p) => new GoApp(p, 'jobs', { port: 9000 }), dir);
  const generated = ['apps/jobs/Dockerfile', 'apps/jobs/.dockerignore', 'apps/jobs/go.mod'];
  for (const f of [...generated, 'apps/jobs/cmd/jobs/main.go']) {
    expect(fs.existsSync(path.join(dir, f))).toBe(true);
  }
  expect(compose(dir).services.jobs).toBeDefined();
  expect(bakeTargets(read(dir, 'docker-bake.hcl')).jobs).toBeDefined();
  fs.writeFileSync(path.join(dir, 'apps/jobs/cmd/jobs/main.go'), 'package main\n\n// mine\nfunc main() {}\n');

  workspace({}, undefined, dir);
  for (const f of generated) {
    expect(fs.existsSync(path.join(dir, f))).toBe(false);
  }
  expect(read(dir, 'apps/jobs/cmd/jobs/main.go')).toContain('// mine');
  expect(compose(dir).services.jobs).toBeUndefined();
  expect(bakeTargets(read(dir, 'docker-bake.hcl')).jobs).toBeUndefined();
  expect(read(dir, 'docker-bake.hcl')).not.toContain('"jobs"');

  // Added again: its files come back, the stub is still the user's.
  workspace({}, (p) => new GoApp(p, 'jobs', { port: 9000 }), dir);
  expect(fs.existsSync(path.join(dir, 'apps/jobs/Dockerfile'))).toBe(true);
  expect(read(dir, 'apps/jobs/cmd/jobs/main.go')).toContain('// mine');
});

test('re-synthesis: a Node app (a subproject) removed takes its generated files along; its stubs stay', () => {
  const dir = tempDir('ws-');
  workspace({ sampleCode: false }, (p) => new NodeApp(p, 'admin', { port: 4000 }), dir);
  const generated = ['apps/admin/Dockerfile', 'apps/admin/package.json', 'apps/admin/tsconfig.json', 'apps/admin/.projen/tasks.json'];
  for (const f of [...generated, 'apps/admin/src/index.ts']) {
    expect(fs.existsSync(path.join(dir, f))).toBe(true);
  }
  expect(JSON.parse(read(dir, '.projen/subprojects.json')).subprojects).toEqual(['apps/admin']);
  workspace({ sampleCode: false }, undefined, dir);
  for (const f of generated) {
    expect(fs.existsSync(path.join(dir, f))).toBe(false);
  }
  expect(fs.existsSync(path.join(dir, 'apps/admin/.projen'))).toBe(false);
  expect(fs.existsSync(path.join(dir, 'apps/admin/src/index.ts'))).toBe(true);
  expect(JSON.parse(read(dir, '.projen/subprojects.json')).subprojects).toEqual([]);
  expect(compose(dir).services.admin).toBeUndefined();
});

test('the drift check covers every component\'s files and the root files', () => {
  const { dir } = workspace();
  expect(() => workspace({}, undefined, dir) && synthesize(() => new WorkspaceProject({ name: 'shop', outdir: dir }), { [DRIFT_CHECK_ENV]: '1' })).not.toThrow();
  // apps/web is a Node app in a folder: a TypeScript subproject, whose files its parent's check compares.
  for (const file of ['apps/api/Dockerfile', 'apps/worker/go.mod', 'apps/web/Dockerfile', 'apps/web/package.json', 'apps/web/.projen/tasks.json', 'compose.yaml', 'docker-bake.hcl']) {
    const target = path.join(dir, file);
    const before = read(dir, file);
    fs.chmodSync(target, 0o644);
    if (file.endsWith('.json')) {
      fs.writeFileSync(target, JSON.stringify({ ...JSON.parse(before), editedByHand: true }, undefined, 2) + '\n');
    } else {
      fs.appendFileSync(target, '\n# edited by hand\n');
    }
    const snapshot = snapshotDir(dir);
    expect(() => synthesize(() => new WorkspaceProject({ name: 'shop', outdir: dir }), { [DRIFT_CHECK_ENV]: '1' })).toThrow(`- ${file} (differs)`);
    expect(snapshotDir(dir)).toEqual(snapshot);
    fs.writeFileSync(target, before);
  }
});

test('ImagesWorkflow in a project without npm or the drift task is refused at construction, naming what is missing', () => {
  const project = new Project({ name: 'plain', outdir: tempDir('ws-images-') });
  new BakeFile(project);
  expect(() => new ImagesWorkflow(project)).toThrow(
    'ImagesWorkflow: project "plain" lacks what the workflow\'s drift job runs: a package.json (npm ci) and a drift task (add a DriftCheck). Use a stagecraft project type, such as WorkspaceProject, or add them first.');
});
