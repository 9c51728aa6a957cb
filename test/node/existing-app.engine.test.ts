import * as fs from 'fs';
import * as path from 'path';
import { BUILDAH, ENGINES, ensureEngineReady, httpGet, TestImages, waitFor } from '../harness';
import { mustRun, npxProjen, packStagecraft, projenNew, userEnv } from '../package-util';
import { tempDir } from '../temp';

jest.setTimeout(30 * 60 * 1000);

/**
 * The packed stagecraft with a version of its own: no npm cache (the host's, or an engine's cache
 * mount) has seen this tarball, so an image build that needed it would fail as on a user's first build.
 */
function coldTarball(): string {
  const work = tempDir('cold-pack-');
  mustRun('tar', ['xzf', packStagecraft(), '-C', work]);
  const manifest = path.join(work, 'package', 'package.json');
  const pkg = JSON.parse(fs.readFileSync(manifest, 'utf-8'));
  pkg.version = `0.0.0-cold.${Date.now()}`;
  fs.writeFileSync(manifest, JSON.stringify(pkg, null, 2));
  const tarball = path.join(work, `stagecraft-${pkg.version}.tgz`);
  mustRun('tar', ['czf', tarball, '-C', work, 'package']);
  return tarball;
}

/** An Express API in the shape of a real one: an app module, a router, a version module; no stub left. */
const SOURCES: Record<string, string> = {
  'src/version.ts': 'export const VERSION = process.env.APP_VERSION ?? "dev";\n',
  'src/routes/orders.ts': [
    'import { Router } from "express";',
    '',
    'export const orders = Router();',
    'const all = [{ id: 1, item: "tea" }];',
    'orders.get("/", (_req, res) => { res.json(all); });',
    '',
  ].join('\n'),
  'src/app.ts': [
    'import express from "express";',
    'import { orders } from "./routes/orders";',
    'import { VERSION } from "./version";',
    '',
    'export const app = express();',
    'app.use(express.json());',
    'app.get("/healthz", (_req, res) => { res.send("ok"); });',
    'app.get("/version", (_req, res) => { res.json({ version: VERSION }); });',
    'app.use("/orders", orders);',
    '',
  ].join('\n'),
  'src/index.ts': [
    'import { app } from "./app";',
    '',
    'const port = Number(process.env.PORT);',
    'if (!port) {',
    '  throw new Error("PORT is not set");',
    '}',
    'const server = app.listen(port, "0.0.0.0");',
    'process.on("SIGTERM", () => server.close());',
    '',
  ].join('\n'),
};

/**
 * A user brings an Express API into a node-app made with `projen new --from <tarball>` (stagecraft
 * is not on the registry yet): the tarball is a devDependency at a path outside the build context.
 */
describe('an existing Express app in a node-app from a stagecraft tarball', () => {
  const port = 13310;
  const dir = path.join(tempDir('existing-node-'), 'orders-api');
  const images = new TestImages();
  let rc: string;

  beforeAll(() => {
    ensureEngineReady();
    const created = projenNew(dir, 'node-app', [], {}, coldTarball());
    expect(created.status).toBe(0);
    rc = fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf-8');
    expect(rc).toMatch(/devDeps: \[["'][^"']*stagecraft-0.0.0-cold[^"']*\.tgz["']/);
    rc = rc.replace(/devDeps: \[/, 'devDeps: ["@types/express@^4", ');
    edit({ deps: '["express@^4"]', port: String(port), dockerfileSyntax: '""' });
    fs.rmSync(path.join(dir, 'test', 'server.test.ts'));
    for (const [file, text] of Object.entries(SOURCES)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    // The image's npm writes the lock its `npm ci` accepts (see node.engine.test.ts).
    const npm = BUILDAH.runImage('docker.io/library/node:24-slim', ['npm', '--version']).stdout.trim();
    mustRun('npx', ['-y', `npm@${npm}`, 'install', '--no-audit', '--no-fund'], { cwd: dir, env: userEnv() });
    expect(npxProjen(dir, ['compile']).status).toBe(0);
  });
  afterAll(() => images.removeAll());

  /** Adds options to the NodeAppProject in .projenrc.ts, as a user edits it, and synthesizes. */
  function edit(options: Record<string, string>): void {
    const added = Object.entries(options).map(([k, v]) => `  ${k}: ${v},`).join('\n');
    rc = rc.replace(/new NodeAppProject\(\{\n/, (m) => `${m}${added}\n`);
    fs.writeFileSync(path.join(dir, '.projenrc.ts'), rc);
    const synth = npxProjen(dir);
    expect(synth.output).not.toMatch(/^\s+at /m);
    expect(synth.status).toBe(0);
  }

  test('the image build installs neither projen nor the tarball, and compiles with the lock\'s TypeScript', () => {
    const dockerfile = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8');
    expect(dockerfile).toMatch(/npm uninstall --package-lock-only --ignore-scripts .*\bprojen\b.*\bstagecraft\b/);
    expect(dockerfile).not.toMatch(/projen compile/);
    expect(dockerfile).toMatch(/^RUN PATH=.* && tsc --build$/m);
    // Deleted stub stays deleted.
    expect(fs.existsSync(path.join(dir, 'test', 'server.test.ts'))).toBe(false);
  });

  test.each(ENGINES)('%s: builds with a cold cache, serves the API as node, and its probe passes', async (engine) => {
    const tag = `localhost/stagecraft-test/orders-api-${engine.name}:0.0.0`;
    images.build(engine, { contextDir: dir, tag });
    expect(engine.imageFileExists(tag, '/app/node_modules/express')).toBe(true);
    expect(engine.imageFileExists(tag, '/app/node_modules/stagecraft')).toBe(false);
    expect(engine.imageFileExists(tag, '/app/node_modules/projen')).toBe(false);
    const info = engine.imageInfo(tag);
    expect(info.env.PORT).toBe(String(port));
    const running = await engine.startImage(tag);
    try {
      const base = `http://127.0.0.1:${running.hostPort(port)}`;
      const orders = await waitFor(async () => httpGet(`${base}/orders`).catch(() => undefined), 15000);
      expect(JSON.parse(orders.body)).toEqual([{ id: 1, item: 'tea' }]);
      expect(running.exec(info.healthcheck!.Test!.slice(1)).status).toBe(0);
    } finally {
      expect((await running.stop('SIGTERM')).status).toBe(0);
    }
  });

  test('before: installing every devDependency (imageBuildOmits: []) fails on the tarball outside the context', () => {
    edit({ imageBuildOmits: '[]' });
    const tag = 'localhost/stagecraft-test/orders-api-all-dev:0.0.0';
    images.add(BUILDAH, tag);
    const built = BUILDAH.buildImage({ contextDir: dir, tag });
    // eslint-disable-next-line no-console
    console.log(`imageBuildOmits: [] build: ${`${built.stdout}${built.stderr}`.split('\n').filter((l) => /npm error (code|enoent)/.test(l)).slice(0, 2).join(' | ')}`);
    expect(built.status).not.toBe(0);
    expect(`${built.stdout}${built.stderr}`).toMatch(/npm error code ENOENT/);
  });
});
