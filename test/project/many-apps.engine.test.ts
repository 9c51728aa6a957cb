import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen/lib/project';
import { AppComponent, GoApp, NodeApp, PoetryApp } from '../../src';
import { BUILDAH, BUILT_IN_FRONTEND, ContainerEngine, ENGINES, ensureEngineReady, inToolroot, PackageIndex, startPackageIndex } from '../harness';
import { mustRun, REPO, run, Run, userEnv } from '../package-util';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

jest.setTimeout(40 * 60 * 1000);

/** projen's own CLI: it runs the project's tasks from .projen/tasks.json, as `npx projen <task>` does. */
const PROJEN = path.join(REPO, 'node_modules', 'projen', 'bin', 'projen');
/** Services run on the host's network under buildah: ports of their own. */
const API_PORT = 18741;
const WEB_PORT = 18742;
const POETRY_ENV = { POETRY_VIRTUALENVS_IN_PROJECT: 'true', POETRY_NO_INTERACTION: '1' };

let index: PackageIndex;
let dir: string;
let apps: AppComponent[];

/**
 * One plain projen project (no project type) with three apps, each in its folder: a Poetry service
 * "api", a Go command-line app "worker" and a Node service "web" (a TypeScript subproject).
 * The project is named "folders-shop", so every image is "folders-shop-<id>": this task's prefix.
 */
beforeAll(async () => {
  ensureEngineReady();
  index = await startPackageIndex();
  dir = tempDir('folders-many-');
  synthesize(() => {
    const project = new Project({ name: 'folders-shop', outdir: dir });
    new PoetryApp(project, 'api', { port: API_PORT, packageIndex: index.url, ...BUILT_IN_FRONTEND });
    new GoApp(project, 'worker', BUILT_IN_FRONTEND);
    new NodeApp(project, 'web', { port: WEB_PORT, ...BUILT_IN_FRONTEND });
    apps = AppComponent.all(project);
    return project;
  });
});

afterAll(async () => {
  for (const engine of ENGINES) {
    for (const app of apps ?? []) {
      engine.removeImage(app.imageReference);
    }
  }
  await index?.stop();
});

/** A task of the root project, run by projen's CLI at the root, as `npx projen <task>` runs it. */
function task(name: string, env: Record<string, string> = {}): Run {
  return run(process.execPath, [PROJEN, name], { cwd: dir, env: { ...userEnv(), ...env } });
}

function mustTask(name: string, env: Record<string, string> = {}): Run {
  const r = task(name, env);
  if (r.status !== 0) {
    throw new Error(`projen ${name} exited ${r.status}:\n${r.output.slice(-6000)}`);
  }
  return r;
}

function poetry(...args: string[]): string {
  const r = inToolroot(path.join(dir, 'apps/api'), ['poetry', ...args], POETRY_ENV);
  if (r.status !== 0) {
    throw new Error(`poetry ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout + r.stderr;
}

function go(...args: string[]): string {
  const r = inToolroot(path.join(dir, 'apps/worker'), ['go', ...args], { GOTOOLCHAIN: 'local', GOFLAGS: '', GOPROXY: 'off' });
  if (r.status !== 0) {
    throw new Error(`go ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout + r.stderr;
}

test('each app has its files in its folder and none at the root', () => {
  expect(apps.map((a) => [a.appId, a.folder, a.imageReference])).toEqual([
    ['api', 'apps/api', 'folders-shop-api:0.1.0'],
    ['worker', 'apps/worker', 'folders-shop-worker:0.1.0'],
    ['web', 'apps/web', 'folders-shop-web:0.1.0'],
  ]);
  for (const file of ['apps/api/pyproject.toml', 'apps/worker/go.mod', 'apps/web/package.json', ...apps.map((a) => a.dockerfilePath)]) {
    expect(fs.existsSync(path.join(dir, file))).toBe(true);
  }
  for (const file of ['Dockerfile', '.dockerignore', 'pyproject.toml', 'go.mod', 'package.json']) {
    expect(fs.existsSync(path.join(dir, file))).toBe(false);
  }
});

test('real Poetry 2 locks apps/api from the index and its generated tests pass', () => {
  poetry('lock');
  expect(fs.readFileSync(path.join(dir, 'apps/api/poetry.lock'), 'utf-8')).toMatch(/name = "pytest"/);
  expect(fs.existsSync(path.join(dir, 'poetry.lock'))).toBe(false);
  poetry('install');
  expect(poetry('run', 'pytest', '-q')).toMatch(/1 passed/);
});

test('the real Go toolchain vets, tests and builds apps/worker', () => {
  go('vet', './...');
  expect(go('test', './...')).toMatch(/^ok\s+example\.com\/worker\/cmd\/worker/m);
  go('build', './...');
});

test('npm installs apps/web; the root\'s web:compile and web:test run the subproject\'s own tasks there', () => {
  // The lock file is written by the npm of the image's Node, the one its `npm ci` runs (node.engine.test.ts says why).
  const npm = BUILDAH.runImage('docker.io/library/node:24-slim', ['npm', '--version']).stdout.trim();
  mustRun('npx', ['-y', `npm@${npm}`, 'install', '--no-audit', '--no-fund'], { cwd: path.join(dir, 'apps/web'), env: userEnv() });
  expect(fs.existsSync(path.join(dir, 'apps/web/package-lock.json'))).toBe(true);
  expect(fs.existsSync(path.join(dir, 'package-lock.json'))).toBe(false);
  mustTask('web:compile');
  expect(fs.existsSync(path.join(dir, 'apps/web/lib/index.js'))).toBe(true);
  expect(mustTask('web:test').output).toMatch(/Tests:\s+1 passed, 1 total/);
});

describe.each(ENGINES)('%s', (engine: ContainerEngine) => {
  /** `<id>:verify` at the root: the app's own build from its folder, then the checks of the image. */
  function verify(id: string): string[] {
    const r = task(`${id}:verify`, engine.taskEnvironment());
    const lines = r.stdout.split('\n').filter((line) => line.startsWith('verify: '));
    // eslint-disable-next-line no-console
    console.log(`${engine.name}, ${id}:verify:\n${lines.join('\n')}`);
    if (r.status !== 0) {
      throw new Error(`${id}:verify exited ${r.status}:\n${r.output.slice(-6000)}`);
    }
    return lines;
  }

  test('api: its task builds the image from apps/api; it runs as uid 10001 and passes its health probe', () => {
    const lines = verify('api');
    expect(lines).toContain('verify: non-root user: 10001:10001 (not root) ... ok');
    expect(lines.some((l) => new RegExp(`^verify: health probe: .* http://127\\.0\\.0\\.1:${API_PORT}/healthz passed`).test(l))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/^verify: pass \(\d+ rules\)$/);
    const info = engine.imageInfo('folders-shop-api:0.1.0');
    expect(info.cmd).toEqual(['api']);
    expect(info.labels['org.opencontainers.image.title']).toBe('api');
    expect(engine.runImage('folders-shop-api:0.1.0', ['id', '-u']).stdout.trim()).toBe('10001');
  });

  test('worker: its task builds the static binary from apps/worker; it runs as a non-root user and prints the stub\'s greeting', () => {
    const lines = verify('worker');
    expect(lines).toContain('verify: non-root user: 65532:65532 (not root) ... ok');
    expect(lines[lines.length - 1]).toMatch(/^verify: pass \(\d+ rules\)$/);
    const out = engine.runImage('folders-shop-worker:0.1.0');
    expect(out.status).toBe(0);
    expect(out.stdout.trim()).toBe('Hello from worker!');
    expect(engine.imageInfo('folders-shop-worker:0.1.0').user).toBe('65532:65532');
  });

  test('web: the root\'s web:verify runs the subproject\'s verify in apps/web; it runs as node and passes its health probe', () => {
    const lines = verify('web');
    expect(lines).toContain('verify: non-root user: 1000:1000 (not root) ... ok');
    expect(lines.some((l) => new RegExp(`^verify: health probe: .* http://127\\.0\\.0\\.1:${WEB_PORT}/healthz passed`).test(l))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/^verify: pass \(\d+ rules\)$/);
    const info = engine.imageInfo('folders-shop-web:0.1.0');
    expect(info.cmd).toEqual(['node', 'lib/index.js']);
    expect(engine.imageFileExists('folders-shop-web:0.1.0', '/app/node_modules/projen')).toBe(false);
  });
});
