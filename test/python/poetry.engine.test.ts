import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BUILDAH, BUILT_IN_FRONTEND, ContainerEngine, ENGINES, ensureEngineReady, httpGet, inToolroot, PackageIndex, startPackageIndex, TestImages, waitFor } from '../harness';
import { synthInto, tempDir } from './poetry-util';
import { PoetryAppProjectOptions } from '../../src';

jest.setTimeout(30 * 60 * 1000);

const EXAMPLE_MESSAGE = 'Hello from a Python multi-stage Docker build!';
const POETRY_ENV = { POETRY_VIRTUALENVS_IN_PROJECT: 'true', POETRY_NO_INTERACTION: '1' };

let index: PackageIndex;
const images = new TestImages();

beforeAll(async () => {
  ensureEngineReady();
  index = await startPackageIndex();
});

afterAll(async () => {
  images.removeAll();
  await index?.stop();
});

/** Real Poetry 2 (Debian 13) in the generated project; fails the test with Poetry's output. */
function poetry(dir: string, ...args: string[]): string {
  const r = inToolroot(dir, ['poetry', ...args], POETRY_ENV);
  if (r.status !== 0) {
    throw new Error(`poetry ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout + r.stderr;
}

/** A (re-)synthesis against the local index: the org-mirror path, with no hand edit. */
function synth(dir: string, options: PoetryAppProjectOptions): void {
  synthInto(dir, { packageIndex: index.url, ...BUILT_IN_FRONTEND, ...options });
}

/** A generated poetry-app in a folder of its own. */
function generate(options: PoetryAppProjectOptions, edit?: (dir: string) => void): string {
  const dir = tempDir('poetry-app-');
  synth(dir, options);
  edit?.(dir);
  return dir;
}

/** Builds the generated Dockerfile unchanged: no build args (the Dockerfile's own ARG defaults are the ones used). */
function build(engine: ContainerEngine, dir: string, tag: string) {
  return images.build(engine, { contextDir: dir, tag });
}

/** A build that must fail; its output. */
function failedBuild(engine: ContainerEngine, dir: string, tag: string): string {
  return images.failedBuild(engine, { contextDir: dir, tag });
}

/** What must never reach the runtime image: Poetry, pip caches, compilers, the sources. */
function expectLeanRuntime(engine: ContainerEngine, tag: string) {
  expect(engine.imageFileExists(tag, '/opt/poetry')).toBe(false);
  expect(engine.listImagePaths(tag, '/app/.venv/bin/poetry*')).toEqual([]);
  expect(engine.listImagePaths(tag, '/app/.venv/lib/python3*/site-packages/poetry')).toEqual([]);
  expect(engine.listImagePaths(tag, '/root/.cache/**')).toEqual([]);
  expect(engine.listImagePaths(tag, '/usr/bin/*gcc*')).toEqual([]);
  expect(engine.imageFileExists(tag, '/usr/bin/cc')).toBe(false);
  expect(engine.imageFileExists(tag, '/app/src')).toBe(false);
  expect(engine.imageFileExists(tag, '/app/pyproject.toml')).toBe(false);
}

describe('the issue\'s example app: hello-docker, script hello, Python >= 3.11', () => {
  let dir: string;
  const tag = 'localhost/stagecraft-test/hello-docker:0.1.0';

  beforeAll(() => {
    dir = generate({ name: 'hello-docker', scriptName: 'hello', requiresPython: '>=3.11' }, (d) => {
      const app = path.join(d, 'src/hello_docker/app.py');
      fs.writeFileSync(app, fs.readFileSync(app, 'utf-8').replace('"Hello from hello-docker!"', JSON.stringify(EXAMPLE_MESSAGE)));
    });
  });

  test('real Poetry 2 checks, locks and installs it; the script runs and the generated test passes', () => {
    expect(poetry(dir, '--version')).toMatch(/Poetry \(version 2\./);
    expect(poetry(dir, 'check')).toMatch(/All set!/);
    poetry(dir, 'lock');
    expect(fs.existsSync(path.join(dir, 'poetry.lock'))).toBe(true);
    poetry(dir, 'install');
    expect(poetry(dir, 'run', 'hello').trim()).toBe(EXAMPLE_MESSAGE);
    expect(poetry(dir, 'run', 'pytest', '-q')).toMatch(/1 passed/);
  });

  test.each(ENGINES)('%s builds the Dockerfile unchanged and the image runs the declared script as non-root', (engine) => {
    const built = build(engine, dir, tag);
    const info = engine.imageInfo(tag);
    expect(info.cmd).toEqual(['hello']);
    expect(info.user).toBe('10001:10001');
    const run = engine.runImage(tag);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(EXAMPLE_MESSAGE);
    const id = engine.runImage(tag, ['id', '-u']);
    expect(id.stdout.trim()).toBe('10001');
    expect(info.labels).toMatchObject({
      'org.opencontainers.image.title': 'hello-docker',
      'org.opencontainers.image.version': '0.1.0',
    });
    expect(info.exposedPorts).toEqual([]);
    expectLeanRuntime(engine, tag);
    // eslint-disable-next-line no-console
    console.log(`hello-docker (${engine}): built in ${built.seconds.toFixed(1)} s, image ${(info.size / 1e6).toFixed(1)} MB, ran: ${run.stdout.trim()} (uid ${id.stdout.trim()})`);
  });
});

describe('an app that writes beside its package, the way Flask writes its instance folder', () => {
  let dir: string;
  const tag = 'localhost/stagecraft-test/writer:0.1.0';

  beforeAll(() => {
    dir = generate({ name: 'writer', writablePaths: ['/app/var', '/srv/writer/cache'] }, (d) => {
      // Flask's default instance folder is <prefix>/var/<app>-instance, in the venv: the app writes where it is told.
      const app = path.join(d, 'src/writer/app.py');
      fs.writeFileSync(app, fs.readFileSync(app, 'utf-8').replace('    print(greeting())', [
        '    import os, pathlib, sys',
        '    instance = pathlib.Path(os.environ.get("INSTANCE_PATH", sys.prefix + "/var/writer-instance"))',
        '    instance.mkdir(parents=True, exist_ok=True)',
        '    (instance / "state.txt").write_text(greeting())',
        '    print((instance / "state.txt").read_text())',
      ].join('\n')));
    });
    poetry(dir, 'lock');
  });

  test.each(ENGINES)('%s: the writable folder belongs to the runtime user; the venv and /app stay root-owned and read-only', (engine) => {
    build(engine, dir, tag);
    // Before: the venv is root's, so the default instance folder fails ("PermissionError").
    const inVenv = engine.runImage(tag);
    expect(inVenv.status).not.toBe(0);
    expect(inVenv.stderr).toMatch(/PermissionError/);
    const written = engine.runImage(tag, ['writer'], { env: { INSTANCE_PATH: '/app/var/writer-instance' } });
    expect(written.stderr).toBe('');
    expect(written.stdout.trim()).toBe('Hello from writer!');
    const owners = engine.runImage(tag, ['stat', '-c', '%n %u', '/app/var', '/srv/writer/cache', '/app', '/app/.venv', '/srv/writer', '/srv']);
    // Only the folders themselves are the user's: not /app, which COPY --chown would have given them, nor a created parent.
    expect(owners.stdout.trim().split('\n')).toEqual(['/app/var 10001', '/srv/writer/cache 10001', '/app 0', '/app/.venv 0', '/srv/writer 0', '/srv 0']);
  });
});

describe('an HTTP service with a third-party dependency from the index', () => {
  let dir: string;
  const tag = 'localhost/stagecraft-test/svc:1.2.0';
  // Both reach code: the description a docstring (closing it would run the statements on import),
  // the path the HEALTHCHECK's probe (closing its string would run code in the probe).
  const description = 'A "quoted" $HOME \\ back\'slash service x"""; import os; os.system("id"); """ \\N \\';
  const healthCheckPath = "/x'+str(__import__('os').system('id'))+'";

  beforeAll(() => {
    dir = generate({ name: 'svc', version: '1.2.0', description, deps: ['requests@^2.32'], port: 8080, license: 'MIT', healthCheckPath }, (d) => {
      const app = path.join(d, 'src/svc/app.py');
      const code = fs.readFileSync(app, 'utf-8')
        .replace('import json\n', 'import json\n\nimport requests\n')
        .replace('return "Hello from svc!"', 'return f"Hello from svc with requests {requests.__version__}"');
      fs.writeFileSync(app, code);
    });
    poetry(dir, 'lock');
  });

  test('poetry.lock resolved requests from the local index; the tests pass against the real service', () => {
    const lock = fs.readFileSync(path.join(dir, 'poetry.lock'), 'utf-8');
    expect(lock).toMatch(/name = "requests"\nversion = "2\.32\.\d+"/);
    expect(lock).toContain(index.url.replace(/\/$/, ''));
    poetry(dir, 'install');
    expect(poetry(dir, 'run', 'pytest', '-q')).toMatch(/1 passed/);
  });

  test.each(ENGINES)('%s: the image imports the dependency at run time, answers its health check, and carries the manifest\'s labels', async (engine) => {
    build(engine, dir, tag);
    const info = engine.imageInfo(tag);
    expect(info.exposedPorts).toEqual(['8080/tcp']);
    expect(info.labels['org.opencontainers.image.description']).toBe(description);
    expect(info.labels['org.opencontainers.image.licenses']).toBe('MIT');
    const probe = info.healthcheck?.Test ?? [];
    expect(probe[0]).toBe('CMD');
    // Start the service as the image runs it, then run the image's own HEALTHCHECK command and a request.
    const script = [
      'import json, os, subprocess, sys, time, urllib.request',
      'server = subprocess.Popen(["svc"])',
      'try:',
      '    for _ in range(50):',
      '        time.sleep(0.2)',
      '        if subprocess.run(json.loads(os.environ["PROBE"])).returncode == 0:',
      '            break',
      '    else:',
      '        sys.exit("health check never passed")',
      '    print(urllib.request.urlopen("http://127.0.0.1:8080/").read().decode())',
      'finally:',
      '    server.terminate()',
      '    print("exit", server.wait(timeout=10))',
    ].join('\n');
    const r = engine.runImage(tag, ['python', '-c', script], { env: { PROBE: JSON.stringify(probe.slice(1)) } });
    expect(r.stderr).not.toMatch(/Traceback/);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/uid=\d+/); // neither the probe nor the import ran `id`
    expect(r.stdout).toMatch(/"message": "Hello from svc with requests 2\.32\.\d+"/);
    expect(r.stdout).toContain('exit 0'); // SIGTERM stops it cleanly
    // the dev group stayed out of the image; the runtime dependency is in
    expect(engine.runImage(tag, ['python', '-c', 'import pytest']).status).not.toBe(0);
    expect(engine.runImage(tag, ['python', '-c', 'import requests, svc.app']).status).toBe(0);
    // byteCompile: the app and its dependency load from the builder's .pyc files, valid after the
    // copy between stages; the runtime (PYTHONDONTWRITEBYTECODE, a root-owned venv) compiles none.
    const imports = engine.runImage(tag, ['python', '-v', '-c', 'import requests, svc.app']).stderr.split('\n');
    const fromVenv = (kind: RegExp) => imports.filter((l) => kind.test(l) && l.includes('/app/.venv/'));
    expect(fromVenv(/^# code object from '.*\.pyc'$/).map((l) => /site-packages\/(\w+)/.exec(l)![1])).toEqual(expect.arrayContaining(['requests', 'urllib3', 'svc']));
    expect(fromVenv(/^# code object from '?[^']*\.py'?$/)).toEqual([]);
    expect(imports.filter((l) => /bytecode is stale/.test(l))).toEqual([]);
    expectLeanRuntime(engine, tag);

    // As `docker:run` runs it: its port published on the host, the HEALTHCHECK in the running container.
    const running = await engine.startImage(tag);
    try {
      const hello = await waitFor(async () => httpGet(`http://127.0.0.1:${running.hostPort(8080)}/`).catch(() => undefined), 15000);
      expect(hello.body).toMatch(/"message": "Hello from svc with requests 2\.32\.\d+"/);
      expect(running.exec(probe.slice(1)).status).toBe(0);
    } finally {
      expect((await running.stop('SIGTERM')).status).toBe(0);
    }
  });

});

describe('the project\'s own docker:build task', () => {
  let dir: string;
  beforeAll(() => {
    dir = generate({ name: 'taskbuild', port: 8081, testDeps: [] });
    poetry(dir, 'lock');
  });

  test('builds the docker format on buildah: the HEALTHCHECK survives', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf-8')).tasks;
    const command: string = tasks['docker:build'].steps.find((s: { exec?: string }) => s.exec).exec;
    images.add(BUILDAH, 'localhost/taskbuild:0.1.0');
    const ca = '/etc/ssl/certs/ca-certificates.crt';
    const flags = ['--isolation', 'chroot', '--layers', '--network', 'host', '--pull=never', ...(fs.existsSync(ca) ? ['--volume', `${ca}:${ca}:ro`] : [])].join(' ');
    const r = spawnSync('sh', ['-c', command], { cwd: dir, encoding: 'utf-8', env: { ...process.env, CONTAINER_ENGINE: 'buildah', CONTAINER_BUILD_FLAGS: flags } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Successfully tagged localhost/taskbuild:0.1.0');
    // Before: buildah's default OCI format, "HEALTHCHECK is not supported for OCI image format and will be ignored".
    expect(r.stderr + r.stdout).not.toMatch(/HEALTHCHECK is not supported/);
    expect(BUILDAH.imageInfo('localhost/taskbuild:0.1.0').healthcheck?.Test?.[0]).toBe('CMD');
  });
});

describe('the Poetry gotchas a snapshot never shows', () => {
  describe('no dependencies and no dev group', () => {
    let dir: string;
    beforeAll(() => {
      dir = generate({ name: 'bare', testDeps: [] });
    });

    test('Poetry locks and installs it; the script runs', () => {
      poetry(dir, 'lock');
      poetry(dir, 'install');
      expect(poetry(dir, 'run', 'bare').trim()).toBe('Hello from bare!');
    });

    test.each(ENGINES)('%s builds it and the image runs', (engine) => {
      const tag = 'localhost/stagecraft-test/bare:0.1.0';
      build(engine, dir, tag);
      expect(engine.runImage(tag).stdout.trim()).toBe('Hello from bare!');
    });
  });

  describe('dependencies without a dev group: only the main group is installed', () => {
    let dir: string;
    beforeAll(() => {
      dir = generate({ name: 'nodev', testDeps: [], deps: ['colorama@^0.4'] });
      poetry(dir, 'lock');
    });

    test.each(ENGINES)('%s', (engine) => {
      const tag = 'localhost/stagecraft-test/nodev:0.1.0';
      build(engine, dir, tag);
      expect(engine.runImage(tag, ['python', '-c', 'import colorama; print(colorama.__version__)']).stdout).toMatch(/^0\.4\./);
    });
  });

  describe('a missing poetry.lock stops the build with the task to run', () => {
    let dir: string;
    beforeAll(() => {
      dir = generate({ name: 'nolock' });
    });

    test.each(ENGINES)('%s', (engine) => {
      expect(failedBuild(engine, dir, 'localhost/stagecraft-test/nolock:0.1.0'))
        .toContain("poetry.lock is missing or out of date with pyproject.toml: run 'npx projen lock' and commit poetry.lock");
    });
  });

  describe('a stale poetry.lock stops the build with the task to run', () => {
    let dir: string;
    beforeAll(() => {
      dir = generate({ name: 'stale' });
      poetry(dir, 'lock');
      synth(dir, { name: 'stale', deps: ['requests@^2.32'] });
    });

    test.each(ENGINES)('%s', (engine) => {
      expect(failedBuild(engine, dir, 'localhost/stagecraft-test/stale:0.1.0')).toContain("run 'npx projen lock'");
    });
  });

  test('the lock:check task names the task to run, before any build', () => {
    const dir = generate({ name: 'taskcheck' });
    const tasks = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf-8')).tasks;
    const check = tasks['lock:check'].steps[0].exec;
    const missing = inToolroot(dir, ['sh', '-c', check]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("poetry.lock is missing: run 'npx projen lock' and commit poetry.lock");
    poetry(dir, 'lock');
    expect(inToolroot(dir, ['sh', '-c', check]).status).toBe(0);
    synth(dir, { name: 'taskcheck', deps: ['requests@^2.32'] });
    const stale = inToolroot(dir, ['sh', '-c', check]);
    expect(stale.status).not.toBe(0);
    expect(stale.stderr).toContain("poetry.lock is out of date with pyproject.toml: run 'npx projen lock'");
  });

  test('the Poetry 1.x layout is a valid Poetry project too', () => {
    const dir = generate({ name: 'legacy', pyprojectLayout: 'poetry-legacy' as any, deps: ['requests@^2.32'], authorName: 'Dev', authorEmail: 'dev@example.com' });
    expect(poetry(dir, 'check')).not.toMatch(/Error/);
    poetry(dir, 'lock');
    poetry(dir, 'install');
    expect(poetry(dir, 'run', 'legacy').trim()).toBe('Hello from legacy!');
  });
});
