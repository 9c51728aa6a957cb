import * as fs from 'fs';
import * as path from 'path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { only, parseDockerfile, stageNamed } from '../dockerfile-facts';
import { npxProjen, projenNew, run, userEnv } from '../package-util';
import { snapshotDir } from './poetry-util';
import { tempDir } from '../temp';

jest.setTimeout(10 * 60 * 1000);

/** `npx projen new --from <packed stagecraft> poetry-app`, then life with `npx projen`, on Node alone (no Poetry). */
describe('projen new --from the packed package', () => {
  const dir = path.join(tempDir('new-'), 'hello-docker');
  let created: ReturnType<typeof projenNew>;

  beforeAll(() => {
    created = projenNew(dir, 'poetry-app', ['--script-name', 'hello', '--requires-python', '>=3.11']);
  });

  test('creates a working project and says in one line that Poetry was skipped', () => {
    expect(created.status).toBe(0);
    const skipped = created.output.split('\n').filter((l) => l.includes('Poetry not found'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toContain('skipped "poetry lock" and "poetry install"');
    expect(created.output).not.toMatch(/^\s+at /m); // no stack trace
    for (const file of ['.projenrc.ts', 'package.json', 'pyproject.toml', 'Dockerfile', '.dockerignore', 'src/hello_docker/app.py', 'tests/test_app.py', 'README.md']) {
      expect(fs.existsSync(path.join(dir, file))).toBe(true);
    }
    // The runner `projen new` writes: tsx in the project's node_modules, no npx around it.
    expect(JSON.parse(fs.readFileSync(path.join(dir, '.projen', 'tasks.json'), 'utf-8')).tasks.default.steps).toEqual([
      { execArgs: ['node', '--require', 'stagecraft', '--require', 'tsx/cjs', '.projenrc.ts'] },
    ]);
    expect(fs.existsSync(path.join(dir, 'node_modules', 'tsx', 'package.json'))).toBe(true);
  });

  test('.projenrc.ts names pythonVersion explicitly, with the flags given', () => {
    const rc = fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf-8');
    expect(rc).toContain('import { PoetryAppProject } from "stagecraft"');
    expect(rc).toMatch(/pythonVersion: "3\.13"/);
    expect(rc).toMatch(/name: "hello-docker"/);
    expect(rc).toMatch(/scriptName: "hello"/);
    expect(rc).toMatch(/requiresPython: ">=3\.11"/);
  });

  test('the manifest and the Dockerfile agree', () => {
    const pyproject: any = parseToml(fs.readFileSync(path.join(dir, 'pyproject.toml'), 'utf-8'));
    expect(pyproject.project['requires-python']).toBe('>=3.11');
    expect(pyproject.project.scripts).toEqual({ hello: 'hello_docker.app:main' });
    const df = parseDockerfile(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8'));
    expect(df.stages.map((s) => s.image)).toEqual(['python:3.13-slim', 'python:3.13-slim']);
    expect(only(stageNamed(df, 'runtime'), 'CMD').json).toEqual(['hello']);
  });

  test('`npx projen` re-synthesizes after an edit to .projenrc.ts, with Node alone', () => {
    const stub = path.join(dir, 'src/hello_docker/app.py');
    fs.writeFileSync(stub, 'def main() -> None:\n    print("Hello from a Python multi-stage Docker build!")\n');
    const rcFile = path.join(dir, '.projenrc.ts');
    fs.writeFileSync(rcFile, fs.readFileSync(rcFile, 'utf-8').replace('pythonVersion: "3.13"', 'pythonVersion: "3.12",\n  port: 8000'));
    const r = npxProjen(dir);
    expect(r.output).not.toMatch(/^\s+at /m);
    expect(r.status).toBe(0);
    const df = parseDockerfile(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8'));
    expect(df.stages.map((s) => s.image)).toEqual(['python:3.12-slim', 'python:3.12-slim']);
    expect(only(stageNamed(df, 'runtime'), 'EXPOSE').args).toEqual(['8000']);
    expect(fs.readFileSync(stub, 'utf-8')).toContain('multi-stage Docker build');
    expect(fs.existsSync(path.join(dir, 'docker-compose.yml'))).toBe(true);
  });

  test('bad input in .projenrc.ts fails `npx projen` naming the option and changes nothing', () => {
    const rcFile = path.join(dir, '.projenrc.ts');
    const before = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8');
    fs.writeFileSync(rcFile, fs.readFileSync(rcFile, 'utf-8').replace('port: 8000', 'port: 70000'));
    const r = npxProjen(dir);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('invalid port 70000. Expected an integer port from 1 to 65535.');
    // The message alone: no stack trace into stagecraft's source, no excerpt of it.
    expect(r.output).not.toMatch(/^\s+at /m);
    expect(r.output).not.toContain('validation.ts');
    expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8')).toBe(before);
  });

  test('a type error in .projenrc.ts: `npx projen typecheck` reports it with its place and fails; `npx projen` (tsx) still synthesizes', () => {
    const rcFile = path.join(dir, '.projenrc.ts');
    const good = fs.readFileSync(rcFile, 'utf-8').replace('port: 70000', 'port: 8000');
    fs.writeFileSync(rcFile, `${good}\nconst port: number = "8000";\nconsole.log(port);\n`);
    const check = npxProjen(dir, ['typecheck']);
    expect(check.status).not.toBe(0);
    expect(check.output).toMatch(/\.projenrc\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
    // tsx strips types without checking them: the run is what the JavaScript does.
    const synth = npxProjen(dir);
    expect(synth.status).toBe(0);
    fs.writeFileSync(rcFile, good);
    expect(npxProjen(dir, ['typecheck']).status).toBe(0);
  });

  test('a project made with ts-node as its runner moves to tsx at its next `npx projen`', () => {
    // What an older stagecraft wrote: the default task through npx and ts-node, ts-node in package.json.
    const tasksFile = path.join(dir, '.projen', 'tasks.json');
    const tasks = JSON.parse(fs.readFileSync(tasksFile, 'utf-8'));
    tasks.tasks.default = {
      name: 'default',
      steps: [{ execArgs: ['ts-node', '--project', 'tsconfig.projen.json', '.projenrc.ts'], shell: ['npx', '-y', '-p', 'ts-node', '-c'] }],
    };
    delete tasks.tasks.typecheck;
    fs.chmodSync(tasksFile, 0o644);
    fs.writeFileSync(tasksFile, JSON.stringify(tasks, null, 2));
    const pkgFile = path.join(dir, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf-8'));
    const { tsx, ...others } = pkg.devDependencies;
    expect(tsx).toBeDefined();
    pkg.devDependencies = { ...others, 'ts-node': '^10.9.2' };
    fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
    const stamp = path.join(dir, 'node_modules', '.stagecraft-toolchain.json');
    fs.writeFileSync(stamp, JSON.stringify(pkg.devDependencies));
    expect(npxProjen(dir, [], { npm_config_yes: 'true' }).status).toBe(0); // ts-node comes through `npx -y`, as before
    expect(JSON.parse(fs.readFileSync(tasksFile, 'utf-8')).tasks.default.steps).toEqual([{ execArgs: ['node', '--require', 'stagecraft', '--require', 'tsx/cjs', '.projenrc.ts'] }]);
    expect(JSON.parse(fs.readFileSync(pkgFile, 'utf-8')).devDependencies.tsx).toBe(tsx);
    expect(fs.existsSync(path.join(dir, 'node_modules', 'tsx', 'package.json'))).toBe(true);
    // The next run is tsx's.
    const next = npxProjen(dir);
    expect(next.output).toContain('node --require stagecraft --require tsx/cjs .projenrc.ts');
    expect(next.status).toBe(0);
  });
});

/** The other project types, the same way: created from the packed package, then `npx projen` with Node alone. */
describe('projen new --from the packed package: go-app and node-app', () => {
  test('go-app: a .projenrc.ts project whose go.mod and Dockerfile follow an edit', () => {
    const dir = path.join(tempDir('new-go-'), 'hello-go');
    const created = projenNew(dir, 'go-app', ['--port', '8080']);
    expect(created.output).not.toMatch(/^\s+at /m);
    expect(created.status).toBe(0);
    const rc = fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf-8');
    expect(rc).toContain('import { GoAppProject } from "stagecraft"');
    expect(rc).toMatch(/goVersion: "1\.27"/);
    expect(fs.readFileSync(path.join(dir, 'go.mod'), 'utf-8')).toContain('module example.com/hello-go');
    expect(fs.existsSync(path.join(dir, 'cmd/hello-go/main.go'))).toBe(true);
    fs.writeFileSync(path.join(dir, '.projenrc.ts'), rc.replace('goVersion: "1.27"', 'goVersion: "1.26",\n  modulePath: "example.org/team/hello"'));
    const r = npxProjen(dir);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'go.mod'), 'utf-8')).toMatch(/module example\.org\/team\/hello\n\ngo 1\.26\n/);
    expect(parseDockerfile(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8')).stages[0].image).toBe('golang:1.26');
  });

  test('node-app: projen\'s TypeScript project with the service stubs; it builds and tests with real npm', () => {
    const dir = path.join(tempDir('new-node-'), 'hello-node');
    const created = projenNew(dir, 'node-app', []);
    expect(created.output).not.toMatch(/^\s+at /m);
    expect(created.status).toBe(0);
    const rc = fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf-8');
    // projen's eslint --fix reformats .projenrc.ts in a Node project: either quote style
    expect(rc).toMatch(/import \{ NodeAppProject \} from ["']stagecraft["']/);
    expect(rc).toMatch(/nodeVersion: ["']24["']/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf-8')).engines.node).toBe('>= 24.0.0');
    const build = npxProjen(dir, ['build']);
    expect(build.output).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(build.status).toBe(0);
    // The project's own CI installs frozen from the lock file `projen new` wrote.
    const frozen = npxProjen(dir, ['install:ci'], { CI: 'true' });
    expect(frozen.output).toContain('npm ci');
    expect(frozen.status).toBe(0);
    // The drift workflow's commands, as its CI job runs them: the install, the type-check, the drift check.
    const runs: string[] = parseYaml(fs.readFileSync(path.join(dir, '.github/workflows/drift.yml'), 'utf-8')).jobs.drift.steps.filter((s: any) => s.run).map((s: any) => s.run);
    expect(runs).toEqual(['npm ci', 'npx projen typecheck', 'npx projen drift']);
    for (const command of runs) {
      const r = run('bash', ['-c', command], { cwd: dir, env: userEnv({ CI: 'true' }) });
      expect([command, r.status, r.status === 0 ? '' : r.output.slice(-3000)]).toEqual([command, 0, '']);
    }
    fs.writeFileSync(path.join(dir, '.projenrc.ts'), rc.replace(/nodeVersion: ["']24["']/, 'nodeVersion: "22"'));
    // Edited and not re-synthesized: the drift check fails, naming what differs, and writes nothing.
    const beforeDrift = snapshotDir(dir);
    const drift = npxProjen(dir, ['drift']);
    expect(drift.status).not.toBe(0);
    expect(drift.output).toMatch(/- Dockerfile \(differs\)/);
    expect(snapshotDir(dir)).toEqual(beforeDrift);
    expect(npxProjen(dir).status).toBe(0);
    expect(parseDockerfile(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8')).stages.map((s) => s.image)).toEqual(['node:22-slim', 'node:22-slim', 'node:22-slim']);
  });

  test('node-app static site: `npx projen` runs .projenrc.ts again and again and writes the same files; the site stays ES modules', () => {
    const dir = path.join(tempDir('new-site-'), 'hello-site');
    const created = projenNew(dir, 'node-app', ['--app-kind', 'static-site']);
    expect(created.output).not.toMatch(/^\s+at /m);
    expect(created.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf-8')).toContain('appKind: NodeAppKind.STATIC_SITE');
    // `projen new` synthesizes in its own process; these are the first runs of .projenrc.ts itself (tsx).
    const first = npxProjen(dir);
    expect(first.output).not.toContain('Unknown file extension');
    expect(first.status).toBe(0);
    const before = snapshotDir(dir);
    const second = npxProjen(dir);
    expect(second.output).not.toContain('Unknown file extension');
    expect(second.status).toBe(0);
    expect(snapshotDir(dir)).toEqual(before);
    // The browser gets an ES module: index.html loads /main.js as a module, esbuild's bundle of main.ts with greeting.ts in it (no import left, no CommonJS).
    expect(npxProjen(dir, ['compile']).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'dist/index.html'), 'utf-8')).toContain('<script type="module" src="/main.js">');
    const bundle = fs.readFileSync(path.join(dir, 'dist/main.js'), 'utf-8');
    expect(bundle).toContain('Hello from hello-site!');
    expect(bundle).not.toMatch(/\bimport\s*[{"'(*]|\brequire\(|\bexports\./);
  });
});
