import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen/lib/project';
import { AppComponent, BakeFile, ComposeFile, GoApp, GoLibrary, NodeApp, NodeAppKind, PoetryApp, PythonLibrary, TypeScriptLibrary } from '../../src';
import { BUILDAH, BUILT_IN_FRONTEND, ContainerEngine, DOCKER, ENGINES, ensureEngineReady, httpGet, inToolroot, PackageIndex, SCRIPTS, servedSiteFiles, startPackageIndex, waitFor } from '../harness';
import { exec } from '../harness/command';
import { mustRun, REPO, run, Run, userEnv } from '../package-util';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

jest.setTimeout(40 * 60 * 1000);

/** projen's own CLI: it runs the project's tasks from .projen/tasks.json, as `npx projen <task>` does. */
const PROJEN = path.join(REPO, 'node_modules', 'projen', 'bin', 'projen');
/** Services run on the host's network under buildah: ports of their own. */
const API_PORT = 18861;
const PROBE_PORT = 18862;
const WEB_PORT = 18863;
const FRONT_PORT = 18864;
const POETRY_ENV = { POETRY_VIRTUALENVS_IN_PROJECT: 'true', POETRY_NO_INTERACTION: '1' };
const GO_ENV = { GOTOOLCHAIN: 'local', GOFLAGS: '', GOPROXY: 'off' };

let index: PackageIndex;
let dir: string;
let apps: AppComponent[];

/**
 * A plain projen project named "libs-shop" (every image "libs-shop-<id>", this task's prefix) with
 * shared code: a Python library "common" that two Poetry apps use (the service "api", the job
 * "jobs"), and a Go module "shared" that two Go binaries use (the job "worker" through `use`, the
 * service "probe" through a `replaces` folder), and a TypeScript package "greeting" that a Node
 * service "web" and a static site "front" use (a `file:` dependency: a link on the machine, a copy
 * in the image; the site bundles it with esbuild). Each app's code is changed to call the library,
 * so its output shows the library ran. Its compose.yaml and docker-bake.hcl are the ones a workspace has.
 */
beforeAll(async () => {
  ensureEngineReady();
  index = await startPackageIndex();
  dir = tempDir('libs-engine-');
  synthesize(() => {
    const project = new Project({ name: 'libs-shop', outdir: dir });
    new ComposeFile(project);
    new BakeFile(project);
    const common = new PythonLibrary(project, 'common', { packageIndex: index.url });
    const api = new PoetryApp(project, 'api', { port: API_PORT, packageIndex: index.url, ...BUILT_IN_FRONTEND });
    const jobs = new PoetryApp(project, 'jobs', { packageIndex: index.url, ...BUILT_IN_FRONTEND });
    api.use(common);
    jobs.use(common);
    const worker = new GoApp(project, 'worker', BUILT_IN_FRONTEND);
    new GoApp(project, 'probe', { port: PROBE_PORT, replaces: { 'example.com/shared': '../../libs/shared' }, ...BUILT_IN_FRONTEND });
    worker.use(new GoLibrary(project, 'shared'));
    const greeting = new TypeScriptLibrary(project, 'greeting');
    new NodeApp(project, 'web', { port: WEB_PORT, ...BUILT_IN_FRONTEND }).use(greeting);
    new NodeApp(project, 'front', { appKind: NodeAppKind.STATIC_SITE, port: FRONT_PORT, ...BUILT_IN_FRONTEND }).use(greeting);
    apps = AppComponent.all(project);
    return project;
  });
  callLibrary('apps/api/src/api/app.py', 'Hello from api!', 'from common import greeting as shared\n\n', 'shared("api")');
  callLibrary('apps/jobs/src/jobs/app.py', 'Hello from jobs!', 'from common import greeting as shared\n\n', 'shared("jobs")');
  callLibrary('apps/worker/cmd/worker/main.go', 'Hello from worker!', '', 'shared.Greeting("worker")');
  callLibrary('apps/probe/cmd/probe/main.go', 'Hello from probe!', '', 'shared.Greeting("probe")');
  callLibrary('apps/web/src/index.ts', 'Hello from web!', '', 'shared("web")');
  callLibrary('apps/front/src/greeting.ts', 'Hello from front!', '', 'shared("front")');
});

afterAll(async () => {
  for (const engine of ENGINES) {
    for (const app of apps ?? []) {
      engine.removeImage(app.imageReference);
    }
    engine.removeImage('libs-shop-context-probe:1');
  }
  await index?.stop();
});

/** Makes a stub's greeting() return the library's greeting: the only change to the generated code. */
function callLibrary(file: string, literal: string, pythonImport: string, call: string): void {
  const at = path.join(dir, file);
  let text = fs.readFileSync(at, 'utf-8');
  expect(text).toContain(JSON.stringify(literal));
  text = text.split(JSON.stringify(literal)).join(call);
  if (file.endsWith('.py')) {
    text = text.replace(/^(import |from |def )/m, `${pythonImport}$1`);
  } else if (file.endsWith('.ts')) {
    text = `import { greeting as shared } from 'greeting';\n${text}`;
  } else {
    text = text.replace(/^import \(\n/m, 'import (\n\t"example.com/shared"\n');
  }
  fs.writeFileSync(at, text);
}

/**
 * What a browser's page gets from a module of the site: the module run by Node as an ES module
 * (a file of its own, so its imports resolve as a browser's do: nothing but relative ones) with
 * the page's element and location, and the element's text after it ran.
 */
function runInPage(module: string, pathname: string): string {
  const file = path.join(tempDir('libs-page-'), 'main.mjs');
  fs.writeFileSync(file, module);
  const page = [
    'const element = { textContent: "" };',
    'globalThis.document = { getElementById: (id) => (id === "greeting" ? element : null) };',
    `globalThis.window = { location: { pathname: ${JSON.stringify(pathname)} } };`,
    'await import(process.argv[1]);',
    'process.stdout.write(element.textContent);',
  ].join('\n');
  return mustRun(process.execPath, ['--input-type=module', '-e', page, file], { env: userEnv() }).stdout;
}

/** A command in the tool root, in a folder of the project (mounted whole, so the path dependencies resolve). */
function toolroot(folder: string, cmd: string, env: Record<string, string>): string {
  const r = inToolroot(dir, ['sh', '-c', `cd ${folder} && ${cmd}`], env);
  if (r.status !== 0) {
    throw new Error(`${folder}: ${cmd} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout + r.stderr;
}

/** The files under a folder, relative to it, sorted. */
function filesUnder(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(folder, e.name)).map((f) => `${e.name}/${f}`) : [e.name]).sort();
}

/** A task of the root project, run by projen's CLI at the root, as `npx projen <task>` runs it. */
function task(name: string, env: Record<string, string> = {}): Run {
  return run(process.execPath, [PROJEN, name], { cwd: dir, env: { ...userEnv(), ...env } });
}

test('real Poetry 2 locks and installs both apps with the library as an editable path dependency; every test passes; an edit to the library reaches both apps with no install', () => {
  const sitePackages = (id: string) => path.join(dir, `apps/${id}/.venv/lib/python3.13/site-packages`);
  for (const id of ['api', 'jobs']) {
    toolroot(`apps/${id}`, 'poetry lock && poetry install', POETRY_ENV);
    const lock = fs.readFileSync(path.join(dir, `apps/${id}/poetry.lock`), 'utf-8');
    expect(lock).toMatch(/\[\[package\]\]\nname = "common"\nversion = "0\.1\.0"[\s\S]*?develop = true\n\n\[package\.source\]\ntype = "directory"\nurl = "\.\.\/\.\.\/libs\/common"/);
    expect(toolroot(`apps/${id}`, 'poetry run pytest -q', POETRY_ENV)).toMatch(/\d+ passed/);
    // A link to the library's sources in the venv, not a copy of them.
    expect(fs.existsSync(path.join(sitePackages(id), 'common/__init__.py'))).toBe(false);
    const links = fs.readdirSync(sitePackages(id)).filter((f) => f.endsWith('.pth')).map((f) => fs.readFileSync(path.join(sitePackages(id), f), 'utf-8')).join('');
    expect(links).toContain(path.join(dir, 'libs/common/src'));
  }
  expect(toolroot('apps/jobs', 'poetry run jobs', POETRY_ENV).trim()).toBe('Hello from jobs, with common!');
  toolroot('libs/common', 'poetry lock && poetry install', POETRY_ENV);
  expect(toolroot('libs/common', 'poetry run pytest -q', POETRY_ENV)).toMatch(/1 passed/);

  // The loop a developer runs: edit the library, run an app. (A non-editable copy kept the old code, even after `poetry install`.)
  const source = path.join(dir, 'libs/common/src/common/__init__.py');
  const original = fs.readFileSync(source, 'utf-8');
  try {
    fs.writeFileSync(source, original.replace('with common!', 'with the edited common!'));
    const edited = toolroot('apps/jobs', 'poetry run jobs', POETRY_ENV).trim();
    // eslint-disable-next-line no-console
    console.log(`after an edit to libs/common, with no install: poetry run jobs -> ${edited}`);
    expect(edited).toBe('Hello from jobs, with the edited common!');
  } finally {
    fs.writeFileSync(source, original);
  }
  expect(toolroot('apps/jobs', 'poetry run jobs', POETRY_ENV).trim()).toBe('Hello from jobs, with common!');
});

test('the real Go toolchain vets, tests and builds both binaries with the module through replace, and tests the module', () => {
  for (const id of ['worker', 'probe']) {
    toolroot(`apps/${id}`, 'go vet ./... && go test ./... && go build ./...', GO_ENV);
  }
  expect(toolroot('apps/worker', 'go run ./cmd/worker', GO_ENV).trim()).toBe('Hello from worker, with shared!');
  expect(toolroot('libs/shared', 'go vet ./... && go test ./...', GO_ENV)).toMatch(/^ok\s+example\.com\/shared/m);
});

test('real npm links the package into the service and the site (its default for a folder); all compile and their tests pass; an edit to the package reaches both at their next compile, with no install; the site\'s bundle holds the package', () => {
  // The lock files are written by the npm of the image's Node, the one its `npm ci` runs (as many-apps.engine.test.ts does).
  const npm = BUILDAH.runImage('docker.io/library/node:24-slim', ['npm', '--version']).stdout.trim();
  const install = (folder: string) => mustRun('npx', ['-y', `npm@${npm}`, 'install', '--no-audit', '--no-fund'], { cwd: path.join(dir, folder), env: userEnv() });
  install('libs/greeting');
  expect(mustRun('npm', ['test'], { cwd: path.join(dir, 'libs/greeting'), env: userEnv() }).output).toMatch(/# pass 1\n# fail 0/);
  for (const id of ['web', 'front']) {
    install(`apps/${id}`);
    const installed = path.join(dir, `apps/${id}/node_modules/greeting`);
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(installed)).toBe(fs.realpathSync(path.join(dir, 'libs/greeting')));
    expect(JSON.parse(fs.readFileSync(path.join(dir, `apps/${id}/package-lock.json`), 'utf-8')).packages['node_modules/greeting']).toEqual({ resolved: '../../libs/greeting', link: true });
  }
  expect(task('web:compile').status).toBe(0);
  expect(task('web:test').output).toMatch(/Tests:\s+1 passed, 1 total/);
  expect(fs.existsSync(path.join(dir, 'apps/front/node_modules/.bin/esbuild'))).toBe(true);
  const compile = (id: string) => {
    const r = task(`${id}:compile`);
    if (r.status !== 0) {
      throw new Error(`${id}:compile exited ${r.status}:\n${r.output.slice(-4000)}`);
    }
    return r.output;
  };
  compile('front');
  expect(task('front:test').output).toMatch(/Tests:\s+1 passed, 1 total/);
  // The site: the page and one self-contained bundle (no import left for a browser to resolve).
  const siteBundle = () => fs.readFileSync(path.join(dir, 'apps/front/dist/main.js'), 'utf-8');
  expect(filesUnder(path.join(dir, 'apps/front/dist'))).toEqual(['index.html', 'main.js']);
  const bundle = siteBundle();
  expect(bundle).toContain('with greeting!');
  expect(bundle).not.toMatch(/\bimport\s*[{"'(*]|\brequire\(/);
  expect(runInPage(bundle, '/')).toBe('Hello from front, with greeting!');

  // The loop a developer runs: edit the package, compile or test an app. Its compile compiles the
  // package first (greeting:compile), and the link reads the result: no install, no stale copy.
  const source = path.join(dir, 'libs/greeting/src/index.ts');
  const original = fs.readFileSync(source, 'utf-8');
  const reply = () => mustRun(process.execPath, ['-e', 'process.stdout.write(require("greeting").greeting("web"))'], { cwd: path.join(dir, 'apps/web'), env: userEnv() }).stdout;
  try {
    fs.writeFileSync(source, original.replace('with ${', 'with the edited ${'));
    expect(compile('web')).toMatch(/greeting:compile/);
    expect(reply()).toBe('Hello from web, with the edited greeting!');
    compile('front');
    expect(runInPage(siteBundle(), '/')).toBe('Hello from front, with the edited greeting!');
    // eslint-disable-next-line no-console
    console.log(`npm ${npm}: apps/web/node_modules/greeting -> ${fs.readlinkSync(path.join(dir, 'apps/web/node_modules/greeting'))}; after an edit to the package, web:compile then require("greeting"): ${reply()}`);
  } finally {
    fs.writeFileSync(source, original);
  }
  compile('front');
  expect(reply()).toBe('Hello from web, with greeting!');
  expect(runInPage(siteBundle(), '/')).toBe('Hello from front, with greeting!');
});

describe.each(ENGINES)('%s', (engine: ContainerEngine) => {
  /** `<id>:docker:build` at the root: the app's generated build, from its folder, with its named contexts. */
  function build(id: string): void {
    const r = task(`${id}:docker:build`, engine.taskEnvironment());
    if (r.status !== 0) {
      throw new Error(`${id}:docker:build exited ${r.status}:\n${r.output.slice(-6000)}`);
    }
  }

  test('each build is given the app\'s folder and its library\'s alone: the other apps\' sources are not in it', () => {
    // The generated task's own flags, with a Dockerfile that lists what each context holds.
    const flags = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf-8')).tasks['api:docker:build'].steps.map((s: any) => s.exec).join(' ');
    const contexts = Object.fromEntries([...flags.matchAll(/--build-context ([a-z0-9.-]+)=(\S+)/g)].map((m: string[]) => [m[1], path.resolve(dir, 'apps/api', m[2])]));
    expect(contexts).toEqual({ 'lib-common': path.join(dir, 'libs/common') });
    const probe = path.join(tempDir('libs-context-'), 'Dockerfile');
    fs.writeFileSync(probe, 'FROM python:3.13-slim\nCOPY . /ctx/app/\nCOPY --from=lib-common . /ctx/lib-common/\n');
    engine.mustBuildImage({ contextDir: path.join(dir, 'apps/api'), dockerfile: probe, tag: 'libs-shop-context-probe:1', buildContexts: contexts });
    const files = engine.withImageRoot('libs-shop-context-probe:1', (root) => filesUnder(path.join(root, 'ctx')).map((f) => `/ctx/${f}`));
    // The library's context is its folder; whether the engine applies the folder's .dockerignore to a named context, this says.
    const extra = files.filter((f) => f.startsWith('/ctx/lib-common/') && !/^\/ctx\/lib-common\/(pyproject\.toml|README\.md|src\/)/.test(f));
    // eslint-disable-next-line no-console
    console.log(`${engine.name}: api's build contexts: the app's files and the library's build files (its other files are counted below):\n${files.filter((f) => !extra.includes(f)).join('\n')}`);
    expect(files).toContain('/ctx/app/src/api/app.py');
    expect(files).toContain('/ctx/lib-common/src/common/__init__.py');
    // No other app's files, in either context.
    expect(files.filter((f) => /jobs|worker|probe|shared|web|front|greeting/.test(f))).toEqual([]);
    // The app's own context is its .dockerignore's allowlist.
    expect(files.filter((f) => f.startsWith('/ctx/app/') && !/^\/ctx\/app\/(pyproject\.toml|poetry\.lock|README\.md|src\/)/.test(f))).toEqual([]);
    // eslint-disable-next-line no-console
    console.log(`${engine.name}: the library's named context beyond its build files: ${extra.length} files (${extra.slice(0, 3).join(', ')})`);
    expect(files.filter((f) => f.startsWith('/ctx/lib-common/src/') && !f.includes('__pycache__'))).toEqual(['/ctx/lib-common/src/common/__init__.py']);
  });

  test('the Python images build from the generated files with the library installed in the venv; their output is the library\'s', async () => {
    build('jobs');
    build('api');
    const jobs = engine.runImage('libs-shop-jobs:0.1.0');
    expect(jobs.stdout.trim()).toBe('Hello from jobs, with common!');
    for (const image of ['libs-shop-jobs:0.1.0', 'libs-shop-api:0.1.0']) {
      expect(engine.imageFileExists(image, '/app/.venv/lib/python3.13/site-packages/common/__init__.py')).toBe(true);
      expect(engine.imageFileExists(image, '/app/.venv/lib/python3.13/site-packages/common/__pycache__/__init__.cpython-313.pyc')).toBe(true);
      // What the builder installed, and nothing of the library's folder: no /libs, no editable link.
      expect(engine.imageFileExists(image, '/libs')).toBe(false);
      expect(engine.listImagePaths(image, '/app/.venv/lib/python3.13/site-packages/*.pth').map((p) => engine.readImageFile(image, p) ?? '').join('')).not.toContain('libs/common');
    }
    const running = await engine.startImage('libs-shop-api:0.1.0');
    try {
      const reply = await waitFor(async () => httpGet(`http://127.0.0.1:${running.hostPort(API_PORT)}/`).catch(() => undefined), 30000, 250);
      // eslint-disable-next-line no-console
      console.log(`${engine.name}: api / -> ${reply.status} ${reply.body}`);
      expect(JSON.parse(reply.body)).toEqual({ message: 'Hello from api, with common!' });
    } finally {
      await running.stop('SIGKILL');
    }
  });

  test('the Go images build from the generated files with the module compiled in; their output is the module\'s', async () => {
    build('worker');
    build('probe');
    const worker = engine.runImage('libs-shop-worker:0.1.0');
    expect(worker.stdout.trim()).toBe('Hello from worker, with shared!');
    expect(engine.imageFileExists('libs-shop-worker:0.1.0', '/libs')).toBe(false);
    const running = await engine.startImage('libs-shop-probe:0.1.0');
    try {
      const reply = await waitFor(async () => httpGet(`http://127.0.0.1:${running.hostPort(PROBE_PORT)}/`).catch(() => undefined), 30000, 250);
      // eslint-disable-next-line no-console
      console.log(`${engine.name}: probe / -> ${reply.status} ${reply.body.trim()}`);
      expect(reply.body.trim()).toBe('Hello from probe, with shared!');
    } finally {
      await running.stop('SIGKILL');
    }
  });

  test('the Node image builds from the generated files with the package compiled and installed as a copy; its reply is the package\'s', async () => {
    build('web');
    const image = 'libs-shop-web:0.1.0';
    expect(engine.imageFileExists(image, '/app/node_modules/greeting/lib/index.js')).toBe(true);
    expect(engine.imageFileExists(image, '/app/node_modules/greeting/src')).toBe(false);
    expect(engine.imageFileExists(image, '/libs')).toBe(false);
    const running = await engine.startImage(image);
    try {
      const reply = await waitFor(async () => httpGet(`http://127.0.0.1:${running.hostPort(WEB_PORT)}/`).catch(() => undefined), 30000, 250);
      // eslint-disable-next-line no-console
      console.log(`${engine.name}: web / -> ${reply.status} ${reply.body}`);
      expect(JSON.parse(reply.body)).toEqual({ message: 'Hello from web, with greeting!' });
    } finally {
      await running.stop('SIGKILL');
    }
  });

  test('the static site\'s image builds from the generated files with the package bundled; nginx serves a page whose module prints the package\'s greeting', async () => {
    build('front');
    const image = 'libs-shop-front:0.1.0';
    const info = engine.imageInfo(image);
    expect(info.user).toBe('101:101');
    // nginx and the site alone: no node_modules, no sources, no Node, no library folder.
    expect(servedSiteFiles(engine, image)).toEqual(['/usr/share/nginx/html/index.html', '/usr/share/nginx/html/main.js']);
    for (const absent of ['/app', '/libs', '/usr/local/bin/node', '/usr/bin/node']) {
      expect(engine.imageFileExists(image, absent)).toBe(false);
    }
    // nginx logs to /dev/stdout and /dev/stderr: pipes the container user can open (see pipeOutput).
    const running = await engine.startImage(image, undefined, { pipeOutput: true });
    try {
      const base = `http://127.0.0.1:${running.hostPort(FRONT_PORT)}`;
      const page = await waitFor(async () => httpGet(`${base}/`).catch(() => undefined), 30000, 250);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<script type="module" src="/main.js">');
      const script = await httpGet(`${base}/main.js`);
      expect(script.status).toBe(200);
      const line = script.body.split('\n').find((l) => l.includes('with greeting!')) ?? '';
      // eslint-disable-next-line no-console
      console.log(`${engine.name}: front / -> ${page.status}, /main.js -> ${script.status} (${script.body.length} bytes), image ${(info.size / 1e6).toFixed(1)} MB; the library's code in it: ${line.slice(Math.max(0, line.indexOf('with greeting!') - 160), line.indexOf('with greeting!') + 40)}`);
      expect(script.body).toContain('with greeting!');
      expect(runInPage(script.body, '/')).toBe('Hello from front, with greeting!');
      expect(runInPage(script.body, '/about')).toBe('front at /about');
    } finally {
      await running.stop('SIGKILL');
    }
  });
});

const DOCKER_CLI = path.join(SCRIPTS, 'docker');
(ENGINES.includes(DOCKER) ? test : test.skip)('docker buildx bake builds all six images from docker-bake.hcl, the libraries as named contexts; compose config resolves them', () => {
  const ids = apps.map((a) => a.appId);
  for (const app of apps) {
    DOCKER.removeImage(app.imageReference);
  }
  const print = exec(DOCKER_CLI, ['buildx', 'bake', '--print'], { cwd: dir, env: { ...process.env } });
  expect(print.status).toBe(0);
  const targets = JSON.parse(print.stdout).target;
  // eslint-disable-next-line no-console
  console.log(`bake --print contexts: ${ids.map((id) => `${id}: ${JSON.stringify(targets[id].contexts ?? {})}`).join('; ')}`);
  expect(targets.api.contexts).toEqual({ 'lib-common': 'libs/common' });
  expect(targets.probe.contexts).toEqual({ 'lib-shared': 'libs/shared' });
  expect(targets.web.contexts).toEqual({ 'lib-greeting': 'libs/greeting' });
  expect(targets.front.contexts).toEqual({ 'lib-greeting': 'libs/greeting' });
  // This machine's builds need the host's network: a compose file beside the HCL says so (bake's HCL has no network key).
  const network = path.join(tempDir('libs-bake-'), 'network.compose.yaml');
  fs.writeFileSync(network, `services:\n${ids.map((id) => `  ${id}:\n    build:\n      network: host\n`).join('')}`);
  const bake = exec(DOCKER_CLI, ['buildx', 'bake', '--progress', 'plain', '--allow', 'network.host', '-f', 'docker-bake.hcl', '-f', network], { cwd: dir, env: { ...process.env } });
  if (bake.status !== 0) {
    throw new Error(`bake exited ${bake.status}:\n${(bake.stdout + bake.stderr).slice(-8000)}`);
  }
  expect(DOCKER.runImage('libs-shop-jobs:0.1.0').stdout.trim()).toBe('Hello from jobs, with common!');
  expect(DOCKER.runImage('libs-shop-worker:0.1.0').stdout.trim()).toBe('Hello from worker, with shared!');
  const config = exec(DOCKER_CLI, ['compose', '-p', 'libs-shop', '-f', 'compose.yaml', '--profile', 'jobs', 'config', '--format', 'json'], { cwd: dir, env: { ...process.env } });
  expect(config.status).toBe(0);
  const services = JSON.parse(config.stdout).services;
  // eslint-disable-next-line no-console
  console.log(`compose config: api.build ${JSON.stringify(services.api.build)}`);
  expect(services.api.build.additional_contexts).toEqual({ 'lib-common': path.join(dir, 'libs/common') });
  expect(services.worker.build.additional_contexts).toEqual({ 'lib-shared': path.join(dir, 'libs/shared') });
  expect(services.front.build.additional_contexts).toEqual({ 'lib-greeting': path.join(dir, 'libs/greeting') });
});
