import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'projen';
import { DependencyType } from 'projen/lib/dependencies';
import { Project } from 'projen/lib/project';
import { TypeScriptProject } from 'projen/lib/typescript';
import { parse as parseToml } from 'smol-toml';
import { AppComponent, GoApp, NodeApp, NodeAppKind, PoetryApp, Policies, Policy } from '../../src';
import { only, parseDockerfile, stageNamed } from '../dockerfile-facts';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

/** A plain projen project with a Poetry service "api" and a Go command-line app "worker", each in its folder. */
function shop() {
  const project = new Project({ name: 'shop', outdir: tempDir('folders-') });
  const api = new PoetryApp(project, 'api', { port: 8000, deps: ['requests@^2.32'] });
  const worker = new GoApp(project, 'worker', { deps: ['golang.org/x/text@v0.22.0'] });
  api.addDependency('attrs@^25.1');
  return { project, api, worker };
}

describe('a plain project with a Poetry app "api" and a Go app "worker"', () => {
  const { project, api, worker } = shop();
  const files = Testing.synth(project);
  const tasks = files['.projen/tasks.json'].tasks;

  test('each app is a component of the project, with its id, folder and Dockerfile path', () => {
    expect(AppComponent.all(project).map((a) => [a.appId, a.folder, a.dockerfilePath])).toEqual([
      ['api', 'apps/api', 'apps/api/Dockerfile'],
      ['worker', 'apps/worker', 'apps/worker/Dockerfile'],
    ]);
    expect(api.name).toBe('api');
    expect(api.image.folder).toBe('apps/api');
    expect(api.image.dockerfile.path).toBe(api.dockerfilePath);
  });

  test('each app\'s manifest, stubs, Dockerfile and .dockerignore are in its folder, and none at the root', () => {
    for (const file of ['pyproject.toml', 'Dockerfile', '.dockerignore', 'README.md', 'src/api/__init__.py', 'src/api/app.py', 'tests/test_app.py', '.stagecraft/verify.json']) {
      expect(files).toHaveProperty([`apps/api/${file}`]);
    }
    for (const file of ['go.mod', 'Dockerfile', '.dockerignore', 'README.md', 'cmd/worker/main.go', 'cmd/worker/main_test.go', '.stagecraft/verify.json']) {
      expect(files).toHaveProperty([`apps/worker/${file}`]);
    }
    for (const file of ['Dockerfile', '.dockerignore', 'pyproject.toml', 'go.mod', 'README.md', 'docker-compose.yml']) {
      expect(files).not.toHaveProperty([file]);
    }
  });

  test('a folder app\'s dependencies are its own, not the project\'s', () => {
    const pyproject: any = parseToml(files['apps/api/pyproject.toml']);
    expect(pyproject.project.name).toBe('api');
    expect(pyproject.project.dependencies).toEqual(['attrs (>=25.1,<26.0.0)', 'requests (>=2.32,<3.0.0)']);
    expect(pyproject.tool.poetry.group.dev.dependencies).toEqual({ pytest: '^8.3' });
    expect(files['apps/worker/go.mod']).toContain('require (\n\tgolang.org/x/text v0.22.0\n)');
    expect(files['apps/worker/go.mod']).not.toContain('requests');
    expect(project.deps.all.filter((d) => d.type === DependencyType.RUNTIME || d.type === DependencyType.TEST)).toEqual([]);
  });

  test('tasks are named after the app and run in its folder; the project\'s test task runs each app\'s', () => {
    for (const [id, names] of [['api', ['docker:build', 'docker:run', 'verify', 'install', 'lock', 'lock:check', 'test', 'package']], ['worker', ['docker:build', 'docker:run', 'verify', 'install', 'sum:check', 'compile', 'test']]] as const) {
      for (const name of names) {
        expect(tasks[`${id}:${name}`]?.cwd).toBe(`apps/${id}`);
      }
    }
    expect(tasks['docker:build']).toBeUndefined();
    expect(tasks.test.steps).toEqual([{ spawn: 'api:test' }, { spawn: 'worker:test' }]);
    expect(tasks['api:test'].steps).toEqual([{ exec: 'poetry run pytest' }]);
    expect(tasks['api:docker:build'].steps[0]).toEqual({ spawn: 'api:lock:check' });
    expect(tasks['api:lock:check'].steps[0].exec).toContain("run 'npx projen api:lock'");
    expect(tasks['worker:sum:check'].steps[0].exec).toContain("run 'npx projen worker:install'");
    expect(tasks['api:verify'].steps.map((s: any) => s.spawn ?? s.exec)).toEqual(['node .stagecraft/verify.js engine', 'api:docker:build', 'node .stagecraft/verify.js check .stagecraft/verify.json']);
  });

  test('each image builds from its folder: the context, the Dockerfile in it, an image named after the project and the app', () => {
    expect(api.imageName).toBe('shop-api');
    expect(worker.imageReference).toBe('shop-worker:0.1.0');
    expect(tasks['api:docker:build'].steps[1].exec).toMatch(/ --file Dockerfile --tag shop-api:0\.1\.0 \.$/);
    expect(tasks['worker:docker:build'].steps.map((s: any) => s.exec ?? '').join('\n')).toMatch(/ --file Dockerfile --tag shop-worker:0\.1\.0 \.$/m);
    // The context is the folder: the allowlist names paths inside it.
    expect(files['apps/api/.dockerignore']).toContain('!pyproject.toml\n!poetry.lock\n!README.md\n!src/\n');
    const df = parseDockerfile(files['apps/api/Dockerfile']);
    expect(only(stageNamed(df, 'builder'), 'COPY', (i) => i.args.includes('pyproject.toml')).args).toEqual(['pyproject.toml', 'poetry.lock*', './']);
    expect(only(stageNamed(df, 'runtime'), 'CMD').json).toEqual(['api']);
    expect(only(stageNamed(df, 'runtime'), 'EXPOSE').args).toEqual(['8000']);
    expect(only(stageNamed(parseDockerfile(files['apps/worker/Dockerfile']), 'runtime'), 'ENTRYPOINT').json).toEqual(['/app/worker']);
  });

  test('git ignores each app\'s own outputs in its folder', () => {
    expect(files['.gitignore']).toContain('/apps/api/.venv/');
    expect(files['.gitignore']).toContain('/apps/worker/bin/');
    expect(files['.gitignore']).toContain('__pycache__/');
  });

  test('stubs are recorded under the app\'s id', () => {
    expect(files['.projen/stubs.json'].stubs).toMatchObject({ 'api:python:app': 'apps/api/src/api/app.py', 'worker:go:main': 'apps/worker/cmd/worker/main.go', 'api:readme': 'apps/api/README.md' });
  });
});

test('a folder of the user\'s choice: the files, context and tasks follow it', () => {
  const project = new Project({ name: 'mono', outdir: tempDir('folders-') });
  const probe = new GoApp(project, 'probe', { folder: 'services/probe', port: 9000 });
  const files = Testing.synth(project);
  expect(probe.folder).toBe('services/probe');
  expect(files).toHaveProperty(['services/probe/go.mod']);
  // The health probe's source is in the context: the app's folder.
  expect(files).toHaveProperty(['services/probe/.stagecraft/healthprobe/main.go']);
  expect(files['services/probe/.dockerignore']).toContain('!.stagecraft/healthprobe/main.go');
  expect(files['.projen/tasks.json'].tasks['probe:docker:build'].cwd).toBe('services/probe');
});

test('a PoetryApp in a folder may live in a Node project: its dependencies are its own', () => {
  const project = new TypeScriptProject({ name: 'web', defaultReleaseBranch: 'main', outdir: tempDir('folders-') });
  const api = new PoetryApp(project, 'api', { deps: ['requests@^2.32'] });
  const files = Testing.synth(project);
  expect(api.folder).toBe('apps/api');
  expect(files['package.json'].dependencies ?? {}).not.toHaveProperty('requests');
  expect((parseToml(files['apps/api/pyproject.toml']) as any).project.dependencies).toEqual(['requests (>=2.32,<3.0.0)']);
});

describe('a NodeApp in a folder: a TypeScript subproject of its own, the component the parent\'s', () => {
  const project = new Project({ name: 'shop', outdir: tempDir('folders-') });
  const api = new PoetryApp(project, 'api', { port: 8000 });
  const web = new NodeApp(project, 'web', { nodeVersion: '22' });
  const files = Testing.synth(project);
  const tasks = files['.projen/tasks.json'].tasks;

  test('every app is the parent\'s component, with its folder relative to the parent', () => {
    expect(AppComponent.all(project).map((a) => [a.appId, a.folder, a.port, a.imageName])).toEqual([
      ['api', 'apps/api', 8000, 'shop-api'],
      ['web', 'apps/web', 3000, 'shop-web'],
    ]);
    expect(web.dockerfilePath).toBe('apps/web/Dockerfile');
    expect(web.image.dockerfile.path).toBe('Dockerfile'); // in the subproject at apps/web
    expect(web.image.project.outdir).toBe(`${project.outdir}/apps/web`);
  });

  test('the app\'s package.json, lock file settings, tsconfig, stubs and image are in its folder', () => {
    expect(files['apps/web/package.json'].name).toBe('web');
    expect(files['apps/web/package.json'].engines).toEqual({ node: '>= 22.0.0' });
    // projen runs the app's own tasks there (the parent's web:* tasks); the license is the user's to state.
    expect(files['apps/web/package.json'].devDependencies).toHaveProperty('projen');
    expect(files['apps/web/package.json'].license).toBe('UNLICENSED');
    expect(web.appProject.outdir).toBe(`${project.outdir}/apps/web`);
    for (const file of ['tsconfig.json', 'Dockerfile', '.dockerignore', 'src/index.ts', 'test/server.test.ts', '.projen/tasks.json']) {
      expect(files).toHaveProperty([`apps/web/${file}`]);
    }
    // The parent stays a plain project: no package.json, release or projenrc of the app's.
    expect(files).not.toHaveProperty(['package.json']);
    expect(files).not.toHaveProperty(['apps/web/.projenrc.ts']);
    expect(files).not.toHaveProperty(['apps/web/.projenrc.json']);
    expect(files).not.toHaveProperty(['apps/web/.github/workflows/release.yml']);
    const df = parseDockerfile(files['apps/web/Dockerfile']);
    expect(df.stages.map((s) => s.image)).toEqual(['node:22-slim', 'node:22-slim', 'node:22-slim']);
    expect(only(stageNamed(df, 'runtime'), 'CMD').json).toEqual(['node', 'lib/index.js']);
  });

  test('the subproject\'s tasks are its own; the parent runs them under the app\'s id, in its folder', () => {
    const own = files['apps/web/.projen/tasks.json'].tasks;
    expect(own['docker:build'].steps.map((s: any) => s.exec).join('\n')).toMatch(/--file Dockerfile --tag shop-web:0\.0\.0 \.$/);
    expect(own['docker:build'].cwd).toBeUndefined();
    for (const name of ['compile', 'test', 'docker:build', 'docker:run', 'verify']) {
      expect(tasks[`web:${name}`]).toMatchObject({ cwd: 'apps/web', steps: [{ exec: `npx projen ${name}` }] });
    }
    expect(tasks['web:install']).toMatchObject({ cwd: 'apps/web', steps: [{ exec: 'npm install' }] });
    expect(tasks.test.steps).toEqual([{ spawn: 'api:test' }, { spawn: 'web:test' }]);
    expect(api.taskName('docker:build')).toBe('api:docker:build');
  });
});

test('a static site in a folder builds for the browser and assembles its site in compile', () => {
  const project = new Project({ name: 'shop', outdir: tempDir('folders-') });
  new NodeApp(project, 'site', { appKind: NodeAppKind.STATIC_SITE });
  const files = Testing.synth(project);
  expect(files['apps/site/tsconfig.json'].compilerOptions.lib).toEqual(['ES2022', 'DOM']);
  expect(files['apps/site/.projen/tasks.json'].tasks.compile.steps.map((s: any) => s.exec).join('\n')).toContain('cp -R public/. dist/');
  expect(files).toHaveProperty(['apps/site/nginx.conf']);
  expect(files).toHaveProperty(['apps/site/public/index.html']);
});

test('a NodeApp in a folder of a Node project leaves the project\'s package.json alone', () => {
  const project = new TypeScriptProject({ name: 'root', defaultReleaseBranch: 'main', outdir: tempDir('folders-') });
  const web = new NodeApp(project, 'web', { port: 3001 });
  const files = Testing.synth(project);
  expect(AppComponent.all(project)).toEqual([web]);
  expect(files['package.json'].name).toBe('root');
  expect(files['apps/web/package.json'].name).toBe('web');
  expect(files).not.toHaveProperty(['Dockerfile']);
});

test('org policies judge every app of the project, each named with its file in its folder', () => {
  const project = new Project({ name: 'shop', outdir: tempDir('folders-') });
  new PoetryApp(project, 'api', { port: 8000 });
  new GoApp(project, 'worker', { dockerfileSyntax: '' });
  Policies.of(project).addPolicy(Policy.pinnedDigests());
  const lines = Policies.of(project).check().map((f) => f.line);
  expect(lines).toContain('policy "pinned-digests" (error), app "api", apps/api/Dockerfile: base image "python:3.13-slim" is not pinned by digest [value: "python:3.13-slim"]');
  expect(lines).toContain('policy "pinned-digests" (error), app "worker", apps/worker/Dockerfile: base image "golang:1.27" is not pinned by digest [value: "golang:1.27"]');
  expect(() => Testing.synth(project)).toThrow(/policy violations; nothing was written/);
});

test('re-synthesis: an app removed takes its generated files with it, its stubs stay; an app added appears', () => {
  const dir = tempDir('folders-');
  const make = (ids: string[]) => synthesize(() => {
    const project = new Project({ name: 'shop', outdir: dir });
    if (ids.includes('api')) new PoetryApp(project, 'api');
    if (ids.includes('worker')) new GoApp(project, 'worker');
    return project;
  });
  make(['api', 'worker']);
  expect(fs.existsSync(path.join(dir, 'apps/worker/go.mod'))).toBe(true);
  make(['api']);
  for (const generated of ['go.mod', 'Dockerfile', '.dockerignore', '.stagecraft/verify.json']) {
    expect(fs.existsSync(path.join(dir, 'apps/worker', generated))).toBe(false);
  }
  // Stubs are the user's: they stay.
  expect(fs.existsSync(path.join(dir, 'apps/worker/cmd/worker/main.go'))).toBe(true);
  expect(fs.existsSync(path.join(dir, 'apps/api/pyproject.toml'))).toBe(true);
  expect(JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf-8')).tasks['worker:docker:build']).toBeUndefined();
  make(['api', 'worker']);
  expect(fs.existsSync(path.join(dir, 'apps/worker/go.mod'))).toBe(true);
});
