import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'projen';
import { DependencyType } from 'projen/lib/dependencies';
import { Project } from 'projen/lib/project';
import { TypeScriptProject } from 'projen/lib/typescript';
import { parse as parseToml } from 'smol-toml';
import { AppComponent, GoApp, JavaApp, NodeApp, NodeAppKind, PipApp, PoetryApp, Policies, Policy, RustApp } from '../../src';
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

describe('a plain project with a pip app "jobs" and a Rust service "edge"', () => {
  const project = new Project({ name: 'shop', outdir: tempDir('folders-') });
  const jobs = new PipApp(project, 'jobs', { deps: ['requests@>=2.32,<3'] });
  const edge = new RustApp(project, 'edge', { port: 8080, crateRegistry: 'https://crates.example.com/index/' });
  jobs.addTestDependency('hypothesis@>=6.100');
  const files = Testing.synth(project);
  const tasks = files['.projen/tasks.json'].tasks;

  test('each app\'s manifest, stubs, Dockerfile, .dockerignore, crate registry config and lock stub are in its folder, none at the root', () => {
    expect(AppComponent.all(project).map((a) => [a.appId, a.folder, a.dockerfilePath, a.imageReference])).toEqual([
      ['jobs', 'apps/jobs', 'apps/jobs/Dockerfile', 'shop-jobs:0.1.0'],
      ['edge', 'apps/edge', 'apps/edge/Dockerfile', 'shop-edge:0.1.0'],
    ]);
    for (const file of ['pyproject.toml', 'Dockerfile', '.dockerignore', 'README.md', 'src/jobs/__init__.py', 'src/jobs/app.py', 'tests/test_app.py', '.stagecraft/verify.json']) {
      expect(files).toHaveProperty([`apps/jobs/${file}`]);
    }
    for (const file of ['Cargo.toml', 'Cargo.lock', '.cargo/config.toml', 'src/main.rs', 'README.md', 'Dockerfile', '.dockerignore', '.stagecraft/healthprobe.rs', '.stagecraft/verify.json']) {
      expect(files).toHaveProperty([`apps/edge/${file}`]);
    }
    for (const file of ['Dockerfile', '.dockerignore', 'pyproject.toml', 'Cargo.toml', 'Cargo.lock', '.cargo/config.toml', 'src/main.rs', 'README.md']) {
      expect(files).not.toHaveProperty([file]);
    }
    expect(files['apps/edge/.cargo/config.toml']).toContain('registry = "sparse+https://crates.example.com/index/"');
  });

  test('a folder app\'s names and dependencies are its own, not the project\'s', () => {
    const pyproject: any = parseToml(files['apps/jobs/pyproject.toml']);
    expect(pyproject.project.name).toBe('jobs');
    expect(pyproject.project.dependencies).toEqual(['requests (>=2.32,<3)']);
    expect(pyproject['dependency-groups'].dev).toEqual(['hypothesis (>=6.100)', 'pytest (>=8.3,<9)']);
    expect((parseToml(files['apps/edge/Cargo.toml']) as any).package.name).toBe('edge');
    expect(edge.binaryName).toBe('edge');
    expect(project.deps.all).toEqual([]);
  });

  test('tasks are named after the app and run in its folder; the project\'s test and compile run each app\'s', () => {
    for (const [id, names] of [['jobs', ['docker:build', 'docker:run', 'verify', 'install', 'lock', 'lock:check', 'test']], ['edge', ['docker:build', 'docker:run', 'verify', 'install', 'lock', 'compile', 'test']]] as const) {
      for (const name of names) {
        expect(tasks[`${id}:${name}`]?.cwd).toBe(`apps/${id}`);
      }
    }
    for (const name of ['lock', 'install', 'lock:check', 'docker:build']) {
      expect(tasks[name]).toBeUndefined();
    }
    expect(tasks.test.steps).toEqual([{ spawn: 'jobs:test' }, { spawn: 'edge:test' }]);
    expect(tasks.compile.steps).toEqual([{ spawn: 'edge:compile' }]);
    expect(tasks['jobs:test'].steps).toEqual([{ exec: '.venv/bin/python -m pytest' }]);
    expect(tasks['edge:test'].steps).toEqual([{ exec: 'cargo test --locked' }]);
    expect(tasks['jobs:docker:build'].steps[0]).toEqual({ spawn: 'jobs:lock:check' });
    expect(tasks['jobs:lock:check'].steps[0].exec).toContain("run 'npx projen jobs:lock'");
    // The lock's own messages and header name the task the user runs.
    expect(tasks['jobs:lock'].steps[0].exec).toContain('# Generated by npx projen jobs:lock');
    expect(tasks['jobs:lock'].steps[0].exec).not.toContain('npx projen lock');
    expect(jobs.lockTask.name).toBe('jobs:lock');
  });

  test('each image builds from its folder: the context names paths inside it', () => {
    expect(tasks['jobs:docker:build'].steps[1].exec).toMatch(/ --file Dockerfile --tag shop-jobs:0\.1\.0 \.$/);
    expect(tasks['edge:docker:build'].steps[0].exec).toMatch(/ --file Dockerfile --tag shop-edge:0\.1\.0 \.$/);
    expect(files['apps/jobs/.dockerignore']).toContain('*\n!pyproject.toml\n!requirements.txt\n!requirements-build.txt\n!README.md\n!src/\n');
    expect(files['apps/edge/.dockerignore']).toContain('*\n!Cargo.toml\n!Cargo.lock\n!src/\n!.cargo/config.toml\n!.stagecraft/healthprobe.rs\n');
    const jobsBuilder = stageNamed(parseDockerfile(files['apps/jobs/Dockerfile']), 'builder');
    expect(jobsBuilder.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.text).join('\n')).toContain("run 'npx projen jobs:lock'");
    expect(only(stageNamed(parseDockerfile(files['apps/jobs/Dockerfile']), 'runtime'), 'CMD').json).toEqual(['jobs']);
    const edgeDf = parseDockerfile(files['apps/edge/Dockerfile']);
    expect(only(stageNamed(edgeDf, 'builder'), 'COPY', (i) => i.args.includes('.cargo/config.toml')).args).toEqual(['.cargo/config.toml', './.cargo/']);
    expect(only(stageNamed(edgeDf, 'builder'), 'RUN', (i) => i.text.includes('Cargo.lock is missing')).text).toContain("run 'npx projen edge:lock'");
    expect(only(stageNamed(edgeDf, 'runtime'), 'ENTRYPOINT').json).toEqual(['/app/edge']);
    expect(only(stageNamed(edgeDf, 'runtime'), 'EXPOSE').args).toEqual(['8080']);
  });

  test('git ignores each app\'s outputs in its folder; stubs are recorded under the app\'s id', () => {
    for (const pattern of ['/apps/jobs/.venv/', '/apps/jobs/build/', '/apps/jobs/dist/', '/apps/edge/target/']) {
      expect(files['.gitignore'].split('\n')).toContain(pattern);
    }
    expect(files['.gitignore'].split('\n')).not.toContain('/target/');
    expect(files['.projen/stubs.json'].stubs).toMatchObject({
      'jobs:python:app': 'apps/jobs/src/jobs/app.py',
      'jobs:readme': 'apps/jobs/README.md',
      'edge:rust:main': 'apps/edge/src/main.rs',
      'edge:rust:lock': 'apps/edge/Cargo.lock',
      'edge:readme': 'apps/edge/README.md',
    });
  });

  test('an ecosystem\'s own error names the app by type and id', () => {
    const other = new Project({ name: 'shop', outdir: tempDir('folders-') });
    expect(() => new RustApp(other, 'edge', { rustVersion: '1.84' })).toThrow(/^RustApp "edge": invalid rustVersion "1\.84"\./);
    expect(() => new PipApp(other, 'jobs', { setuptoolsVersion: '^78' })).toThrow(/^PipApp "jobs": invalid setuptoolsVersion "\^78"\./);
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

  test('its version is package.json\'s, 0.1.0 as every app\'s unless set, and the image\'s tag and label read it', () => {
    expect(files['apps/web/package.json'].version).toBe('0.1.0');
    expect(web.version).toBe('0.1.0');
    expect(web.imageReference).toBe('shop-web:0.1.0');
    expect(only(stageNamed(parseDockerfile(files['apps/web/Dockerfile']), 'runtime'), 'LABEL').properties).toMatchObject({ 'org.opencontainers.image.version': '0.1.0' });
  });

  test('the subproject\'s tasks are its own; the parent runs them under the app\'s id, in its folder', () => {
    const own = files['apps/web/.projen/tasks.json'].tasks;
    expect(own['docker:build'].steps.map((s: any) => s.exec).join('\n')).toMatch(/--file Dockerfile --tag shop-web:0\.1\.0 \.$/);
    expect(own['docker:build'].cwd).toBeUndefined();
    for (const name of ['compile', 'test', 'docker:build', 'docker:run', 'verify']) {
      expect(tasks[`web:${name}`]).toMatchObject({ cwd: 'apps/web', steps: [{ exec: `npx projen ${name}` }] });
    }
    expect(tasks['web:install']).toMatchObject({ cwd: 'apps/web', steps: [{ exec: 'npm install' }] });
    expect(tasks.test.steps).toEqual([{ spawn: 'api:test' }, { spawn: 'web:test' }]);
    expect(api.taskName('docker:build')).toBe('api:docker:build');
  });
});

test('addDependency is every component\'s: each spec lands in its own app\'s manifest, a malformed one is refused naming it', () => {
  const project = new Project({ name: 'deps', outdir: tempDir('folders-') });
  const apps: Array<[(p: Project) => AppComponent, string, string]> = [
    [(p) => new PoetryApp(p, 'py'), 'attrs@^25.1', 'attrs@^^25'],
    [(p) => new PipApp(p, 'jobs'), 'idna@3.10', 'idna@bad range'],
    [(p) => new GoApp(p, 'go'), 'golang.org/x/text@v0.22.0', 'golang.org/x/text@0.22'],
    [(p) => new RustApp(p, 'rs'), 'cfg-if@1.0', 'cfg if@1.0'],
    [(p) => new JavaApp(p, 'java'), 'org.slf4j:slf4j-api@2.0.9', 'org.slf4j:slf4j-api@LATEST'],
    [(p) => new NodeApp(p, 'web', { nodeVersion: '22' }), 'express@^4.21.0', ''],
  ];
  for (const [make, good, bad] of apps) {
    make(project).addDependency(good);
    if (bad) {
      // In a project of its own: .projenrc.ts stops at the refusal.
      const app = make(new Project({ name: 'refused', outdir: tempDir('folders-') }));
      expect(() => app.addDependency(bad)).toThrow(new RegExp(`^${app.appType} "${app.appId}": .*${bad.split('@')[0].replace(/[.]/g, '\\.')}`));
    }
  }
  const files = Testing.synth(project);
  expect((parseToml(files['apps/py/pyproject.toml']) as any).project.dependencies).toEqual(['attrs (>=25.1,<26.0.0)']);
  expect((parseToml(files['apps/jobs/pyproject.toml']) as any).project.dependencies).toEqual(['idna (==3.10)']);
  expect(files['apps/go/go.mod']).toContain('golang.org/x/text v0.22.0');
  expect((parseToml(files['apps/rs/Cargo.toml']) as any).dependencies).toEqual({ 'cfg-if': '1.0' });
  expect(files['apps/java/pom.xml']).toContain('<artifactId>slf4j-api</artifactId>');
  expect(files['apps/web/package.json'].dependencies).toEqual({ express: '^4.21.0' });
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

test('a NodeApp in a folder takes the metadata every app takes: package.json has it, the labels and the tag read it', () => {
  const project = new Project({ name: 'shop', outdir: tempDir('folders-') });
  const web = new NodeApp(project, 'web', { version: '1.4.0-rc.1', description: 'The shop\'s web tier', license: 'MIT OR Apache-2.0', repositoryUrl: 'https://example.com/shop.git' });
  const files = Testing.synth(project);
  expect(files['apps/web/package.json']).toMatchObject({
    version: '1.4.0-rc.1',
    description: 'The shop\'s web tier',
    license: 'MIT OR Apache-2.0',
    repository: { type: 'git', url: 'https://example.com/shop.git' },
  });
  expect(files).not.toHaveProperty(['apps/web/LICENSE']);
  expect(web.imageReference).toBe('shop-web:1.4.0-rc.1');
  expect(only(stageNamed(parseDockerfile(files['apps/web/Dockerfile']), 'runtime'), 'LABEL').properties).toMatchObject({
    'org.opencontainers.image.version': '1.4.0-rc.1',
    'org.opencontainers.image.description': 'The shop\'s web tier',
    'org.opencontainers.image.licenses': 'MIT OR Apache-2.0',
    'org.opencontainers.image.source': 'https://example.com/shop.git',
  });
  // Checked as every app's, naming the option; at a project's root the project's package.json has them.
  const other = () => new Project({ name: 'other', outdir: tempDir('folders-') });
  expect(() => new NodeApp(other(), 'web', { version: '1.4' })).toThrow(/^NodeApp "web": invalid version "1\.4"\. Expected a semantic version/);
  expect(() => new NodeApp(other(), 'web', { license: 'MIT/Apache' })).toThrow(/^NodeApp "web": invalid license "MIT\/Apache"\./);
  expect(() => new NodeApp(other(), 'web', { repositoryUrl: 'https://u:p@example.com/x.git' })).toThrow(/^NodeApp "web": invalid repositoryUrl/);
  const root = new TypeScriptProject({ name: 'root', defaultReleaseBranch: 'main', outdir: tempDir('folders-') });
  expect(() => new NodeApp(root, 'app', { folder: '.', version: '1.0.0' })).toThrow(/^NodeApp: invalid version "1\.0\.0"\. The app at the project's root is the project's own package/);
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
