import * as fs from 'fs';
import * as path from 'path';
import { CrateRegistry, startCrateRegistry } from './crate-registry';
import { mustCargo } from './rust-root';
import { RustAppProject, RustAppProjectOptions, RustRuntime } from '../../src';
import { only, parseDockerfile, stageNamed } from '../dockerfile-facts';
import { BUILT_IN_FRONTEND, ContainerEngine, ENGINES, ensureEngineReady, httpGet, SCRIPTS, TestImages, waitFor } from '../harness';
import { mustExec } from '../harness/command';
import { npxProjen, projenNew } from '../package-util';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

jest.setTimeout(30 * 60 * 1000);

const images = new TestImages();

beforeAll(() => {
  ensureEngineReady();
  mustExec(path.join(SCRIPTS, 'rustroot'), []);
});
afterAll(() => images.removeAll());


function generate(options: RustAppProjectOptions): string {
  const dir = tempDir('rust-app-');
  synthesize(() => new RustAppProject({ outdir: dir, ...BUILT_IN_FRONTEND, ...options }));
  return dir;
}

function build(engine: ContainerEngine, dir: string, tag: string) {
  return images.build(engine, { contextDir: dir, tag, platform: 'linux/amd64' });
}

/** The runtime image holds its base, the binary and nothing else of size: at most base + binary + 1 MB. */
function expectSizeWithinBase(engine: ContainerEngine, tag: string, base: string, binaryPath: string): string {
  const size = engine.imageInfo(tag).size;
  const baseSize = engine.imageInfo(base).size;
  const binary = engine.withImageRoot(tag, (root) => fs.statSync(path.join(root, binaryPath)).size);
  expect(size).toBeLessThanOrEqual(baseSize + binary + 1e6);
  return `${(size / 1e6).toFixed(2)} MB against ${base} ${(baseSize / 1e6).toFixed(2)} MB (+${((size - baseSize) / 1e6).toFixed(2)} MB; binary ${(binary / 1e6).toFixed(2)} MB)`;
}

describe('projen new --from the packed package: rust-app with Node alone, then cargo and the engine', () => {
  const dir = path.join(tempDir('rust-new-'), 'hello-rust');
  let created: ReturnType<typeof projenNew>;

  beforeAll(() => {
    created = projenNew(dir, 'rust-app', []);
  });

  test('creates the project with Node alone: manifest, lock, stub, Dockerfile; .projenrc.ts names rustVersion', () => {
    expect(created.output).not.toMatch(/^\s+at /m);
    expect(created.status).toBe(0);
    for (const file of ['.projenrc.ts', 'package.json', 'Cargo.toml', 'Cargo.lock', 'src/main.rs', 'Dockerfile', '.dockerignore', 'README.md']) {
      expect(fs.existsSync(path.join(dir, file))).toBe(true);
    }
    const rc = fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf-8');
    expect(rc).toContain('import { RustAppProject } from "stagecraft"');
    expect(rc).toMatch(/rustVersion: "1\.85"/);
    const df = parseDockerfile(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8'));
    expect(df.stages.map((s) => s.image)).toEqual(['rust:1.85-slim-bookworm', 'gcr.io/distroless/cc-debian12:nonroot']);
    expect(only(stageNamed(df, 'runtime'), 'ENTRYPOINT').json).toEqual(['/app/hello-rust']);
  });

  test('cargo test passes with the real toolchain, and the written Cargo.lock is the one cargo keeps (--locked)', () => {
    const lock = fs.readFileSync(path.join(dir, 'Cargo.lock'), 'utf-8');
    expect(mustCargo(dir, '--version')).toMatch(/^cargo 1\.85/);
    expect(mustCargo(dir, 'test', '--locked', '--offline')).toMatch(/test tests::greeting_names_the_app \.\.\. ok/);
    expect(fs.readFileSync(path.join(dir, 'Cargo.lock'), 'utf-8')).toBe(lock);
  });

  test.each(ENGINES)('%s builds the generated Dockerfile unchanged; the image runs as non-root and prints the stub\'s line', (engine) => {
    // The directive names Docker Hub's frontend image, which this machine cannot reach; buildah ignores it.
    if (engine.name === 'docker') {
      const rc = path.join(dir, '.projenrc.ts');
      fs.writeFileSync(rc, fs.readFileSync(rc, 'utf-8').replace('rustVersion: "1.85",', 'rustVersion: "1.85",\n  dockerfileSyntax: "",'));
      expect(npxProjen(dir).status).toBe(0);
    }
    const tag = 'localhost/rust-test/hello-rust:0.1.0';
    const built = build(engine, dir, tag);
    const info = engine.imageInfo(tag);
    expect(info.user).toBe('65532:65532');
    expect(info.entrypoint).toEqual(['/app/hello-rust']);
    const run = engine.runImage(tag);
    expect(run.stdout.trim()).toBe('Hello from hello-rust!');
    expect(engine.runImage(tag, [], { entrypoint: ['/app/hello-rust'] }).status).toBe(0);
    expect(engine.imageFileExists(tag, '/bin/sh')).toBe(false);
    expect(engine.imageFileExists(tag, '/usr/bin/cargo')).toBe(false);
    expect(engine.imageFileExists(tag, '/usr/local/cargo')).toBe(false);
    const sizes = expectSizeWithinBase(engine, tag, 'gcr.io/distroless/cc-debian12:nonroot', 'app/hello-rust');
    // eslint-disable-next-line no-console
    console.log(`hello-rust (${engine}): "${run.stdout.trim()}", built in ${built.seconds.toFixed(1)} s, image ${sizes}`);
  });
});

describe('a static binary on distroless static, with a crate from a sparse registry (crateRegistry)', () => {
  let registry: CrateRegistry;
  let dir: string;

  beforeAll(async () => {
    registry = await startCrateRegistry();
    dir = generate({ name: 'cfg-greeter', runtime: RustRuntime.DISTROLESS_STATIC, crateRegistry: registry.url, deps: ['cfg-if@1.0'] });
    // The user's code: the greeting now goes through the crate.
    const main = path.join(dir, 'src/main.rs');
    fs.writeFileSync(main, fs.readFileSync(main, 'utf-8').replace(
      'fn greeting() -> String {\n    String::from("Hello from cfg-greeter!")\n}',
      'cfg_if::cfg_if! {\n    if #[cfg(unix)] {\n        fn greeting() -> String {\n            String::from("Hello from cfg-greeter!")\n        }\n    } else {\n        fn greeting() -> String {\n            String::from("not unix")\n        }\n    }\n}',
    ));
  });
  afterAll(() => registry?.stop());

  test('cargo resolves cfg-if from the registry through .cargo/config.toml, writes Cargo.lock, and the tests pass', () => {
    expect(registry.crates).toContain('cfg-if@1.0.0');
    expect(fs.existsSync(path.join(dir, 'Cargo.lock'))).toBe(false); // with dependencies, the lock is cargo's to write
    mustCargo(dir, 'generate-lockfile');
    const lock = fs.readFileSync(path.join(dir, 'Cargo.lock'), 'utf-8');
    // Source replacement: the lock names crates.io, whatever mirror served the crate.
    expect(lock).toContain('name = "cfg-if"\nversion = "1.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"');
    expect(registry.log).toContain('GET /index/cf/g-/cfg-if 200');
    expect(mustCargo(dir, 'test', '--locked')).toMatch(/test tests::greeting_names_the_app \.\.\. ok/);
    expect(registry.log.some((l) => /^GET \/crates\/cfg-if\/1\.0\.0\/download 200$/.test(l))).toBe(true);
  });

  test.each(ENGINES)('%s builds it: the crate is fetched in the builder through the same config, the binary is static on distroless static', (engine) => {
    const tag = 'localhost/rust-test/cfg-greeter:0.1.0';
    const downloads = () => registry.log.filter((l) => l === 'GET /crates/cfg-if/1.0.0/download 200').length;
    const before = downloads();
    const built = build(engine, dir, tag);
    // The builder's registry cache is its own: it downloaded the crate from the mirror that .cargo/config.toml names.
    expect(downloads()).toBeGreaterThan(before);
    const run = engine.runImage(tag);
    expect(run.stdout.trim()).toBe('Hello from cfg-greeter!');
    expect(engine.imageInfo(tag).user).toBe('65532:65532');
    expect(engine.imageFileExists(tag, '/lib64/ld-linux-x86-64.so.2')).toBe(false); // no C library to link against at run time
    const sizes = expectSizeWithinBase(engine, tag, 'gcr.io/distroless/static-debian12:nonroot', 'app/cfg-greeter');
    // eslint-disable-next-line no-console
    console.log(`cfg-greeter (${engine}): "${run.stdout.trim()}", built in ${built.seconds.toFixed(1)} s, image ${sizes}`);
  });
});

describe('a service: the port, the stub server and stagecraft\'s own probe', () => {
  const port = 18097;
  let dir: string;

  beforeAll(() => {
    dir = generate({ name: 'rust-svc', port });
  });

  test('cargo test passes (the stub\'s request handling)', () => {
    expect(mustCargo(dir, 'test', '--locked', '--offline')).toMatch(/test tests::health_and_greeting_answer \.\.\. ok/);
  });

  test.each(ENGINES)('%s: the service answers, its HEALTHCHECK passes as the image\'s user, and it fails when nothing answers', async (engine) => {
    const tag = 'localhost/rust-test/rust-svc:0.1.0';
    build(engine, dir, tag);
    const info = engine.imageInfo(tag);
    expect(info.exposedPorts).toEqual([`${port}/tcp`]);
    const probe = info.healthcheck!.Test!;
    expect(probe).toEqual(['CMD', '/stagecraft/healthprobe', `http://127.0.0.1:${port}/healthz`]);
    const running = await engine.startImage(tag);
    try {
      const hello = await waitFor(async () => httpGet(`http://127.0.0.1:${running.hostPort(port)}/`).catch(() => undefined), 15000);
      expect(hello.body.trim()).toBe('Hello from rust-svc!');
      expect(running.exec(probe.slice(1)).status).toBe(0);
      expect(fs.readFileSync(`/proc/${running.pid}/status`, 'utf-8')).toMatch(/^Uid:\s+65532\b/m);
    } finally {
      const stopped = await running.stop('SIGTERM');
      expect(stopped.status).toBe(0); // the stub handles SIGTERM as PID 1
    }
    expect(engine.runImage(tag, [], { entrypoint: probe.slice(1) }).status).toBe(1);
  });
});
