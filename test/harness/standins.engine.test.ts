import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ENGINES, ensureEngineReady, resolveInImage } from '.';

jest.setTimeout(30 * 60 * 1000); // a cold machine debootstraps and apt-gets for several minutes

/**
 * The stand-in base images (scripts/standin-images) offer what a generated Dockerfile may rely on
 * in the official ones: node:24-slim, golang:1.27, gcr.io/distroless/static-debian12, rust:1.85-slim-bookworm,
 * gcr.io/distroless/cc-debian12, maven:3.9-eclipse-temurin-21, eclipse-temurin:21-jre and
 * nginxinc/nginx-unprivileged:1.28. Each test builds a small Dockerfile on one and runs it, with
 * each engine (Docker's copies of the stand-ins are scripts/standin-images --docker's).
 */
describe.each(ENGINES)('stand-in base images: %s', (engine) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'standins-'));
  const tag = (name: string) => `localhost/stagecraft-standin-test/${name}:${process.pid}`;
  const tags: string[] = [];

  function context(name: string, files: Record<string, string>): string {
    const dir = path.join(root, name);
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    }
    return dir;
  }

  function build(dir: string, name: string, opts: { target?: string } = {}): string {
    const t = tag(name);
    tags.push(t);
    const r = engine.buildImage({ contextDir: dir, tag: t, platform: 'linux/amd64', ...opts });
    if (r.status !== 0) {
      throw new Error(`build of ${name} failed:\n${(r.stderr + r.stdout).split('\n').slice(-30).join('\n')}`);
    }
    return t;
  }

  beforeAll(() => ensureEngineReady());
  afterAll(() => {
    tags.forEach((t) => engine.removeImage(t));
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('node:24-slim: Node 24 with fetch, npm ci / npx tsc as root, npm ci --omit=dev as node (1000)', () => {
    const base = engine.imageInfo('docker.io/library/node:24-slim');
    expect(base.cmd).toEqual(['node']);
    expect(base.labels['io.stagecraft.standin-recipe']).toMatch(/^[0-9a-f]{16}$/);
    expect(engine.readImageFile('docker.io/library/node:24-slim', '/etc/passwd')).toContain('node:x:1000:1000::/home/node:/bin/bash\n');

    const dir = context('node', {
      'package.json': JSON.stringify({
        name: 'standin-probe',
        version: '1.0.0',
        private: true,
        dependencies: { ms: '2.1.3' },
        devDependencies: { typescript: '5.6.3' },
      }, null, 2),
      'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', lib: ['ES2022'], module: 'commonjs', outDir: 'dist', strict: true, types: [] }, include: ['src'] }),
      'src/index.ts': [
        'declare const require: (id: string) => (s: string) => number;',
        'declare const process: { version: string; getuid(): number; cwd(): string };',
        'declare const fetch: unknown;',
        'declare const console: { log(line: string): void };',
        "const ms = require('ms');",
        "console.log(JSON.stringify({ version: process.version, uid: process.getuid(), cwd: process.cwd(), ms: ms('2h'), fetch: typeof fetch }));",
        '',
      ].join('\n'),
      'Dockerfile': [
        'FROM node:24-slim AS build',
        'WORKDIR /app',
        'COPY package.json package-lock.json tsconfig.json ./',
        'RUN npm ci && test -d /root/.npm/_cacache && test "$(stat -c %u .)" = 0',
        'COPY src ./src',
        'RUN npx tsc && node dist/index.js',
        '',
        'FROM node:24-slim',
        'WORKDIR /app',
        'RUN chown node:node /app',
        'USER node',
        'COPY --chown=node:node package.json package-lock.json ./',
        'RUN npm ci --omit=dev && test -d /home/node/.npm/_cacache && test ! -e node_modules/typescript && test -d node_modules/ms',
        'COPY --from=build /app/dist ./dist',
        'CMD ["node", "dist/index.js"]',
        '',
      ].join('\n'),
    });
    // The lock file as a developer's npm writes it (with resolved URLs), made on the host.
    const lock = spawnSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund',
      '--omit-lockfile-registry-resolved=false'], { cwd: dir, encoding: 'utf-8' });
    expect([lock.status, lock.stderr]).toEqual([0, expect.anything()]);
    expect(fs.existsSync(path.join(dir, 'package-lock.json'))).toBe(true);

    // This machine reaches the npm registry through a TLS-intercepting proxy whose CA only the host
    // trusts (Debian's Node reads the system store): buildah's RUN steps get the host's CA bundle,
    // mounted read-only and not kept in the image; Docker's copy of the base image has the host's
    // extra CAs in its bundle (scripts/standin-images --docker). A no-op on a machine without such a proxy.
    const t = build(dir, 'node');

    const run = engine.runImage(t);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    const out = JSON.parse(run.stdout);
    expect(out).toEqual({ version: expect.stringMatching(/^v24\./), uid: 1000, cwd: '/app', ms: 7200000, fetch: 'function' });
    expect(engine.imageInfo(t).user).toBe('node');
    expect(engine.runImage(t, ['sh', '-c', 'id -u; echo $HOME; npm --version; npm config get cache']).stdout)
      .toMatch(/^1000\n\/home\/node\n\d+\.\d+\.\d+\n\/home\/node\/\.npm\n$/);
    expect(engine.listImagePaths(t, '/app/node_modules/*')).toEqual(['/app/node_modules/.package-lock.json', '/app/node_modules/ms']);
  });

  test('golang:1.27 builds static and cgo binaries; distroless static runs one as nonroot (65532), without a shell', () => {
    const golang = engine.imageInfo('docker.io/library/golang:1.27');
    expect(golang.env).toMatchObject({ GOPATH: '/go', GOTOOLCHAIN: 'local' });
    expect(golang.env.PATH).toMatch(/^\/go\/bin:\/usr\/local\/go\/bin:.*\/usr\/bin/);
    expect(golang.workingDir).toBe('/go');

    const dir = context('go', {
      'go.mod': 'module example.com/hello\n\ngo 1.27\n',
      'main.go': [
        'package main',
        '',
        'import (',
        '\t"crypto/x509"',
        '\t"fmt"',
        '\t"os"',
        '\t"os/user"',
        '\t"time"',
        ')',
        '',
        'func main() {',
        '\tname := "?"',
        '\tif u, err := user.Current(); err == nil {',
        '\t\tname = u.Username',
        '\t}',
        '\twd, _ := os.Getwd()',
        '\t_, tzErr := time.LoadLocation("Europe/Berlin")',
        '\tcerts := 0',
        '\tif pool, err := x509.SystemCertPool(); err == nil {',
        '\t\tcerts = len(pool.Subjects())',
        '\t}',
        '\t_, shErr := os.Stat("/bin/sh")',
        '\tfmt.Printf("uid=%d user=%s wd=%s tz=%v certs=%v sh=%v\\n", os.Getuid(), name, wd, tzErr == nil, certs > 100, shErr == nil)',
        '}',
        '',
      ].join('\n'),
      'cgo/main.go': [
        'package main',
        '',
        '// static int answer(void) { return 42; }',
        'import "C"',
        '',
        'import "fmt"',
        '',
        'func main() { fmt.Println("cgo", C.answer()) }',
        '',
      ].join('\n'),
      'Dockerfile': [
        'FROM golang:1.27 AS build',
        'RUN mkdir /out && { id -u; pwd; go version; command -v go; go env GOROOT GOPATH GOMODCACHE GOCACHE; } > /out/info.txt',
        'WORKDIR /src',
        'COPY . .',
        'RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /out/hello . && readelf -l /out/hello > /out/hello.readelf',
        'RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=1 go build -o /out/cgo ./cgo && /out/cgo > /out/cgo.txt && readelf -l /out/cgo > /out/cgo.readelf',
        '',
        'FROM gcr.io/distroless/static-debian12:latest AS asroot',
        'COPY --from=build /out/hello /hello',
        'ENTRYPOINT ["/hello"]',
        '',
        'FROM gcr.io/distroless/static-debian12:nonroot',
        'COPY --from=build /out/hello /hello',
        'ENTRYPOINT ["/hello"]',
        '',
      ].join('\n'),
    });
    const built = build(dir, 'go-build', { target: 'build' });
    const info = engine.readImageFile(built, '/out/info.txt')!.split('\n');
    expect(info.slice(0, 3)).toEqual(['0', '/go', expect.stringMatching(/^go version go1\.27\.\d+ linux\/amd64$/)]);
    expect(info.slice(3, 8)).toEqual(['/usr/local/go/bin/go', expect.stringMatching(/^\//), '/go', '/go/pkg/mod', '/root/.cache/go-build']);
    expect(engine.readImageFile(built, '/out/hello.readelf')).not.toContain('INTERP'); // static
    expect(engine.readImageFile(built, '/out/cgo.readelf')).toContain('INTERP'); // dynamic, against glibc
    expect(engine.readImageFile(built, '/out/cgo.txt')).toBe('cgo 42\n');

    const nonroot = build(dir, 'go-nonroot');
    expect(engine.runImage(nonroot)).toEqual({ status: 0, stdout: 'uid=65532 user=nonroot wd=/home/nonroot tz=true certs=true sh=false\n', stderr: '' });
    const asroot = build(dir, 'go-root', { target: 'asroot' });
    expect(engine.runImage(asroot).stdout).toBe('uid=0 user=root wd=/ tz=true certs=true sh=false\n');

    // The distroless stand-in itself: its config, its files, and nothing to run but what you add.
    const distroless = 'gcr.io/distroless/static-debian12:nonroot';
    expect(engine.imageInfo(distroless)).toMatchObject({ user: '65532', workingDir: '/home/nonroot', cmd: [], entrypoint: [] });
    expect(engine.imageInfo(distroless).env.SSL_CERT_FILE).toBe('/etc/ssl/certs/ca-certificates.crt');
    expect(engine.imageInfo(distroless).size).toBeLessThan(20e6);
    expect(engine.imageInfo('gcr.io/distroless/static-debian12:latest')).toMatchObject({ user: '0', workingDir: '/' });
    expect(engine.readImageFile(distroless, '/etc/passwd')).toBe('root:x:0:0:root:/root:/sbin/nologin\n'
      + 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n');
    expect(engine.readImageFile(distroless, '/etc/group')).toBe('root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n');
    expect(engine.readImageFile(distroless, '/etc/nsswitch.conf')).toMatch(/^hosts: +files dns$/m);
    expect(engine.readImageFile(distroless, '/etc/os-release')).toContain('PRETTY_NAME="Distroless"');
    for (const absent of ['/bin/sh', '/usr/bin/env', '/usr/bin/dpkg', '/usr/bin/apt-get', '/usr/lib/x86_64-linux-gnu/libc.so.6']) {
      expect([absent, engine.imageFileExists(nonroot, absent)]).toEqual([absent, false]);
    }
    expect(engine.listImagePaths(distroless, '/usr/bin/*')).toEqual([]);
    expect(engine.listImagePaths(distroless, '/usr/share/zoneinfo/Europe/Berlin')).toHaveLength(1);
    engine.withImageRoot(distroless, (r) => {
      const stat = (p: string) => fs.statSync(resolveInImage(r, p)!);
      expect((stat('/tmp').mode % 0o10000).toString(8)).toBe('1777');
      expect(stat('/home/nonroot')).toMatchObject({ uid: 65532, gid: 65532 });
      expect(stat('/etc/ssl/certs/ca-certificates.crt').size).toBeGreaterThan(100e3);
    });
  });

  test('rust:1.85-slim-bookworm builds with cargo as root (CARGO_HOME /usr/local/cargo, gnu std only); distroless cc runs the glibc binary as 65532, without a shell', () => {
    const rust = engine.imageInfo('docker.io/library/rust:1.85-slim-bookworm');
    expect(rust.env).toMatchObject({ CARGO_HOME: '/usr/local/cargo', RUSTUP_HOME: '/usr/local/rustup' });
    expect(rust.env.PATH).toMatch(/^\/usr\/local\/cargo\/bin:.*\/usr\/bin/);
    expect(rust.cmd).toEqual(['bash']);
    const dir = context('rust', {
      'Cargo.toml': '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2024"\n',
      'Cargo.lock': '# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n[[package]]\nname = "hello"\nversion = "0.1.0"\n',
      'src/main.rs': 'fn main() {\n    let wd = std::env::current_dir().unwrap();\n    println!("wd={} sh={}", wd.display(), std::path::Path::new("/bin/sh").exists());\n}\n',
      'Dockerfile': [
        'FROM rust:1.85-slim-bookworm AS build',
        'RUN mkdir /out && { id -u; rustc --version; cargo --version; rustc -vV | sed -n "s/^host: //p"; command -v gcc readelf; } > /out/info.txt',
        'WORKDIR /src',
        'COPY . .',
        'RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release --locked && cp target/release/hello /out/hello && readelf -l /out/hello > /out/hello.readelf',
        '',
        'FROM gcr.io/distroless/cc-debian12:nonroot',
        'COPY --from=build /out/hello /hello',
        'ENTRYPOINT ["/hello"]',
        '',
      ].join('\n'),
    });
    const built = build(dir, 'rust-build', { target: 'build' });
    const info = engine.readImageFile(built, '/out/info.txt')!.split('\n');
    expect(info.slice(0, 4)).toEqual(['0', expect.stringMatching(/^rustc 1\.85\./), expect.stringMatching(/^cargo 1\.85\./), 'x86_64-unknown-linux-gnu']);
    expect(engine.readImageFile(built, '/out/hello.readelf')).toContain('INTERP'); // dynamic, against glibc
    const cc = 'gcr.io/distroless/cc-debian12:nonroot';
    expect(engine.imageInfo(cc)).toMatchObject({ user: '65532', workingDir: '/home/nonroot', cmd: [], entrypoint: [] });
    for (const lib of ['/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libgcc_s.so.1', '/lib64/ld-linux-x86-64.so.2']) {
      expect([lib, engine.imageFileExists(cc, lib)]).toEqual([lib, true]);
    }
    const t = build(dir, 'rust-cc');
    expect(engine.runImage(t)).toEqual({ status: 0, stdout: 'wd=/home/nonroot sh=false\n', stderr: '' });
  });

  test('maven:3.9-eclipse-temurin-21 builds a jar with mvn, javac and jar (JAVA_HOME /opt/java/openjdk, MAVEN_HOME, MAVEN_CONFIG); eclipse-temurin:21-jre runs it as a new user, without javac', () => {
    const maven = engine.imageInfo('docker.io/library/maven:3.9-eclipse-temurin-21');
    expect(maven.env).toMatchObject({ JAVA_HOME: '/opt/java/openjdk', MAVEN_HOME: '/usr/share/maven', MAVEN_CONFIG: '/root/.m2' });
    expect(maven.env.PATH).toMatch(/^\/opt\/java\/openjdk\/bin:.*\/usr\/bin/);
    expect(maven.cmd).toEqual(['mvn']);
    const jre = engine.imageInfo('docker.io/library/eclipse-temurin:21-jre');
    expect(jre.env).toMatchObject({ JAVA_HOME: '/opt/java/openjdk' });
    expect(jre.env.PATH).toMatch(/^\/opt\/java\/openjdk\/bin:/);
    const dir = context('java', {
      'Hello.java': 'public class Hello {\n    public static void main(String[] args) {\n        System.out.println("java=" + System.getProperty("java.specification.version"));\n    }\n}\n',
      'Dockerfile': [
        'FROM maven:3.9-eclipse-temurin-21 AS build',
        'RUN mkdir /out && { id -u; mvn -v | head -1; javac -version; command -v java jar; } > /out/info.txt 2>&1',
        'WORKDIR /src',
        'COPY Hello.java .',
        'RUN javac --release 21 -d classes Hello.java && jar --create --file /out/hello.jar --main-class Hello -C classes .',
        '',
        'FROM eclipse-temurin:21-jre',
        'RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app',
        'COPY --from=build /out/hello.jar /app/hello.jar',
        'USER 10001:10001',
        'ENTRYPOINT ["java", "-jar", "/app/hello.jar"]',
        '',
      ].join('\n'),
    });
    const built = build(dir, 'java-build', { target: 'build' });
    const info = engine.readImageFile(built, '/out/info.txt')!.split('\n');
    expect(info.slice(0, 3)).toEqual(['0', expect.stringMatching(/Apache Maven 3\.9\./), expect.stringMatching(/^javac 21\./)]);
    const t = build(dir, 'java-jre');
    expect(engine.imageFileExists(t, '/opt/java/openjdk/bin/javac')).toBe(false);
    expect(engine.runImage(t)).toMatchObject({ status: 0, stdout: 'java=21\n' });
  });

  test('nginx-unprivileged:1.28 serves conf.d\'s default server on 8080 as uid 101', async () => {
    const nginx = 'docker.io/nginxinc/nginx-unprivileged:1.28';
    const base = engine.imageInfo(nginx);
    expect(base).toMatchObject({ user: '101', exposedPorts: ['8080/tcp'], cmd: ['nginx', '-g', 'daemon off;'] });
    expect(base.stopSignal).toMatch(/^(SIGQUIT|3)$/); // podman import stores the number
    const conf = engine.readImageFile(nginx, '/etc/nginx/nginx.conf')!;
    expect(conf).toContain('include /etc/nginx/conf.d/*.conf;');
    expect(conf).toContain('pid        /tmp/nginx.pid;');
    expect(conf).not.toMatch(/sites-enabled|^user/m);
    expect(engine.readImageFile(nginx, '/etc/nginx/conf.d/default.conf')).toMatch(/listen +8080;/);
    expect(engine.readImageFile(nginx, '/etc/passwd')).toContain('nginx:x:101:101:nginx user:/nonexistent:/bin/false\n');

    const dir = context('nginx', {
      'index.html': '<h1>stand-in</h1>\n',
      'Dockerfile': 'FROM nginxinc/nginx-unprivileged:1.28\nCOPY index.html /usr/share/nginx/html/index.html\n',
    });
    const t = build(dir, 'nginx');

    if (engine.hostNetwork) {
      // No network namespace: nginx listens on the host's 8080.
      await new Promise<void>((resolve, reject) => {
        const probe = net.createServer().once('error', (e) => reject(new Error(`port 8080 of this host is busy (${e.message}); `
          + 'the nginx stand-in test listens there')));
        probe.listen(8080, () => probe.close(() => resolve()));
      });
    }
    // nginx logs to /dev/stdout and /dev/stderr (symlinks): a non-root process can only reopen a pipe
    // it owns, and buildah's are root's (containerd hands the container user its own): `| cat`.
    const script = [
      'trap \'rc=$?; if [ -s /tmp/nginx.pid ]; then kill -QUIT "$(cat /tmp/nginx.pid)"; fi; exit $rc\' EXIT',
      '("$@" 2>&1 | cat) &',
      'for i in $(seq 50); do curl -fsS http://127.0.0.1:8080/ > /tmp/page 2>/dev/null && break; sleep 0.2; done',
      // One echo, one write: nginx's access log, on the same stdout, cannot land inside the line.
      'echo "page=$(cat /tmp/page) uid=$(id -u) master=$(awk \'/^Uid/ {print $2}\' /proc/$(cat /tmp/nginx.pid)/status)"',
      'kill -QUIT "$(cat /tmp/nginx.pid)"', // not `nginx -s quit`: it opens the error log too
      'wait',
    ].join('\n');
    const run = engine.runImage(t, ['sh', '-ec', script, 'sh', ...base.cmd]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('page=<h1>stand-in</h1> uid=101 master=101\n');
    expect(run.stdout).toMatch(/"GET \/ HTTP\/1\.1" 200 /); // the access log, on stdout
  });
});
