import * as fs from 'fs';
import * as path from 'path';
import { BUILT_IN_FRONTEND, ContainerEngine, ENGINES, ensureEngineReady, httpGet, inToolroot, PackageIndex, TestImages, waitFor } from '../harness';
import { runPipTask as runTask, startPipIndex } from './pip-index';
import { synthPipInto, tempDir } from './pip-util';
import { PipAppProjectOptions } from '../../src';

jest.setTimeout(30 * 60 * 1000);

const MESSAGE = 'Hello from a pip multi-stage Docker build!';

let index: PackageIndex;
const images = new TestImages();

beforeAll(() => {
  ensureEngineReady();
  index = startPipIndex();
});

afterAll(async () => {
  images.removeAll();
  await index?.stop();
});

/** A (re-)synthesis against the local index: the org-mirror path, with no hand edit. */
function synth(dir: string, options: PipAppProjectOptions): void {
  synthPipInto(dir, { packageIndex: index.url, ...BUILT_IN_FRONTEND, ...options });
}

function generate(options: PipAppProjectOptions, edit?: (dir: string) => void): string {
  const dir = tempDir('pip-app-');
  synth(dir, options);
  edit?.(dir);
  return dir;
}

function build(engine: ContainerEngine, dir: string, tag: string) {
  return images.build(engine, { contextDir: dir, tag });
}

function failedBuild(engine: ContainerEngine, dir: string, tag: string): string {
  return images.failedBuild(engine, { contextDir: dir, tag });
}

/** What must never reach the runtime image: the build venv, pip's cache, the backend and the installer, pip in the venv, compilers, the sources. */
function expectLeanRuntime(engine: ContainerEngine, tag: string) {
  expect(engine.imageFileExists(tag, '/opt/build')).toBe(false);
  expect(engine.listImagePaths(tag, '/root/.cache/**')).toEqual([]);
  expect(engine.listImagePaths(tag, '/app/.venv/lib/python3*/site-packages/setuptools')).toEqual([]);
  expect(engine.listImagePaths(tag, '/app/.venv/lib/python3*/site-packages/installer')).toEqual([]);
  expect(engine.listImagePaths(tag, '/app/.venv/lib/python3*/site-packages/pip')).toEqual([]);
  expect(engine.imageFileExists(tag, '/app/.venv/bin/pip')).toBe(false);
  expect(engine.listImagePaths(tag, '/app/.venv/bin/pip3*')).toEqual([]);
  expect(engine.listImagePaths(tag, '/usr/bin/*gcc*')).toEqual([]);
  expect(engine.imageFileExists(tag, '/app/src')).toBe(false);
  expect(engine.imageFileExists(tag, '/app/pyproject.toml')).toBe(false);
  expect(engine.imageFileExists(tag, '/app/requirements.txt')).toBe(false);
}

describe('a CLI app: pip-hello, script hello', () => {
  let dir: string;
  const tag = 'localhost/stagecraft-test/pip-hello:0.1.0';

  beforeAll(() => {
    dir = generate({ name: 'pip-hello', scriptName: 'hello' }, (d) => {
      const app = path.join(d, 'src/pip_hello/app.py');
      fs.writeFileSync(app, fs.readFileSync(app, 'utf-8').replace('"Hello from pip-hello!"', JSON.stringify(MESSAGE)));
    });
  });

  test('`lock` with real pip writes both hashed requirements files; `install` and `test` run the stub\'s tests with real pytest', () => {
    runTask(dir, 'lock');
    const buildLock = fs.readFileSync(path.join(dir, 'requirements-build.txt'), 'utf-8');
    expect(buildLock).toMatch(/^setuptools==\d+\.\d+\.\d+ \\\n {4}--hash=sha256:[0-9a-f]{64}$/m);
    // The backend and the installer that installs the app's wheel in the image, and nothing else.
    expect([...buildLock.matchAll(/^([a-z0-9-]+)==\S+ \\\n {4}--hash=sha256:[0-9a-f]{64}$/gm)].map((m) => m[1])).toEqual(['installer', 'setuptools']);
    const runtime = fs.readFileSync(path.join(dir, 'requirements.txt'), 'utf-8');
    // No runtime dependency: the lock holds none, and never the project itself.
    expect(runtime.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([]);
    runTask(dir, 'install');
    expect(inToolroot(dir, ['.venv/bin/hello']).stdout.trim()).toBe(MESSAGE);
    expect(runTask(dir, 'test')).toMatch(/1 passed/);
  });

  test.each(ENGINES)('%s builds the Dockerfile unchanged; the image runs the declared script as non-root, holds the venv alone', (engine) => {
    const built = build(engine, dir, tag);
    const info = engine.imageInfo(tag);
    expect(info.cmd).toEqual(['hello']);
    expect(info.user).toBe('10001:10001');
    const run = engine.runImage(tag);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(MESSAGE);
    expect(engine.runImage(tag, ['id', '-u']).stdout.trim()).toBe('10001');
    expectLeanRuntime(engine, tag);
    // The installer compiled the app as pip does: level 0 alone, so the runtime (which writes no bytecode) compiles nothing.
    const pyc = engine.listImagePaths(tag, '/app/.venv/lib/python3*/site-packages/pip_hello/__pycache__/*.pyc');
    expect(pyc.filter((p) => /\/app\.cpython-3\d+\.pyc$/.test(p))).toHaveLength(1);
    expect(pyc.filter((p) => p.includes('.opt-'))).toEqual([]);
    // runtime <= base + payload + 1 MB: the venv is the payload; the rest is the user and the labels.
    const base = engine.imageInfo('python:3.13-slim').size;
    const venv = Number(engine.runImage(tag, ['du', '-sb', '/app/.venv']).stdout.split(/\s/)[0]);
    expect(venv).toBeGreaterThan(0);
    expect(info.size).toBeLessThanOrEqual(base + venv + 1e6);
    // eslint-disable-next-line no-console
    console.log(`pip-hello (${engine}): built in ${built.seconds.toFixed(1)} s, ran: ${run.stdout.trim()}; image ${(info.size / 1e6).toFixed(2)} MB = base ${(base / 1e6).toFixed(2)} MB + venv ${(venv / 1e6).toFixed(2)} MB + ${((info.size - base - venv) / 1e6).toFixed(2)} MB`);
  });
});

describe('a service with a dependency from the index', () => {
  let dir: string;
  const tag = 'localhost/stagecraft-test/pip-svc:1.0.0';

  beforeAll(() => {
    dir = generate({ name: 'pip-svc', version: '1.0.0', port: 8080, deps: ['requests@>=2.32,<3'], testDeps: [] }, (d) => {
      const app = path.join(d, 'src/pip_svc/app.py');
      const code = fs.readFileSync(app, 'utf-8')
        .replace('import json\n', 'import json\n\nimport requests\n')
        .replace('return "Hello from pip-svc!"', 'return f"Hello from pip-svc with requests {requests.__version__}"');
      fs.writeFileSync(app, code);
    });
    runTask(dir, 'lock');
  });

  test('the lock holds requests and what it needs, each with a hash, resolved from the local index', () => {
    const lock = fs.readFileSync(path.join(dir, 'requirements.txt'), 'utf-8');
    const names = [...lock.matchAll(/^([a-z0-9-]+)==\S+ \\\n {4}--hash=sha256:[0-9a-f]{64}$/gm)].map((m) => m[1]);
    expect(names).toEqual(['certifi', 'charset-normalizer', 'idna', 'requests', 'urllib3']);
  });

  test.each(ENGINES)('%s: the image imports the dependency and answers its health check', async (engine) => {
    build(engine, dir, tag);
    const info = engine.imageInfo(tag);
    expect(info.exposedPorts).toEqual(['8080/tcp']);
    const probe = info.healthcheck?.Test ?? [];
    expect(probe[0]).toBe('CMD');
    expect(engine.runImage(tag, ['python', '-c', 'import requests, pip_svc.app']).status).toBe(0);
    expectLeanRuntime(engine, tag);
    const running = await engine.startImage(tag);
    try {
      const hello = await waitFor(async () => httpGet(`http://127.0.0.1:${running.hostPort(8080)}/`).catch(() => undefined), 15000);
      expect(hello.body).toMatch(/"message": "Hello from pip-svc with requests 2\.32\.\d+"/);
      expect(running.exec(probe.slice(1)).status).toBe(0);
    } finally {
      expect((await running.stop('SIGTERM')).status).toBe(0);
    }
  });
});

describe('the lock\'s guarantees, seen in a build', () => {
  test.each(ENGINES)('%s: a missing lock stops the build with the task to run', (engine) => {
    const dir = generate({ name: 'pip-nolock' });
    expect(failedBuild(engine, dir, 'localhost/stagecraft-test/pip-nolock:0.1.0'))
      .toContain("requirements.txt or requirements-build.txt is missing: run 'npx projen lock' and commit them");
  });

  test.each(ENGINES)('%s: a lock without a dependency pyproject.toml declares stops the build with the task to run, before any install', (engine) => {
    const dir = generate({ name: 'pip-stale', testDeps: [] });
    runTask(dir, 'lock');
    synth(dir, { name: 'pip-stale', testDeps: [], deps: ['colorama@>=0.4'] });
    const stale = "requirements.txt is out of date with pyproject.toml: run 'npx projen lock'";
    // lock:check, which docker:build runs first, says it on the host.
    expect(() => runTask(dir, 'lock:check')).toThrow(stale);
    const output = failedBuild(engine, dir, 'localhost/stagecraft-test/pip-stale:0.1.0');
    expect(output).toContain(stale);
    expect(output).not.toMatch(/Collecting|Successfully installed/);
    // Locked again, the same project builds.
    runTask(dir, 'lock');
    expect(runTask(dir, 'lock:check')).toBe('');
    build(engine, dir, 'localhost/stagecraft-test/pip-stale:0.1.0');
  });

  test.each(ENGINES)('%s: a package whose hash is not the locked one is refused', (engine) => {
    const dir = generate({ name: 'pip-tamper', testDeps: [], deps: ['idna@>=3'] });
    runTask(dir, 'lock');
    const lock = path.join(dir, 'requirements.txt');
    fs.writeFileSync(lock, fs.readFileSync(lock, 'utf-8').replace(/(idna==\S+ \\\n {4}--hash=sha256:)[0-9a-f]{64}/, `$1${'0'.repeat(64)}`));
    expect(failedBuild(engine, dir, 'localhost/stagecraft-test/pip-tamper:0.1.0')).toMatch(/THESE PACKAGES DO NOT MATCH THE HASHES/);
  });
});
