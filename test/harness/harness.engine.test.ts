import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import {
  buildImage, ensureEngineReady, imageFileExists, imageInfo, inToolroot, listImagePaths, readImageFile,
  removeImage, runImage, startPackageIndex,
} from '.';

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
  const tag = `localhost/stagecraft-harness-test:${process.pid}`;

  beforeAll(() => ensureEngineReady());
  afterAll(() => {
    removeImage(tag);
    fs.rmSync(dir, { recursive: true, force: true });
  });

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

  test('builds a Dockerfile unchanged, runs it as its USER, and inspects it', () => {
    fs.writeFileSync(path.join(dir, 'Dockerfile'), [
      '# syntax=docker/dockerfile:1',
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

    const build = buildImage({ contextDir: dir, tag, buildArgs: { GREETING: 'hi' } });
    expect(build.stderr).not.toMatch(/level=error/);
    expect(build.status).toBe(0);

    expect(runImage(tag).stdout.trim()).toBe('hello world from 10001 in /srv');
    expect(runImage(tag, ['there']).stdout.trim()).toBe('hello there from 10001 in /srv');
    const own = runImage(tag, ['sh', '-c', 'id -u; exit 4'], { entrypoint: [] });
    expect(own).toMatchObject({ status: 4, stdout: '10001\n', stderr: '' });

    const info = imageInfo(tag);
    expect(info).toMatchObject({ user: '10001', cmd: ['world'], entrypoint: ['/srv/hello.sh'], workingDir: '/srv', exposedPorts: ['8080/tcp'] });
    expect(info.labels['org.opencontainers.image.title']).toBe('harness');
    expect(info.healthcheck?.Test).toEqual(['CMD', 'true']);
    expect(info.env.PATH).toContain('/usr/bin');
    expect(info.size).toBeGreaterThan(50e6);

    expect(imageFileExists(tag, '/usr/local/bin/hello')).toBe(true); // absolute symlink, resolved in the image
    expect(imageFileExists(tag, '/usr/bin/gcc')).toBe(false);
    expect(readImageFile(tag, '/srv/greeting')).toBe('hi\n');
    expect(listImagePaths(tag, '/srv/*')).toEqual(['/srv/greeting', '/srv/hello.sh']);
    expect(listImagePaths(tag, '/usr/**/python3.13')).toContain('/usr/bin/python3.13');
    expect(listImagePaths(tag, '/root/.cache/**')).toEqual([]);
  });
});
