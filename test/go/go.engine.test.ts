import * as fs from 'fs';
import * as path from 'path';
import { GoAppProject, GoAppProjectOptions, GoRuntime, Instruction } from '../../src';
import { BUILT_IN_FRONTEND, ContainerEngine, ENGINES, ensureEngineReady, httpGet, inToolroot, TestImages, waitFor } from '../harness';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

jest.setTimeout(30 * 60 * 1000);

const images = new TestImages();
beforeAll(() => ensureEngineReady());
afterAll(() => images.removeAll());

function generate(options: GoAppProjectOptions, configure?: (p: GoAppProject) => void): string {
  const dir = tempDir('go-app-');
  synthesize(() => {
    const project = new GoAppProject({ outdir: dir, ...BUILT_IN_FRONTEND, ...options });
    configure?.(project);
    return project;
  });
  return dir;
}

/** The real Go toolchain (Debian's, in the tool root); GOFLAGS=-mod=mod is not set: go.mod is used as generated. */
function go(dir: string, ...args: string[]): string {
  const r = inToolroot(dir, ['go', ...args], { GOTOOLCHAIN: 'local', GOFLAGS: '', GOPROXY: 'off' });
  if (r.status !== 0) {
    throw new Error(`go ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout + r.stderr;
}

function build(engine: ContainerEngine, dir: string, tag: string) {
  return images.build(engine, { contextDir: dir, tag, platform: 'linux/amd64' });
}

describe('a Go service with the default options', () => {
  const port = 18081;
  let dir: string;
  const tag = 'localhost/stagecraft-test/hello-go:0.1.0';

  beforeAll(() => {
    dir = generate({ name: 'hello-go', port });
  });

  test('go vet, go test and go build pass on the generated project with the real toolchain', () => {
    expect(fs.readFileSync(path.join(dir, 'go.mod'), 'utf-8')).toContain('\ngo 1.27\n');
    expect(go(dir, 'version')).toMatch(/go1\.27/);
    go(dir, 'vet', './...');
    expect(go(dir, 'test', './...')).toMatch(/^ok\s+example\.com\/hello-go\/cmd\/hello-go/m);
    go(dir, 'build', './...');
  });

  test.each(ENGINES)('%s: the image is the static binary on distroless, non-root, and the service answers its own health check', async (engine) => {
    const built = build(engine, dir, tag);
    const info = engine.imageInfo(tag);
    expect(info.entrypoint).toEqual(['/app/hello-go']);
    expect(info.user).toBe('65532:65532');
    expect(info.exposedPorts).toEqual([`${port}/tcp`]);
    expect(engine.imageFileExists(tag, '/bin/sh')).toBe(false);
    expect(engine.imageFileExists(tag, '/etc/ssl/certs/ca-certificates.crt')).toBe(true);
    expect(engine.listImagePaths(tag, '/usr/share/zoneinfo/UTC').length).toBe(1);
    const binary = engine.listImagePaths(tag, '/app/hello-go');
    expect(binary).toEqual(['/app/hello-go']);

    const running = await engine.startImage(tag);
    try {
      const hello = await waitFor(async () => httpGet(`http://127.0.0.1:${running.hostPort(port)}/`).catch(() => undefined), 15000);
      expect(hello.body.trim()).toBe('Hello from hello-go!');
      // the image's own HEALTHCHECK, run as Docker runs it: in the running container, as its user
      const probe = info.healthcheck!.Test!;
      expect(probe.slice(0, 1)).toEqual(['CMD']);
      expect(running.exec(probe.slice(1)).status).toBe(0);
      expect(fs.readFileSync(`/proc/${running.pid}/status`, 'utf-8')).toMatch(/^Uid:\s+65532\b/m);
    } finally {
      const stopped = await running.stop('SIGTERM');
      expect(stopped.status).toBe(0); // graceful shutdown on docker stop
    }
    // eslint-disable-next-line no-console
    console.log(`hello-go (${engine}): built in ${built.seconds.toFixed(1)} s, image ${(info.size / 1e6).toFixed(2)} MB`);
  });
});

describe('a real-shaped standard-library HTTP server: main at the root, a package in version/, no probe flag', () => {
  const port = 18083;
  let dir: string;
  const tag = 'localhost/stagecraft-test/realsrv:1.2.3';

  beforeAll(() => {
    dir = tempDir('go-real-');
    // Written before synthesis, as an existing module brought into stagecraft: the context is derived from it.
    const files: Record<string, string> = {
      'main.go': [
        'package main', '', 'import (', '\t"fmt"', '\t"log"', '\t"net/http"', '\t"os"', '', '\t"example.com/realsrv/version"', ')', '',
        'func main() {',
        '\tport := os.Getenv("PORT")',
        '\tif port == "" {', '\t\tlog.Fatal("PORT is not set")', '\t}',
        '\thttp.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })',
        '\thttp.HandleFunc("/version", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, version.Version) })',
        '\tlog.Fatal(http.ListenAndServe(os.Getenv("HOST")+":"+port, nil))',
        '}', '',
      ].join('\n'),
      'version/version.go': 'package version\n\n// Version is stamped by the linker.\nvar Version = "dev"\n',
      'docs/README.md': '# realsrv\n',
    };
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    synthesize(() => new GoAppProject({
      ...BUILT_IN_FRONTEND,
      name: 'realsrv',
      outdir: dir,
      modulePath: 'example.com/realsrv',
      version: '1.2.3',
      port,
      sampleCode: false,
      mainPackage: '.',
      environment: { HOST: '0.0.0.0' },
      linkerVariables: { 'example.com/realsrv/version.Version': '1.2.3' },
    }));
  });

  test('the context carries version/ (before: "no required module provides package") and the toolchain vets it', () => {
    expect(fs.readFileSync(path.join(dir, '.dockerignore'), 'utf-8')).toContain('!version/');
    go(dir, 'vet', './...');
  });

  test.each(ENGINES)('%s: PORT reaches the app, the probe needs no flag, the version is stamped', async (engine) => {
    build(engine, dir, tag);
    const info = engine.imageInfo(tag);
    expect(info.healthcheck!.Test!.slice(1)).toEqual(['/stagecraft/healthprobe', `http://127.0.0.1:${port}/healthz`]);
    expect(engine.imageFileExists(tag, '/bin/sh')).toBe(false);
    const running = await engine.startImage(tag);
    try {
      const version = await waitFor(async () => httpGet(`http://127.0.0.1:${running.hostPort(port)}/version`).catch(() => undefined), 15000);
      expect(version.body.trim()).toBe('1.2.3');
      // Before: the HEALTHCHECK ran the app with -healthcheck: "flag provided but not defined", forever unhealthy.
      expect(running.exec(info.healthcheck!.Test!.slice(1)).status).toBe(0);
      expect(fs.readFileSync(`/proc/${running.pid}/status`, 'utf-8')).toMatch(/^Uid:\s+65532\b/m);
    } finally {
      await running.stop('SIGKILL');
    }
    // the probe fails when nothing answers
    expect(engine.runImage(tag, [], { entrypoint: info.healthcheck!.Test!.slice(1) }).status).toBe(1);
  });
});

describe('a Go binary with a local replaced module, on scratch', () => {
  let dir: string;
  const tag = 'localhost/stagecraft-test/greeter:0.1.0';

  beforeAll(() => {
    dir = generate({ name: 'greeter', runtime: GoRuntime.SCRATCH, replaces: { 'example.com/greeting': './greeting' }, deps: ['example.com/greeting@v0.0.0'] });
    fs.mkdirSync(path.join(dir, 'greeting'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'greeting/go.mod'), 'module example.com/greeting\n\ngo 1.27\n');
    fs.writeFileSync(path.join(dir, 'greeting/greeting.go'), 'package greeting\n\n// Say greets from the local module.\nfunc Say() string { return "Hello from a replaced module!" }\n');
    // The user's code: the stub's greeting now comes from the replaced module.
    const main = path.join(dir, 'cmd/greeter/main.go');
    fs.writeFileSync(main, fs.readFileSync(main, 'utf-8')
      .replace('import (\n\t"fmt"\n)', 'import (\n\t"fmt"\n\n\tgreet "example.com/greeting"\n)')
      .replace('return "Hello from greeter!"', 'return greet.Say()'));
  });

  test('the toolchain resolves the replaced module from the project folder', () => {
    go(dir, 'vet', './...');
    go(dir, 'test', './...');
    go(dir, 'build', './...');
  });

  test.each(ENGINES)('%s builds the image with the replaced module and it runs on scratch as 65532', (engine) => {
    build(engine, dir, tag);
    const run = engine.runImage(tag);
    expect(run.stdout.trim()).toBe('Hello from a replaced module!');
    expect(engine.imageInfo(tag).user).toBe('65532:65532');
    expect(engine.imageFileExists(tag, '/etc/passwd')).toBe(true);
    expect(engine.imageFileExists(tag, '/bin/sh')).toBe(false);
  });
});

describe('the static-binary check: a binary that links the C library fails the build, loudly', () => {
  let dir: string;
  beforeAll(() => {
    dir = generate({ name: 'cgo-app' }, (p) => {
      p.dockerfile.stage('builder').replaceInstruction('env', Instruction.env({ CGO_ENABLED: '1' }));
    });
    fs.writeFileSync(path.join(dir, 'cmd/cgo-app/cgo.go'), 'package main\n\n// #include <stdlib.h>\nimport "C"\n\nvar _ = C.free\n');
  });

  test.each(ENGINES)('%s', (engine) => {
    const tag = 'localhost/stagecraft-test/cgo-app:0.1.0';
    expect(images.failedBuild(engine, { contextDir: dir, tag, platform: 'linux/amd64' })).toContain('/out/cgo-app is dynamically linked (cgo?); the runtime image has no C library. Keep CGO_ENABLED=0.');
  });
});
