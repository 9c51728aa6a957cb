import * as fs from 'fs';
import * as path from 'path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { AppComponent, BaseImage, Dockerfile, DockerfileStage, GoApp, GoLibrary, Instruction, LibraryComponent, NodeApp, NodeAppKind, PoetryApp, PoetryAppProject, PyprojectLayout, PythonLibrary, RuntimeUser, TypeScriptLibrary, WorkspaceProject, WorkspaceProjectOptions } from '../../src';
import { parseDockerfile, stageNamed } from '../dockerfile-facts';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

/** A workspace without the sample, with what `more` adds, synthesized into a folder of its own. */
function workspace(more: (p: WorkspaceProject) => void, dir = tempDir('ws-libs-'), options: WorkspaceProjectOptions = {}): { project: WorkspaceProject; dir: string } {
  const project = synthesize(() => {
    const p = new WorkspaceProject({ name: 'shop', outdir: dir, sampleCode: false, ...options });
    more(p);
    return p;
  });
  return { project, dir };
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf-8');
const tasks = (dir: string) => JSON.parse(read(dir, '.projen/tasks.json')).tasks;
/** docker-bake.hcl's target block named `id`, as written. */
const bakeTarget = (dir: string, id: string) => new RegExp(`^target "${id}" \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(read(dir, 'docker-bake.hcl'))![1];

/** Every folder an app's image build is given: its own (the context) and each `--build-context`, relative to the project. */
function buildFolders(dir: string, app: AppComponent): string[] {
  const build = tasks(dir)[app.taskName('docker:build')].steps.map((s: any) => s.exec).join('\n');
  const named = [...build.matchAll(/--build-context [a-z0-9.-]+=(\S+)/g)].map((m) => path.posix.join(app.folder, m[1]));
  return [app.folder, ...named];
}

describe('a Python library that two Poetry apps use', () => {
  const { project, dir } = workspace((p) => {
    const common = new PythonLibrary(p, 'common');
    const api = new PoetryApp(p, 'api', { port: 8000 });
    const jobs = new PoetryApp(p, 'jobs');
    new PoetryApp(p, 'billing', { port: 8001 });
    api.use(common);
    jobs.use(common);
  });
  const api = project.app('api');
  const common = LibraryComponent.all(project)[0] as PythonLibrary;

  test('the library: its folder, pyproject.toml (PEP 621, src layout, dev group), stubs and .dockerignore', () => {
    expect([common.libraryId, common.folder, common.contextName, common.ecosystem]).toEqual(['common', 'libs/common', 'lib-common', 'python']);
    const pyproject = parseToml(read(dir, 'libs/common/pyproject.toml')) as any;
    expect(pyproject.project).toMatchObject({ 'name': 'common', 'version': '0.1.0', 'requires-python': '>=3.10', 'dependencies': [] });
    expect(pyproject.tool.poetry.packages).toEqual([{ include: 'common', from: 'src' }]);
    expect(pyproject.tool.poetry.group.dev.dependencies).toEqual({ pytest: '^8.3' });
    expect(read(dir, 'libs/common/src/common/__init__.py')).toContain('def greeting(name: str) -> str:');
    expect(read(dir, 'libs/common/tests/test_common.py')).toContain('from common import greeting');
    expect(read(dir, 'libs/common/.dockerignore').split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(['*', '!pyproject.toml', '!README.md', '!src/', '**/__pycache__', '**/*.py[cod]']);
    expect(tasks(dir)['common:test'].steps).toEqual([{ exec: 'poetry run pytest' }]);
    expect(tasks(dir)['common:test'].cwd).toBe('libs/common');
    expect(tasks(dir).test.steps).toContainEqual({ spawn: 'common:test' });
  });

  test('the library\'s test dependencies keep their extras, as an app\'s do', () => {
    const { dir: other } = workspace((p) => new PythonLibrary(p, 'common', { testDeps: ['pytest@^8.3', 'coverage[toml]@^7.6'] }));
    const pyproject = parseToml(read(other, 'libs/common/pyproject.toml')) as any;
    expect(pyproject.tool.poetry.group.dev.dependencies).toEqual({ pytest: '^8.3', coverage: { version: '^7.6', extras: ['toml'] } });
  });

  test.each(['api', 'jobs'])('%s: a path dependency on ../../libs/common, editable (a link to its sources on the machine), in pyproject.toml', (id) => {
    const pyproject = parseToml(read(dir, `apps/${id}/pyproject.toml`)) as any;
    expect(pyproject.project.dependencies).toEqual(['common']);
    expect(pyproject.tool.poetry.dependencies).toEqual({ common: { path: '../../libs/common', develop: true } });
    expect(project.app(id).libraries.map((u) => [u.library.libraryId, u.path, u.contextName])).toEqual([['common', '../../libs/common', 'lib-common']]);
  });

  test('the builder copies the library from its named context to the same relative place before the lock check and the install; the runtime gets the venv alone', () => {
    const df = parseDockerfile(read(dir, 'apps/api/Dockerfile'));
    const builder = stageNamed(df, 'builder').instructions;
    const copies = builder.filter((i) => i.keyword === 'COPY' && i.flags.from === 'lib-common');
    expect(copies.map((i) => i.args)).toEqual([['pyproject.toml', 'README.md', '/libs/common/'], ['src', '/libs/common/src']]);
    // WORKDIR /app joined with the path dependency: where Poetry looks for it.
    expect(path.posix.join('/app', api.libraries[0].path)).toBe('/libs/common');
    const lockCheck = builder.findIndex((i) => i.keyword === 'RUN' && i.text.includes('poetry check --lock'));
    const install = builder.findIndex((i) => i.keyword === 'RUN' && i.text.includes('poetry install --no-root'));
    expect(builder.indexOf(copies[1])).toBeLessThan(lockCheck);
    expect(lockCheck).toBeLessThan(install);
    // The image's copy: the dependencies' install leaves out the editable link; then the library's wheel, built, installed and compiled.
    // (Installed first, Poetry would replace it with the link: --no-directory skips only what is not installed.)
    const wheel = builder.findIndex((i) => i.keyword === 'RUN' && i.text.startsWith('RUN cd /libs/common && poetry build --format wheel && '));
    expect(builder[wheel].text).toContain(' install --no-deps --no-index --no-compile dist/*.whl && /app/.venv/bin/python -m compileall ');
    expect(install).toBeLessThan(wheel);
    expect(builder.findIndex((i) => i.text === 'COPY . ./')).toBe(wheel + 1);
    expect(builder[install].text).toContain(' poetry install --no-root --without dev --no-directory && ');
    // An app without libraries installs every dependency as before.
    expect(read(dir, 'apps/billing/Dockerfile')).not.toContain('--no-directory');
    const runtime = stageNamed(df, 'runtime').instructions.filter((i) => i.keyword === 'COPY');
    expect(runtime.map((i) => [i.flags.from, ...i.args])).toEqual([['builder', '/app/.venv', '/app/.venv']]);
    expect(api.image.dockerfile.buildContexts).toEqual(['lib-common']);
  });

  test('one source: the path dependency, the build flag, bake\'s contexts and compose\'s additional_contexts name the same folder', () => {
    const build = tasks(dir)['api:docker:build'].steps.map((s: any) => s.exec).join('\n');
    expect(build).toContain('--build-context lib-common=../../libs/common --file Dockerfile');
    expect(tasks(dir)['api:docker:build'].cwd).toBe('apps/api');
    expect(bakeTarget(dir, 'api')).toContain('  context    = "apps/api"\n');
    expect(bakeTarget(dir, 'api')).toContain('  contexts   = { "lib-common" = "libs/common" }\n');
    expect(bakeTarget(dir, 'jobs')).toContain('  contexts   = { "lib-common" = "libs/common" }\n');
    expect(bakeTarget(dir, 'billing')).not.toContain('contexts');
    const services = parseYaml(read(dir, 'compose.yaml')).services;
    expect(services.api.build).toEqual({ context: './apps/api', dockerfile: 'Dockerfile', additional_contexts: { 'lib-common': './libs/common' } });
    expect(services.billing.build.additional_contexts).toBeUndefined();
    expect(services.api.develop.watch.filter((w: any) => w.path.startsWith('./libs/'))).toEqual(['pyproject.toml', 'README.md', 'src'].map((f) => ({ action: 'rebuild', path: `./libs/common/${f}` })));
    for (const id of ['api', 'jobs']) {
      expect(path.posix.join(`apps/${id}`, project.app(id).libraries[0].path)).toBe(common.folder);
    }
  });

  test('each build is given its app\'s folder and the library\'s, never another app\'s or the repository', () => {
    for (const app of AppComponent.all(project)) {
      const folders = buildFolders(dir, app);
      expect(folders).toEqual(app.appId === 'billing' ? ['apps/billing'] : [app.folder, 'libs/common']);
      for (const other of AppComponent.all(project).filter((o) => o !== app)) {
        expect(folders.some((f) => f === other.folder || other.folder.startsWith(`${f}/`) || f === '.')).toBe(false);
      }
    }
  });
});

describe('a Go module that two Go binaries use', () => {
  const { project, dir } = workspace((p) => {
    const worker = new GoApp(p, 'worker');
    // Declared before the library: a replace to its folder is found at synthesis.
    new GoApp(p, 'probe', { port: 9000, replaces: { 'example.com/shared': '../../libs/shared' } });
    const shared = new GoLibrary(p, 'shared');
    worker.use(shared);
  });

  test('the module: go.mod, a package and its test, <id>:test', () => {
    expect(read(dir, 'libs/shared/go.mod')).toMatch(/^module example\.com\/shared\n\ngo 1\.27\n$/m);
    expect(read(dir, 'libs/shared/shared.go')).toContain('func Greeting(name string) string {');
    expect(read(dir, 'libs/shared/shared_test.go')).toContain('package shared');
    expect(tasks(dir)['shared:test'].steps).toEqual([{ exec: 'go vet ./...' }, { exec: 'go test ./...' }]);
  });

  test.each(['worker', 'probe'])('%s: require v0.0.0 and replace to ../../libs/shared in go.mod; the builder copies go.mod before the download and the module before the build', (id) => {
    const mod = read(dir, `apps/${id}/go.mod`);
    expect(mod).toContain('require (\n\texample.com/shared v0.0.0\n)');
    expect(mod).toContain('replace (\n\texample.com/shared => ../../libs/shared\n)');
    const builder = stageNamed(parseDockerfile(read(dir, `apps/${id}/Dockerfile`)), 'builder').instructions;
    const at = (match: (text: string) => boolean) => builder.findIndex((i) => match(i.text));
    expect(at((t) => t === 'COPY --from=lib-shared go.mod /libs/shared/')).toBeLessThan(at((t) => t.includes('go mod download')));
    expect(at((t) => t.includes('go mod download'))).toBeLessThan(at((t) => t === 'COPY --from=lib-shared . /libs/shared/'));
    expect(at((t) => t === 'COPY --from=lib-shared . /libs/shared/')).toBeLessThan(at((t) => t.includes(`-o /out/${id} `)));
    expect(buildFolders(dir, project.app(id))).toEqual([`apps/${id}`, 'libs/shared']);
    expect(bakeTarget(dir, id)).toContain('  contexts   = { "lib-shared" = "libs/shared" }\n');
    expect(parseYaml(read(dir, 'compose.yaml')).services[id].develop.watch).toContainEqual({ action: 'rebuild', path: './libs/shared' });
    // No download for the library: no go.sum check.
    expect(tasks(dir)[`${id}:sum:check`].steps ?? []).toEqual([]);
  });
});

describe('a TypeScript package that a Node service uses', () => {
  const { project, dir } = workspace((p) => new NodeApp(p, 'web', { port: 3000 }).use(new TypeScriptLibrary(p, 'greeting')));

  test('the package: package.json (main and types in lib/), tsconfig.json, stubs, tasks', () => {
    const pkg = JSON.parse(read(dir, 'libs/greeting/package.json'));
    expect(pkg).toMatchObject({ name: 'greeting', version: '0.1.0', main: 'lib/index.js', types: 'lib/index.d.ts', files: ['lib'], devDependencies: { typescript: '^5' } });
    expect(JSON.parse(read(dir, 'libs/greeting/tsconfig.json')).compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'lib', declaration: true });
    expect(read(dir, 'libs/greeting/src/index.ts')).toContain('export function greeting(name: string): string {');
    expect(read(dir, 'libs/greeting/test/index.test.js')).toContain("require('node:test')");
    expect(tasks(dir)['greeting:test'].steps).toEqual([{ exec: 'npm test' }]);
    expect(read(dir, 'libs/greeting/.dockerignore').split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(['*', '!package.json', '!package-lock.json', '!tsconfig.json', '!src/']);
  });

  test('the service: a file: dependency, a link on the machine (npm\'s default: no .npmrc with install-links), so web:compile and web:test compile the package first', () => {
    expect(JSON.parse(read(dir, 'apps/web/package.json')).dependencies).toEqual({ greeting: 'file:../../libs/greeting' });
    expect(fs.existsSync(path.join(dir, 'apps/web/.npmrc'))).toBe(false);
    for (const name of ['web:compile', 'web:test']) {
      expect(tasks(dir)[name].steps).toEqual([{ spawn: 'greeting:compile' }, { exec: `npx projen ${name.slice(4)}` }]);
    }
    expect(tasks(dir)['greeting:compile'].steps).toEqual([{ exec: 'npx tsc' }]);
    expect(project.app('web').libraries.map((u) => [u.path, u.contextName])).toEqual([['../../libs/greeting', 'lib-greeting']]);
    expect(bakeTarget(dir, 'web')).toContain('  contexts   = { "lib-greeting" = "libs/greeting" }\n');
  });

  test('the image compiles the package in a stage of its own; the installing stages copy its manifest and lib/ first; the runtime copies node_modules alone', () => {
    const df = parseDockerfile(read(dir, 'apps/web/Dockerfile'));
    expect(df.stages.map((s) => s.name)).toEqual(['lib-greeting-build', 'deps', 'build', 'runtime']);
    const lib = stageNamed(df, 'lib-greeting-build').instructions;
    expect(lib.map((i) => i.text)).toEqual(expect.arrayContaining(['WORKDIR /src/libs/greeting', 'COPY --from=lib-greeting package.json package-lock.json ./', 'COPY --from=lib-greeting src ./src', 'RUN npx tsc']));
    for (const name of ['deps', 'build']) {
      const texts = stageNamed(df, name).instructions.map((i) => i.text);
      // As deep as in the repository: the lock file's ../../libs/greeting leads to the library's copy, not above /.
      expect(texts).toContain('WORKDIR /src/apps/web');
      const install = texts.findIndex((t) => /npm ci/.test(t));
      expect(texts.indexOf('ENV NPM_CONFIG_INSTALL_LINKS="true"')).toBeLessThan(install);
      expect(texts.indexOf('COPY --from=lib-greeting-build /src/libs/greeting/lib /src/libs/greeting/lib')).toBeLessThan(install);
      expect(texts.indexOf('COPY --from=lib-greeting-build /src/libs/greeting/lib /src/libs/greeting/lib')).toBeGreaterThan(0);
    }
    expect(stageNamed(df, 'runtime').instructions.filter((i) => i.keyword === 'COPY').map((i) => i.flags.from)).toEqual(['build', 'deps', 'build']);
  });
});

describe('a TypeScript package that a service and a static site use', () => {
  const { project, dir } = workspace((p) => {
    const greeting = new TypeScriptLibrary(p, 'greeting');
    new NodeApp(p, 'web', { port: 3000 }).use(greeting);
    new NodeApp(p, 'front', { appKind: NodeAppKind.STATIC_SITE, port: 8080 }).use(greeting);
  });

  test('the site depends on the package as the service does: a file: dependency, linked, compiled first; esbuild bundles it', () => {
    for (const id of ['web', 'front']) {
      expect(JSON.parse(read(dir, `apps/${id}/package.json`)).dependencies).toEqual({ greeting: 'file:../../libs/greeting' });
      expect(fs.existsSync(path.join(dir, `apps/${id}/.npmrc`))).toBe(false);
      expect(tasks(dir)[`${id}:compile`].steps[0]).toEqual({ spawn: 'greeting:compile' });
    }
    expect(JSON.parse(read(dir, 'apps/front/package.json')).devDependencies.esbuild).toMatch(/^\^0\./);
    const compile = JSON.parse(read(dir, 'apps/front/.projen/tasks.json')).tasks.compile.steps;
    expect(compile.map((s: any) => s.exec ?? s.execArgs.join(' '))).toEqual([
      'tsc --build',
      expect.stringMatching(/^rm -rf dist && mkdir -p dist && cp -R public\/\. dist\/ && esbuild src\/main\.ts --bundle --format=esm /),
    ]);
  });

  test('one source: the same named context in the build task, bake and compose; the same library stage in both Dockerfiles', () => {
    // The root's front:docker:build runs the site project's own docker:build in apps/front.
    expect(tasks(dir)['front:docker:build'].steps).toEqual([{ exec: 'npx projen docker:build' }]);
    expect(tasks(dir)['front:docker:build'].cwd).toBe('apps/front');
    const build = JSON.parse(read(dir, 'apps/front/.projen/tasks.json')).tasks['docker:build'].steps.map((s: any) => s.exec).join('\n');
    expect(build).toContain('--build-context lib-greeting=../../libs/greeting --file Dockerfile');
    expect(bakeTarget(dir, 'front')).toContain('  contexts   = { "lib-greeting" = "libs/greeting" }\n');
    expect(parseYaml(read(dir, 'compose.yaml')).services.front.build).toEqual({ context: './apps/front', dockerfile: 'Dockerfile', additional_contexts: { 'lib-greeting': './libs/greeting' } });
    expect(project.app('front').libraries.map((u) => [u.path, u.contextName])).toEqual([['../../libs/greeting', 'lib-greeting']]);
    const web = parseDockerfile(read(dir, 'apps/web/Dockerfile'));
    const front = parseDockerfile(read(dir, 'apps/front/Dockerfile'));
    expect(front.stages.map((s) => s.name)).toEqual(['lib-greeting-build', 'build', 'runtime']);
    expect(stageNamed(front, 'lib-greeting-build').instructions.map((i) => i.text)).toEqual(stageNamed(web, 'lib-greeting-build').instructions.map((i) => i.text));
  });

  test('the site\'s build stage installs the compiled package before npm ci and bundles; the runtime is nginx with the site alone', () => {
    const df = parseDockerfile(read(dir, 'apps/front/Dockerfile'));
    const texts = stageNamed(df, 'build').instructions.map((i) => i.text);
    const install = texts.findIndex((t) => /npm ci/.test(t));
    for (const line of ['ENV NPM_CONFIG_INSTALL_LINKS="true"', 'COPY --from=lib-greeting-build /src/libs/greeting/package.json /src/libs/greeting/package.json', 'COPY --from=lib-greeting-build /src/libs/greeting/lib /src/libs/greeting/lib']) {
      expect(texts.indexOf(line)).toBeGreaterThan(0);
      expect(texts.indexOf(line)).toBeLessThan(install);
    }
    expect(texts[texts.length - 1]).toMatch(/&& tsc --build && .*&& esbuild src\/main\.ts --bundle /);
    const runtime = stageNamed(df, 'runtime');
    expect(runtime.image).toBe('nginxinc/nginx-unprivileged:1.28');
    expect(runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => [i.flags.from, ...i.args])).toEqual([
      ['build', '/src/apps/front/nginx.conf', '/etc/nginx/conf.d/default.conf'],
      ['build', '/src/apps/front/dist', '/usr/share/nginx/html'],
    ]);
  });
});

test('re-synthesis: a removed library takes its generated files and the apps\' path dependency; its stubs stay', () => {
  const dir = tempDir('ws-libs-');
  workspace((p) => new PoetryApp(p, 'api').use(new PythonLibrary(p, 'common')), dir);
  fs.writeFileSync(path.join(dir, 'libs/common/src/common/__init__.py'), 'def greeting(name):\n    return name\n');
  workspace((p) => new PoetryApp(p, 'api'), dir);
  for (const f of ['libs/common/pyproject.toml', 'libs/common/.dockerignore']) {
    expect(fs.existsSync(path.join(dir, f))).toBe(false);
  }
  expect(read(dir, 'libs/common/src/common/__init__.py')).toBe('def greeting(name):\n    return name\n');
  expect(read(dir, 'apps/api/pyproject.toml')).not.toContain('common');
  expect(read(dir, 'apps/api/Dockerfile')).not.toContain('lib-common');
  expect(read(dir, 'docker-bake.hcl')).not.toContain('contexts');
});

describe('the Dockerfile model knows named build contexts', () => {
  const stages = (copyFrom: string) => {
    const build = new DockerfileStage('builder', { from: BaseImage.of('python:3.13-slim') });
    build.addInstruction(Instruction.copy(['src'], '/lib/src', { from: copyFrom }));
    const run = new DockerfileStage('runtime', { from: BaseImage.of('python:3.13-slim') });
    run.addInstruction(RuntimeUser.debian('app', 10001).userInstruction());
    return [build, run];
  };
  const dockerfile = (copyFrom: string, contexts: string[]) => {
    const project = new WorkspaceProject({ name: 'm', outdir: tempDir('ws-libs-model-'), sampleCode: false });
    const df = new Dockerfile(project, { fileName: 'x/Dockerfile', syntax: '' });
    stages(copyFrom).forEach((s) => df.addStage(s));
    contexts.forEach((c) => df.addBuildContext(c));
    return df;
  };

  test('COPY --from a declared context is sound and passes the lint gate; an undeclared one is neither', () => {
    expect(dockerfile('lib-common', ['lib-common']).validate()).toEqual([]);
    expect(dockerfile('lib-common', ['lib-common']).lint().filter((f) => f.rule === 'DL3022')).toEqual([]);
    expect(dockerfile('lib-common', []).validate()).toEqual([expect.stringMatching(/"lib-common" is not an earlier stage\. Earlier stages: none\.$/)]);
    expect(dockerfile('lib-common', ['lib-other']).lint().map((f) => f.message)).toContainEqual('COPY --from="lib-common" is not an earlier stage (earlier: builder; build contexts: lib-other)');
  });

  test('a context named like a stage, a bad name or a second declaration is refused', () => {
    expect(dockerfile('builder', ['builder']).validate()).toContainEqual(expect.stringMatching(/build context "builder" has the name of a stage/));
    expect(() => dockerfile('x', ['Lib Common'])).toThrow(/invalid build context name "Lib Common"/);
    expect(() => dockerfile('x', ['lib-a', 'lib-a'])).toThrow(/build context "lib-a" is already declared/);
  });
});

test('the legacy pyproject layout and an app at the project\'s root take the same path dependency, from their own folders', () => {
  const { dir } = workspace((p) => new PoetryApp(p, 'api', { pyprojectLayout: PyprojectLayout.POETRY_LEGACY }).use(new PythonLibrary(p, 'common')));
  const legacy = parseToml(read(dir, 'apps/api/pyproject.toml')) as any;
  expect(legacy.tool.poetry.dependencies.common).toEqual({ path: '../../libs/common', develop: true });

  const root = tempDir('ws-libs-root-');
  synthesize(() => {
    const p = new PoetryAppProject({ name: 'demo', outdir: root });
    const use = p.app.use(new PythonLibrary(p, 'common'));
    expect(use.path).toBe('./libs/common');
    return p;
  });
  expect((parseToml(read(root, 'pyproject.toml')) as any).tool.poetry.dependencies.common).toEqual({ path: './libs/common', develop: true });
  // Inside the builder's /app, as in the repository: the app's own context leaves the library out (an allowlist without libs/).
  expect(read(root, 'Dockerfile')).toContain('COPY --from=lib-common src /app/libs/common/src');
  expect(read(root, '.dockerignore')).not.toContain('libs');
});
