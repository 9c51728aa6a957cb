import * as fs from 'fs';
import * as path from 'path';
import { NodeAppKind, NodeAppProject, NodeAppProjectOptions } from '../../src';
import { BUILDAH, BUILT_IN_FRONTEND, CommandResult, ContainerEngine, ENGINES, ensureEngineReady, httpGet, servedSiteFiles, TestImages, waitFor } from '../harness';
import { mustRun, userEnv } from '../package-util';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

jest.setTimeout(30 * 60 * 1000);

const images = new TestImages();
beforeAll(() => ensureEngineReady());
afterAll(() => images.removeAll());

/** A generated node-app, then installed and built with the real npm, as its user would. */
function generate(options: Partial<NodeAppProjectOptions>): string {
  const dir = tempDir('node-app-');
  synthesize(() => new NodeAppProject({ name: 'hello-node', defaultReleaseBranch: 'main', outdir: dir, ...BUILT_IN_FRONTEND, ...options }));
  // The lock file is written by the npm of the project's Node version, the one the image build's
  // `npm ci` runs: npm 11.19 (this host's) writes locks without other platforms' optional packages,
  // which every npm 11 `npm ci` then refuses as out of sync.
  const npm = BUILDAH.runImage(`docker.io/library/node:${options.nodeVersion ?? '24'}-slim`, ['npm', '--version']).stdout.trim();
  mustRun('npx', ['-y', `npm@${npm}`, 'install', '--no-audit', '--no-fund'], { cwd: dir, env: userEnv() });
  mustRun('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, env: userEnv() });
  return dir;
}

function build(engine: ContainerEngine, dir: string, tag: string) {
  return images.build(engine, { contextDir: dir, tag });
}

describe('the node-app service with default options', () => {
  const port = 13000;
  let dir: string;
  const tag = 'localhost/stagecraft-test/hello-node:0.0.0';

  beforeAll(() => {
    // An apostrophe and a ";" are legal in a URL path: the probe, the stub and its test take them as data.
    dir = generate({ port, healthCheckPath: "/health;check'1" });
  });

  test('the build and the tests of the generated project pass with real npm', () => {
    mustRun('npx', ['projen', 'compile'], { cwd: dir, env: userEnv() });
    expect(fs.existsSync(path.join(dir, 'lib/index.js'))).toBe(true);
    const test = mustRun('npx', ['projen', 'test'], { cwd: dir, env: userEnv() });
    expect(test.output).toMatch(/Tests:\s+1 passed, 1 total/);
  });

  test.each(ENGINES)('%s: the image has production node_modules and the build output only, runs as node, answers and stops on SIGTERM', async (engine) => {
    const built = build(engine, dir, tag);
    const info = engine.imageInfo(tag);
    expect(info.cmd).toEqual(['node', 'lib/index.js']);
    expect(info.user).toBe('1000:1000');
    expect(info.env.NODE_ENV).toBe('production');
    // no dev dependencies, no sources, no compiler
    expect(engine.imageFileExists(tag, '/app/node_modules/typescript')).toBe(false);
    expect(engine.imageFileExists(tag, '/app/node_modules/jest')).toBe(false);
    expect(engine.imageFileExists(tag, '/app/node_modules/projen')).toBe(false);
    expect(engine.imageFileExists(tag, '/app/src')).toBe(false);
    expect(engine.listImagePaths(tag, '/app/lib/*.js')).toEqual(['/app/lib/index.js']);
    expect(engine.runImage(tag, ['node', '--version']).stdout.trim()).toMatch(/^v24\./);

    const running = await engine.startImage(tag);
    try {
      const hello = await waitFor(async () => httpGet(`http://127.0.0.1:${running.hostPort(port)}/`).catch(() => undefined), 15000);
      expect(JSON.parse(hello.body)).toEqual({ message: 'Hello from hello-node!' });
      expect(fs.readFileSync(`/proc/${running.pid}/status`, 'utf-8')).toMatch(/^Uid:\s+1000\b/m);
      const probe = info.healthcheck!.Test!;
      expect(running.exec(probe.slice(1)).status).toBe(0);
    } finally {
      expect((await running.stop('SIGTERM')).status).toBe(0);
    }
    // eslint-disable-next-line no-console
    console.log(`hello-node (${engine}): built in ${built.seconds.toFixed(1)} s, image ${(info.size / 1e6).toFixed(1)} MB`);
  });
});

describe('a static front end', () => {
  const port = 18082;
  let dir: string;
  const tag = 'localhost/stagecraft-test/hello-site:0.0.0';

  beforeAll(() => {
    // nginx.conf quotes the path: a ";" would end the location directive.
    dir = generate({ name: 'hello-site', appKind: NodeAppKind.STATIC_SITE, port, healthCheckPath: "/ready;1'" });
  });

  test('the build assembles the site (the page and one bundle) and the tests pass with real npm', () => {
    mustRun('npx', ['projen', 'compile'], { cwd: dir, env: userEnv() });
    expect(fs.readdirSync(path.join(dir, 'dist')).sort()).toEqual(['index.html', 'main.js']);
    // esbuild put greeting.ts into main.js: nothing left for the browser to import.
    const bundle = fs.readFileSync(path.join(dir, 'dist/main.js'), 'utf-8');
    expect(bundle).toContain('Hello from hello-site!');
    expect(bundle).not.toMatch(/\bimport\s*[{"'(*]/);
    expect(mustRun('npx', ['projen', 'test'], { cwd: dir, env: userEnv() }).output).toMatch(/Tests:\s+1 passed, 1 total/);
  });

  test.each(ENGINES)('%s: unprivileged nginx serves the build, falls back to index.html for client routes, and is healthy', async (engine) => {
    build(engine, dir, tag);
    const info = engine.imageInfo(tag);
    expect(info.user).toBe('101:101');
    // The page and the bundle: no node_modules, no sources.
    expect(servedSiteFiles(engine, tag)).toEqual(['/usr/share/nginx/html/index.html', '/usr/share/nginx/html/main.js']);
    const running = await engine.startImage(tag, undefined, { pipeOutput: true });
    let stopped: CommandResult;
    try {
      const base = `http://127.0.0.1:${running.hostPort(port)}`;
      const index = await waitFor(async () => httpGet(`${base}/`).catch(() => undefined), 15000);
      expect(index.body).toContain('<script type="module" src="/main.js">');
      const route = await httpGet(`${base}/some/client/route`);
      expect(route.status).toBe(200);
      expect(route.body).toBe(index.body);
      const script = await httpGet(`${base}/main.js`);
      expect(script.status).toBe(200);
      expect(script.body).toContain('Hello from hello-site!');
      expect((await httpGet(`${base}/ready;1'`)).status).toBe(200);
      const probe = info.healthcheck!.Test!;
      expect(running.exec(probe.slice(1)).status).toBe(0);
    } finally {
      stopped = await running.stop('SIGQUIT');
    }
    // nginx logs each request to /dev/stdout: Docker gives the container user its own (buildah: see pipeOutput).
    expect(stopped.stdout).toMatch(/"GET \/some\/client\/route HTTP\/1\.1" 200 /);
  });
});
