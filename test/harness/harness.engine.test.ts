import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { BUILDAH, DOCKER, ENGINES, ensureEngineReady, httpGet, inToolroot, startPackageIndex, waitFor } from '.';
import { exec } from './command';

jest.setTimeout(30 * 60 * 1000); // a cold machine debootstraps and apt-gets for several minutes

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** The harness itself: tool root, package index, build/run/inspect on the stand-in python image. */
describe('engine harness', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-'));

  beforeAll(() => ensureEngineReady());
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the tool root has Poetry 2, Python 3.13 and Go 1.27, mounts the folder and passes env and exit code', () => {
    const r = inToolroot(dir, ['sh', '-c', 'poetry --version; python3 --version; go version; pwd; echo "$PROBE" > probe; exit 3'],
      { PROBE: 'passed' });
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/Poetry \(version 2\.\d+/);
    expect(r.stdout).toMatch(/Python 3\.13\./);
    expect(r.stdout).toMatch(/go1\.27/);
    expect(r.stdout).toContain(fs.realpathSync(dir));
    expect(fs.readFileSync(path.join(dir, 'probe'), 'utf-8').trim()).toBe('passed');
  });

  test('the package index serves Poetry 2.1.2 until stopped', async () => {
    const index = await startPackageIndex();
    expect(index.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/simple\/$/);
    const page = await get(`${index.url}poetry/`);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/poetry-2\.1\.2-py3-none-any\.whl#sha256=[0-9a-f]{64}/);
    await index.stop();
    await expect(get(`${index.url}poetry/`)).rejects.toThrow(/ECONNREFUSED/);
  });

  describe.each(ENGINES)('%s', (engine) => {
    const tag = `localhost/stagecraft-harness-test:${process.pid}`;
    afterAll(() => engine.removeImage(tag));

    test('builds a Dockerfile unchanged, runs it as its USER, and inspects it', () => {
      fs.writeFileSync(path.join(dir, 'Dockerfile'), [
        'FROM python:3.13-slim',
        'ARG GREETING=unset',
        'RUN --mount=type=cache,target=/root/.cache/probe useradd --uid 10001 --no-create-home app',
        'WORKDIR /srv',
        'COPY --chmod=755 hello.sh /srv/hello.sh',
        'RUN ln -s /srv/hello.sh /usr/local/bin/hello && echo "$GREETING" > /srv/greeting',
        'USER 10001',
        'EXPOSE 8080',
        'LABEL org.opencontainers.image.title=harness',
        'HEALTHCHECK --interval=30s CMD ["true"]',
        'ENTRYPOINT ["/srv/hello.sh"]',
        'CMD ["world"]',
      ].join('\n') + '\n');
      fs.writeFileSync(path.join(dir, 'hello.sh'), '#!/bin/sh\necho "hello $1 from $(id -u) in $(pwd)"\n');

      const build = engine.buildImage({ contextDir: dir, tag, buildArgs: { GREETING: 'hi' } });
      expect(build.stderr).not.toMatch(/level=error/);
      expect(build.status).toBe(0);

      expect(engine.runImage(tag).stdout.trim()).toBe('hello world from 10001 in /srv');
      expect(engine.runImage(tag, ['there']).stdout.trim()).toBe('hello there from 10001 in /srv');
      const own = engine.runImage(tag, ['sh', '-c', 'id -u; exit 4'], { entrypoint: [] });
      expect(own).toMatchObject({ status: 4, stdout: '10001\n', stderr: '' });

      const info = engine.imageInfo(tag);
      expect(info).toMatchObject({ user: '10001', cmd: ['world'], entrypoint: ['/srv/hello.sh'], workingDir: '/srv', exposedPorts: ['8080/tcp'] });
      expect(info.labels['org.opencontainers.image.title']).toBe('harness');
      expect(info.healthcheck?.Test).toEqual(['CMD', 'true']);
      expect(info.env.PATH).toContain('/usr/bin');
      expect(info.size).toBeGreaterThan(50e6);

      expect(engine.imageFileExists(tag, '/usr/local/bin/hello')).toBe(true); // absolute symlink, resolved in the image
      expect(engine.imageFileExists(tag, '/usr/bin/gcc')).toBe(false);
      expect(engine.readImageFile(tag, '/srv/greeting')).toBe('hi\n');
      expect(engine.listImagePaths(tag, '/srv/*')).toEqual(['/srv/greeting', '/srv/hello.sh']);
      expect(engine.listImagePaths(tag, '/usr/**/python3.13')).toContain('/usr/bin/python3.13');
      expect(engine.listImagePaths(tag, '/root/.cache/**')).toEqual([]);
    });

    test('starts an image in the background: its EXPOSEd port on 127.0.0.1, a command in the running container, a signal', async () => {
      const context = fs.mkdtempSync(path.join(dir, 'server-'));
      const port = 18090;
      fs.writeFileSync(path.join(context, 'Dockerfile'), [
        'FROM python:3.13-slim',
        'RUN useradd --uid 10001 --no-create-home app && mkdir /srv/www && echo served > /srv/www/index.html',
        'WORKDIR /srv/www',
        'USER 10001',
        `EXPOSE ${port}`,
        `CMD ["python3", "-m", "http.server", "${port}"]`,
      ].join('\n') + '\n');
      const server = `localhost/stagecraft-harness-server:${process.pid}`;
      engine.mustBuildImage({ contextDir: context, tag: server });
      try {
        const running = await engine.startImage(server);
        try {
          const page = await waitFor(async () => httpGet(`http://127.0.0.1:${running.hostPort(port)}/`).catch(() => undefined), 15000);
          expect(page.body).toBe('served\n');
          expect(fs.readFileSync(`/proc/${running.pid}/status`, 'utf-8')).toMatch(/^Uid:\s+10001\b/m);
          const probe = running.exec(['sh', '-c', `id -u; pwd; python3 -c 'import urllib.request as u; print(u.urlopen("http://127.0.0.1:${port}/").read().decode())'`]);
          expect(probe).toMatchObject({ status: 0, stdout: '10001\n/srv/www\nserved\n\n' });
        } finally {
          // SIGINT: as PID 1 of a container (Docker), python has no SIGTERM handler, and the kernel ignores it.
          const stopped = await running.stop('SIGINT');
          expect(stopped.status).toBe(0); // "Keyboard interrupt received, exiting."
          expect(stopped.stderr).toMatch(/"GET \/ HTTP\/1\.1" 200/); // http.server logs each request to stderr
        }
      } finally {
        engine.removeImage(server);
      }
    });

    if (engine === BUILDAH) {
      // A buildah or podman process that exits while its store's records show no layer mounted runs
      // the overlay driver's Cleanup: with a bind mount of the storage home (no skip_mount_home in
      // storage.conf: scripts/install-engine), that unmounts every layer mounted under it, and a build
      // beside it failed with `COPY --from=deps ...: copier: stat: "/app/node_modules": no such file`.
      test('a build keeps its earlier stage\'s root filesystem while another buildah process shuts its store down', async () => {
        const context = fs.mkdtempSync(path.join(dir, 'shutdown-'));
        fs.writeFileSync(path.join(context, 'Dockerfile'), [
          'FROM python:3.13-slim AS deps',
          'WORKDIR /app',
          `RUN echo ${process.pid}-${Date.now()} > /app/stamp && mkdir -p node_modules`,
          'FROM python:3.13-slim',
          'RUN sleep 8',
          'COPY --from=deps /app/node_modules /app/node_modules',
        ].join('\n') + '\n');
        const built = `localhost/stagecraft-harness-shutdown:${process.pid}`;
        const child = spawn('buildah', ['bud', '--isolation', 'chroot', '--layers', '--pull=never', '-t', built, context], { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        const status = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
        try {
          // The deps stage is done and its container mounted for the COPY once the last stage sleeps.
          await waitFor(() => (/STEP \d+\/\d+: RUN sleep 8/.test(output) ? true : undefined), 120000);
          // Its own run root: mount records that list nothing mounted, so its exit (store.Shutdown)
          // runs the driver's Cleanup while the build's layers are mounted.
          const runroot = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecraft-runroot-'));
          try {
            expect(exec('buildah', ['--runroot', runroot, 'images', '--quiet']).status).toBe(0);
          } finally {
            fs.rmSync(runroot, { recursive: true, force: true });
          }
          expect({ status: await status, output: output.split('\n').filter((l) => /error|copier/i.test(l)) }).toEqual({ status: 0, output: [] });
        } finally {
          child.kill();
          BUILDAH.removeImage(built);
        }
      });
    }

    if (engine === DOCKER) {
      test('a `# syntax=` directive makes BuildKit fetch its frontend image, which this machine cannot: test projects leave it out', () => {
        const context = fs.mkdtempSync(path.join(dir, 'syntax-'));
        fs.writeFileSync(path.join(context, 'Dockerfile'), '# syntax=docker/dockerfile:1\nFROM python:3.13-slim\nCMD ["python3"]\n');
        const r = engine.buildImage({ contextDir: context, tag: `localhost/stagecraft-harness-syntax:${process.pid}` });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain('failed to resolve source metadata for docker.io/docker/dockerfile:1');
      });
    }
  });
});
