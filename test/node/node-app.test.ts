import * as fs from 'fs';
import * as path from 'path';
import { Project, Testing } from 'projen';
import { NodePackageManager } from 'projen/lib/javascript';
import { TypeScriptProject } from 'projen/lib/typescript';
import * as ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import { Instruction, NodeApp, NodeAppKind, NodeAppProject, NodeAppProjectOptions } from '../../src';
import { only, parseDockerfile, stageNamed } from '../dockerfile-facts';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

type Options = Partial<NodeAppProjectOptions>;

function synthNode(options: Options = {}) {
  const project = new NodeAppProject({ name: 'hello-node', defaultReleaseBranch: 'main', outdir: tempDir('node-'), ...options });
  const files = Testing.synth(project);
  return { files, project, dockerfile: parseDockerfile(files.Dockerfile) };
}

describe('node-app with no options: a TypeScript service', () => {
  const { files, dockerfile } = synthNode();

  test('package.json is projen\'s, with engines from the Node version and main as the entrypoint', () => {
    const pkg = files['package.json'];
    expect(pkg.engines.node).toBe('>= 24.0.0');
    expect(pkg.main).toBe('lib/index.js');
    expect(files['.projenrc.ts']).toBeUndefined(); // written only by projen new; the project type itself is TypeScript-configured
  });

  test('npx projen runs .projenrc.ts with tsx inside one node, no npx and no ts-node; the typecheck task type-checks it', () => {
    const tasks = files['.projen/tasks.json'].tasks;
    expect(tasks.default.steps).toEqual([{ execArgs: ['node', '--require', 'projen', '--require', 'tsx/cjs', '.projenrc.ts'] }]);
    expect(tasks.default.env).toEqual({ TSX_TSCONFIG_PATH: 'projenrc/tsconfig.json' });
    expect(tasks.typecheck.steps).toEqual([{ execArgs: ['tsc', '--noEmit', '--project', 'projenrc/tsconfig.json'] }]);
    const own = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8'));
    expect(files['package.json'].devDependencies.tsx).toBe(own.devDependencies.tsx);
    expect(files['package.json'].devDependencies['ts-node']).toBeUndefined();
  });

  test('with stagecraft among its devDeps (what projen new writes), the runner loads it and projen before tsx', () => {
    const tasks = synthNode({ devDeps: ['stagecraft@^1'] }).files['.projen/tasks.json'].tasks;
    expect(tasks.default.steps).toEqual([{ execArgs: ['node', '--require', 'stagecraft', '--require', 'projen', '--require', 'tsx/cjs', '.projenrc.ts'] }]);
  });

  test('deps has production dependencies only; build compiles with all of them', () => {
    expect(dockerfile.stages.map((s) => [s.name, s.image])).toEqual([
      ['deps', 'node:24-slim'],
      ['build', 'node:24-slim'],
      ['runtime', 'node:24-slim'],
    ]);
    const deps = stageNamed(dockerfile, 'deps');
    expect(only(deps, 'RUN').text).toContain('npm ci --omit=dev');
    expect(only(deps, 'RUN').flags.mount).toBe('type=cache,target=/root/.npm');
    expect(only(deps, 'COPY').args).toEqual(['package.json', 'package-lock.json', './']);
    const build = stageNamed(dockerfile, 'build');
    // The lock file without the .projenrc toolchain and test/lint tools; then the compile task's own commands, without projen.
    expect(build.instructions.filter((i) => i.keyword === 'RUN').map((r) => r.text.replace(/^RUN (--mount=\S+ )?/, ''))).toEqual([
      'npm uninstall --package-lock-only --ignore-scripts @stylistic/eslint-plugin @typescript-eslint/eslint-plugin @typescript-eslint/parser '
        + 'constructs eslint eslint-import-resolver-typescript eslint-plugin-import jest jest-junit projen ts-jest tsx && npm ci && mkdir -p node_modules',
      'PATH=$(node -p "require(\'path\').resolve(\'node_modules/.bin\') + require(\'path\').delimiter + process.env.PATH") && export PATH && tsc --build',
    ]);
    expect(only(deps, 'ENV').properties).toEqual({ NPM_CONFIG_UPDATE_NOTIFIER: 'false', NPM_CONFIG_AUDIT: 'false', NPM_CONFIG_FUND: 'false' });
  });

  test('the runtime gets production node_modules and the build output, runs as node, starts node <entrypoint>', () => {
    const runtime = stageNamed(dockerfile, 'runtime');
    expect(only(runtime, 'USER').args).toEqual(['1000:1000']);
    expect(only(runtime, 'CMD').json).toEqual(['node', 'lib/index.js']);
    expect(only(runtime, 'ENV').properties).toEqual({ NODE_ENV: 'production', PORT: '3000' });
    expect(runtime.instructions.filter((i) => i.keyword === 'COPY').map((c) => [c.flags.from, ...c.args.filter((a) => !a.startsWith('--'))])).toEqual([
      ['build', '/app/package.json', '/app/package.json'],
      ['deps', '/app/node_modules', '/app/node_modules'],
      ['build', '/app/lib', '/app/lib'],
    ]);
    expect(only(runtime, 'EXPOSE').args).toEqual(['3000']);
    expect(only(runtime, 'HEALTHCHECK').json!.slice(0, 2)).toEqual(['node', '-e']);
    expect(only(runtime, 'HEALTHCHECK').json![3]).toBe('http://127.0.0.1:3000/healthz');
  });

  test('stubs: a small HTTP service and its test', () => {
    expect(files['src/index.ts']).toContain('export function createApp()');
    expect(files['src/index.ts']).toContain("process.on('SIGTERM'");
    expect(files['test/server.test.ts']).toContain("from '../src/index'");
  });
});

test('sampleCode is the stub switch; stubs, its deprecated name, counts only without it, as in NodeApp', () => {
  expect(synthNode({ sampleCode: false, stubs: true }).files['src/index.ts']).toBeUndefined();
  expect(synthNode({ sampleCode: true, stubs: false }).files['src/index.ts']).toContain('export function createApp()');
  expect(synthNode({ stubs: false }).files['src/index.ts']).toBeUndefined();
  const project = new TypeScriptProject({ name: 'host', defaultReleaseBranch: 'main', outdir: tempDir('node-host-') });
  new NodeApp(project, 'web', { sampleCode: false, stubs: true });
  new NodeApp(project, 'api', { stubs: true, port: 3001 });
  const files = Testing.synth(project);
  expect(files['apps/web/src/index.ts']).toBeUndefined();
  expect(files['apps/api/src/index.ts']).toContain('export function createApp()');
});

describe('node-app: one source of truth', () => {
  test('dockerfileSyntax "" leaves the syntax directive out (BuildKit\'s built-in frontend), the rest unchanged', () => {
    const { files, dockerfile } = synthNode({ dockerfileSyntax: '' });
    expect(dockerfile.directives).toEqual({ check: 'skip=CopyIgnoredFile;error=true' });
    expect(files.Dockerfile.split('\n').slice(0, 3)).toEqual(['# check=skip=CopyIgnoredFile;error=true', expect.stringContaining('~~ Generated by projen'), '#']);
    expect(dockerfile.stages.map((s) => s.image)).toEqual(['node:24-slim', 'node:24-slim', 'node:24-slim']);
  });

  test('imageRegistry prefixes the frontend image of the syntax directive as it does the base images', () => {
    const { dockerfile } = synthNode({ imageRegistry: 'mirror.example.com/hub' });
    expect(dockerfile.stages.map((s) => s.image)).toEqual(Array(3).fill('mirror.example.com/hub/node:24-slim'));
    expect(dockerfile.directives).toEqual({ syntax: 'mirror.example.com/hub/docker/dockerfile:1', check: 'skip=CopyIgnoredFile;error=true' });
  });

  test('nodeVersion drives every stage and engines', () => {
    const { files, dockerfile } = synthNode({ nodeVersion: '22' });
    expect(files['package.json'].engines.node).toBe('>= 22.0.0');
    expect(dockerfile.stages.map((s) => s.image)).toEqual(['node:22-slim', 'node:22-slim', 'node:22-slim']);
  });

  test('minNodeVersion alone picks the image', () => {
    const { dockerfile } = synthNode({ minNodeVersion: '20.11.0' });
    expect(stageNamed(dockerfile, 'runtime').image).toBe('node:20-slim');
  });

  test('the entrypoint option (package.json main) is what CMD starts, and its source is the stub', () => {
    const { files, dockerfile } = synthNode({ entrypoint: 'lib/server/main.js' });
    expect(files['package.json'].main).toBe('lib/server/main.js');
    expect(only(stageNamed(dockerfile, 'runtime'), 'CMD').json).toEqual(['node', 'lib/server/main.js']);
    expect(files['src/server/main.ts']).toContain('createApp');
    expect(files['test/server.test.ts']).toContain("from '../src/server/main'");
  });

  test('the build stage runs the compile task as it is at synthesis, steps added later included; an escape hatch\'s RUN is kept', () => {
    const project = new NodeAppProject({ name: 'hello-node', defaultReleaseBranch: 'main', outdir: tempDir('node-') });
    project.compileTask.exec('node scripts/stamp.js', { cwd: 'tools' });
    const compile = (p: NodeAppProject) => only(stageNamed(parseDockerfile(Testing.synth(p).Dockerfile), 'build'), 'RUN', (i) => !i.text.includes('npm ci')).text;
    expect(compile(project)).toBe('RUN PATH=$(node -p "require(\'path\').resolve(\'node_modules/.bin\') + require(\'path\').delimiter + process.env.PATH") && export PATH && tsc --build && ( cd tools && node scripts/stamp.js )');
    const hatched = new NodeAppProject({ name: 'hello-node', defaultReleaseBranch: 'main', outdir: tempDir('node-') });
    hatched.dockerfile.stage('build').replaceInstruction('compile', Instruction.run(['npx tsc -p tsconfig.build.json']));
    hatched.compileTask.exec('echo later');
    expect(compile(hatched)).toBe('RUN npx tsc -p tsconfig.build.json');
  });

  test('imageBuildOmits: [] installs every devDependency; a list of its own replaces the default', () => {
    const all = synthNode({ imageBuildOmits: [] });
    expect(only(stageNamed(all.dockerfile, 'build'), 'RUN', (i) => i.text.includes('npm ci')).text).toMatch(/\/root\/\.npm npm ci && mkdir -p node_modules$/);
    const some = synthNode({ imageBuildOmits: ['projen', 'jest'] });
    expect(only(stageNamed(some.dockerfile, 'build'), 'RUN', (i) => i.text.includes('npm ci')).text).toContain('npm uninstall --package-lock-only --ignore-scripts jest projen && npm ci');
  });

  test('a devDependency from a tarball is left out of the image build by default', () => {
    const tarball = path.join(tempDir('tgz-'), 'pkg');
    fs.mkdirSync(tarball);
    fs.writeFileSync(path.join(tarball, 'package.json'), JSON.stringify({ name: 'org-templates', version: '1.0.0' }));
    const { dockerfile } = synthNode({ devDeps: [tarball, 'left-pad@^1'] });
    const install = only(stageNamed(dockerfile, 'build'), 'RUN', (i) => i.text.includes('npm ci')).text;
    expect(install).toMatch(/ org-templates /);
    expect(install).not.toMatch(/left-pad/);
  });

  test('yarn and pnpm get their own frozen installs', () => {
    const yarn = synthNode({ packageManager: NodePackageManager.YARN_CLASSIC });
    expect(only(stageNamed(yarn.dockerfile, 'deps'), 'RUN').text).toContain('yarn install --frozen-lockfile --production');
    expect(only(stageNamed(yarn.dockerfile, 'deps'), 'COPY').args).toEqual(['package.json', 'yarn.lock', './']);
    const pnpm = synthNode({ packageManager: NodePackageManager.PNPM });
    expect(only(stageNamed(pnpm.dockerfile, 'deps'), 'RUN').text).toContain('corepack enable');
    expect(only(stageNamed(pnpm.dockerfile, 'deps'), 'RUN').text).toContain('pnpm install --frozen-lockfile --prod');
    // Only npm can drop packages from its lock without installing: pnpm installs every devDependency; the compile runs without projen.
    expect(stageNamed(pnpm.dockerfile, 'build').instructions.map((i) => i.text).filter((t) => t.startsWith('RUN'))).toEqual([
      'RUN --mount=type=cache,target=/root/.local/share/pnpm/store corepack enable && pnpm install --frozen-lockfile && mkdir -p node_modules',
      'RUN PATH=$(pnpm -c exec "node --print process.env.PATH") && export PATH && tsc --build',
    ]);
  });

  test('a static site: the build output on unprivileged nginx, with the SPA fallback', () => {
    const { files, dockerfile } = synthNode({ appKind: NodeAppKind.STATIC_SITE });
    expect(dockerfile.stages.map((s) => [s.name, s.image])).toEqual([
      ['build', 'node:24-slim'],
      ['runtime', 'nginxinc/nginx-unprivileged:1.28'],
    ]);
    const runtime = stageNamed(dockerfile, 'runtime');
    expect(only(runtime, 'USER').args).toEqual(['101:101']);
    expect(only(runtime, 'EXPOSE').args).toEqual(['8080']);
    expect(only(runtime, 'CMD').json).toEqual(['nginx', '-g', 'daemon off;']);
    expect(runtime.instructions.filter((i) => i.keyword === 'COPY').map((c) => c.args.filter((a) => !a.startsWith('--')))).toEqual([
      ['/app/nginx.conf', '/etc/nginx/conf.d/default.conf'],
      ['/app/dist', '/usr/share/nginx/html'],
    ]);
    expect(files['nginx.conf']).toContain('listen 8080;');
    expect(files['nginx.conf']).toContain('try_files $uri $uri/ /index.html;');
    expect(files['nginx.conf'].split('\n')[0]).toContain('~~ Generated by projen');
    expect(files['public/index.html']).toContain('<script type="module" src="/main.js">');
    expect(files['tsconfig.json'].compilerOptions.module).toBe('ES2022');
    // tsc type-checks as in every projen TypeScript project; esbuild bundles the page's module (and every package it imports) into the site.
    expect(files['.projen/tasks.json'].tasks.compile.steps.map((s: any) => s.exec ?? s.execArgs.join(' '))).toEqual([
      'tsc --build',
      'rm -rf dist && mkdir -p dist && cp -R public/. dist/ && esbuild src/main.ts --bundle --format=esm --splitting --minify --target=es2022 --outbase=src --outdir=dist --log-level=warning',
    ]);
    expect(files['src/main.ts']).toContain("from './greeting.js'");
    // esbuild at the range stagecraft itself is tested with: one source, stagecraft's package.json.
    const own = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8'));
    expect(own.devDependencies.esbuild).toMatch(/^\^0\.\d+\.\d+$/);
    expect(files['package.json'].devDependencies.esbuild).toBe(own.devDependencies.esbuild);
    // The image's build stage runs the same compile; the runtime has the site alone.
    expect(stageNamed(dockerfile, 'build').instructions.map((i) => i.text).pop()).toMatch(/&& tsc --build && rm -rf dist .*&& esbuild src\/main\.ts --bundle /);
    expect(files['.stagecraft/verify.json'].buildOnlyTools).toEqual(expect.arrayContaining(['esbuild', 'node', 'tsc']));
  });

  test('a static site with entry modules of its own and another site folder: each is bundled, the stub\'s main.ts is not', () => {
    const { files } = synthNode({ appKind: NodeAppKind.STATIC_SITE, staticSiteDir: 'site', staticSiteEntrypoints: ['src/app.ts', 'src/admin/index.tsx'], sampleCode: false });
    expect(files['.projen/tasks.json'].tasks.compile.steps[1].exec).toBe(
      'rm -rf site && mkdir -p site && cp -R public/. site/ && esbuild src/app.ts src/admin/index.tsx --bundle --format=esm --splitting --minify --target=es2022 --outbase=src --outdir=site --log-level=warning');
    expect(files['src/main.ts']).toBeUndefined();
  });

  test('a service is not bundled: no esbuild, tsc\'s output is what runs', () => {
    const { files } = synthNode({});
    expect(files['package.json'].devDependencies.esbuild).toBeUndefined();
    expect(JSON.stringify(files['.projen/tasks.json'].tasks.compile)).not.toContain('esbuild');
  });

  test('a static site: .projenrc.ts and the tests compile to CommonJS, which Node runs; the site to ES modules, which the browser loads', () => {
    const dir = tempDir('node-site-');
    synthesize(() => new NodeAppProject({ name: 'hello-site', defaultReleaseBranch: 'main', outdir: dir, appKind: NodeAppKind.STATIC_SITE }));
    fs.writeFileSync(path.join(dir, '.projenrc.ts'), "import { NodeAppProject } from 'stagecraft';\nconsole.log(NodeAppProject);\n");
    // What TypeScript (the project's: stagecraft's version) makes of a module under each generated
    // tsconfig: tsx and tsc read projenrc/tsconfig.json for .projenrc.ts, ts-jest the tests with test/tsconfig.json.
    const compile = (config: string) => {
      const parsed = ts.getParsedCommandLineOfConfigFile(path.join(dir, config), {}, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
      })!;
      const diagnostics = [...parsed.errors, ...ts.createProgram({ rootNames: [], options: parsed.options }).getOptionsDiagnostics()];
      return {
        errors: diagnostics.map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`),
        output: ts.transpileModule("import { greeting } from './greeting.js';\nconsole.log(greeting);\n", { compilerOptions: parsed.options }).outputText,
      };
    };
    for (const config of ['projenrc/tsconfig.json', 'test/tsconfig.json']) {
      const { errors, output } = compile(config);
      expect({ config, errors }).toEqual({ config, errors: [] });
      expect(output).toContain('require("./greeting.js")');
      expect(output).not.toMatch(/^import /m);
    }
    const site = compile('tsconfig.json');
    expect(site.errors).toEqual([]);
    expect(site.output).toMatch(/^import \{ greeting \} from '\.\/greeting\.js';$/m);
  });

  test('NodeApp attaches to an existing TypeScript project and reads its settings', () => {
    const project = new TypeScriptProject({ name: 'existing', defaultReleaseBranch: 'main', outdir: tempDir('ts-'), minNodeVersion: '22.0.0', packageManager: NodePackageManager.NPM, entrypoint: 'lib/cli.js' });
    const app = new NodeApp(project, 'app', { folder: '.' });
    expect(app.nodeVersion).toBe('22');
    expect(app.entrypoint).toBe('lib/cli.js');
    const files = Testing.synth(project);
    expect(parseDockerfile(files.Dockerfile).stages.map((s) => s.image)).toEqual(['node:22-slim', 'node:22-slim', 'node:22-slim']);
  });
});

describe('NodeApp in other projects', () => {
  test('NodeApp needs a Node project', () => {
    expect(() => new NodeApp(new Project({ name: 'plain', outdir: tempDir('plain-') }), 'app', { folder: '.' })).toThrow(/NodeApp: invalid project "Project"\. Expected a projen NodeProject or TypeScriptProject/);
  });
});

test('an existing code base brings its own tsconfig and no eslint: the test task runs jest alone, the compile uses its settings', () => {
  const files = Testing.synth(new NodeAppProject({
    name: 'legacy',
    defaultReleaseBranch: 'main',
    outdir: tempDir('node-own-'),
    sampleCode: false,
    eslint: false,
    tsconfig: { compilerOptions: { strict: false, noUnusedLocals: false, noImplicitAny: false } },
  }));
  expect(files['tsconfig.json'].compilerOptions).toMatchObject({ strict: false, noUnusedLocals: false, noImplicitAny: false });
  const steps = JSON.stringify(files['.projen/tasks.json'].tasks.test.steps);
  expect(steps).toContain('jest');
  expect(steps).not.toContain('eslint');
  expect(files['.projen/tasks.json'].tasks.eslint).toBeUndefined();
  expect(files['src/index.ts']).toBeUndefined();
});

describe('node-app: the drift workflow, as every project type has it', () => {
  test('.github/workflows/drift.yml sets up Node and the project\'s packages as projen\'s build does, then type-checks .projenrc.ts and runs the drift check', () => {
    const { files } = synthNode();
    const workflow = files['.github/workflows/drift.yml'];
    expect(workflow).toContain('~~ Generated by projen');
    const job = parseYaml(workflow).jobs.drift;
    const runs = job.steps.filter((s: any) => s.run).map((s: any) => s.run);
    expect(runs).toEqual(['npm ci', 'npx projen typecheck', 'npx projen drift']);
    expect(job.steps.find((s: any) => String(s.uses).startsWith('actions/setup-node')).with['node-version']).toBe('24.0.0');
  });

  test('with pnpm, pnpm installs; driftWorkflow: false, or github: false, writes none', () => {
    const pnpm = synthNode({ packageManager: NodePackageManager.PNPM }).files['.github/workflows/drift.yml'];
    expect(pnpm).toContain('pnpm i --frozen-lockfile');
    expect(pnpm).toContain('pnpm/action-setup');
    expect(synthNode({ driftWorkflow: false }).files['.github/workflows/drift.yml']).toBeUndefined();
    expect(synthNode({ github: false }).files['.github/workflows/drift.yml']).toBeUndefined();
  });
});
