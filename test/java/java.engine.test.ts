import * as fs from 'fs';
import * as path from 'path';
import { JAVA_ROOT, MavenMirror, startMavenMirror } from './maven-mirror';
import { JavaAppProject, JavaAppProjectOptions } from '../../src';
import { only, parseDockerfile, stageNamed } from '../dockerfile-facts';
import { BUILT_IN_FRONTEND, CommandResult, ContainerEngine, ENGINES, ensureEngineReady, httpGet, SCRIPTS, TestImages, treeBytes, waitFor } from '../harness';
import { exec } from '../harness/command';
import { npxProjen, projenNew } from '../package-util';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

jest.setTimeout(30 * 60 * 1000);

const JRE = 'eclipse-temurin:21-jre';
const images = new TestImages();
let mirror: MavenMirror;

beforeAll(async () => {
  ensureEngineReady();
  mirror = await startMavenMirror();
});
afterAll(async () => {
  images.removeAll();
  await mirror?.stop();
});

/**
 * Real Maven (Debian 13's 3.9.9 on OpenJDK 21, in scripts/javaroot's root) in the project, with
 * a local repository of its own: every artifact comes from the mirror the project names.
 */
function mvn(dir: string, command: string): CommandResult {
  const repo = tempDir('java-m2-');
  return exec(path.join(SCRIPTS, 'in-toolroot'), ['--root', JAVA_ROOT, dir, '--', 'sh', '-c', `${command} -Dmaven.repo.local=${repo}`]);
}

/** The command of one of the project's tasks, as tasks.json has it. */
function taskCommand(dir: string, task: string): string {
  const tasks = JSON.parse(fs.readFileSync(path.join(dir, '.projen/tasks.json'), 'utf-8')).tasks;
  return tasks[task].steps.map((s: any) => s.exec).join(' && ');
}

function generate(options: JavaAppProjectOptions): string {
  const dir = tempDir('java-app-');
  synthesize(() => new JavaAppProject({ outdir: dir, ...BUILT_IN_FRONTEND, mavenRepository: mirror.url, ...options }));
  return dir;
}

function build(engine: ContainerEngine, dir: string, tag: string) {
  return images.build(engine, { contextDir: dir, tag, platform: 'linux/amd64' });
}

/** The diff ids of an image's layers, in order. */
function layers(engine: ContainerEngine, tag: string): string[] {
  return engine.imageInfo(tag).raw.RootFS.Layers;
}

/** The runtime image holds its base and the app's files (jar, lib/, probe) and nothing else of size: at most base + payload + 1 MB. */
function expectSizeWithinBase(engine: ContainerEngine, tag: string, payloadPaths: string[]): string {
  const size = engine.imageInfo(tag).size;
  const baseSize = engine.imageInfo(JRE).size;
  const payload = engine.withImageRoot(tag, (root) => payloadPaths.reduce((n, p) => n + treeBytes(path.join(root, p)), 0));
  expect(size).toBeLessThanOrEqual(baseSize + payload + 1e6);
  return `${(size / 1e6).toFixed(2)} MB against ${JRE} ${(baseSize / 1e6).toFixed(2)} MB (+${((size - baseSize) / 1e6).toFixed(3)} MB; payload ${(payload / 1e3).toFixed(1)} kB)`;
}

describe('projen new --from the packed package: java-app with Node alone, then Maven and the engine', () => {
  const dir = path.join(tempDir('java-new-'), 'hello-java');
  let created: ReturnType<typeof projenNew>;

  beforeAll(() => {
    created = projenNew(dir, 'java-app', []);
  });

  test('creates the project with Node alone: pom.xml, stub and its test, Dockerfile; .projenrc.ts names javaVersion', () => {
    expect(created.output).not.toMatch(/^\s+at /m);
    expect(created.status).toBe(0);
    for (const file of ['.projenrc.ts', 'package.json', 'pom.xml', 'src/main/java/com/example/App.java', 'src/test/java/com/example/AppTest.java', 'Dockerfile', '.dockerignore', 'README.md']) {
      expect(fs.existsSync(path.join(dir, file))).toBe(true);
    }
    const rc = fs.readFileSync(path.join(dir, '.projenrc.ts'), 'utf-8');
    expect(rc).toContain('import { JavaAppProject } from "stagecraft"');
    expect(rc).toMatch(/javaVersion: "21"/);
    const df = parseDockerfile(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8'));
    expect(df.stages.map((s) => s.image)).toEqual(['maven:3.9-eclipse-temurin-21', JRE]);
    expect(only(stageNamed(df, 'runtime'), 'ENTRYPOINT').json).toEqual(['java', '-jar', '/app/hello-java.jar']);
  });

  test('pointed at the mirror (mavenRepository in .projenrc.ts), the stub\'s tests pass with the real mvn, every artifact from the mirror', () => {
    const rc = path.join(dir, '.projenrc.ts');
    // The directive names Docker Hub's frontend image, which this machine cannot reach.
    fs.writeFileSync(rc, fs.readFileSync(rc, 'utf-8').replace('javaVersion: "21",', `javaVersion: "21",\n  mavenRepository: "${mirror.url}",\n  dockerfileSyntax: "",`));
    expect(npxProjen(dir).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, '.mvn/settings.xml'), 'utf-8')).toContain(`<url>${mirror.url}</url>`);
    expect(mvn(dir, 'mvn -v').stdout).toMatch(/Apache Maven 3\.9\.\d+[\s\S]*Java version: 21/);
    const test = mvn(dir, taskCommand(dir, 'test'));
    expect(test.stdout).toMatch(/Tests run: 1, Failures: 0, Errors: 0, Skipped: 0/);
    expect(test.stdout).toContain('BUILD SUCCESS');
    expect(test.status).toBe(0);
    expect(mirror.log).toContain('GET /org/junit/jupiter/junit-jupiter/5.10.2/junit-jupiter-5.10.2.pom 200');
  });

  test.each(ENGINES)('%s builds the generated Dockerfile unchanged; the image runs as non-root, prints the stub\'s line; a source edit rebuilds the jar\'s layer alone', (engine) => {
    const tag = 'localhost/java-test/hello-java:0.1.0';
    const built = build(engine, dir, tag);
    const info = engine.imageInfo(tag);
    expect(info.user).toBe('10001:10001');
    expect(info.entrypoint).toEqual(['java', '-jar', '/app/hello-java.jar']);
    const run = engine.runImage(tag);
    expect(run.stdout.trim()).toBe('Hello from hello-java!');
    expect(engine.runImage(tag, [], { entrypoint: ['id', '-u'] }).stdout.trim()).toBe('10001');
    for (const tool of ['/usr/bin/mvn', '/usr/bin/javac', '/usr/share/maven', '/root/.m2/repository']) {
      expect(engine.imageFileExists(tag, tool)).toBe(false);
    }
    const sizes = expectSizeWithinBase(engine, tag, ['app/hello-java.jar', 'app/lib']);
    // eslint-disable-next-line no-console
    console.log(`hello-java (${engine}): "${run.stdout.trim()}", built in ${built.seconds.toFixed(1)} s, image ${sizes}`);

    // A source-only change: every layer but the jar's is the one built before.
    const main = path.join(dir, 'src/main/java/com/example/App.java');
    const original = fs.readFileSync(main, 'utf-8');
    try {
      fs.writeFileSync(main, original.replace('"Hello from hello-java!"', '"Hello again from hello-java!"'));
      const before = layers(engine, tag);
      const rebuilt = build(engine, dir, tag);
      const after = layers(engine, tag);
      expect(after.length).toBe(before.length);
      expect(after.slice(0, -1)).toEqual(before.slice(0, -1));
      expect(after[after.length - 1]).not.toBe(before[before.length - 1]);
      expect(engine.runImage(tag).stdout.trim()).toBe('Hello again from hello-java!');
      // eslint-disable-next-line no-console
      console.log(`hello-java (${engine}): source-only rebuild ${rebuilt.seconds.toFixed(1)} s, cold ${built.seconds.toFixed(1)} s; ${after.length} layers, the last one new`);
    } finally {
      fs.writeFileSync(main, original);
    }
  });
});

describe('a service with a runtime dependency: lib/ and the Class-Path, the stub server and stagecraft\'s probe', () => {
  const port = 18471;
  let dir: string;

  beforeAll(() => {
    dir = generate({ name: 'java-svc', port, deps: ['org.apache.commons:commons-lang3@3.17.0'] });
    // The user's code: the greeting now goes through the dependency.
    const main = path.join(dir, 'src/main/java/com/example/App.java');
    fs.writeFileSync(main, fs.readFileSync(main, 'utf-8').replace('return "Hello from java-svc!";', 'return org.apache.commons.lang3.StringUtils.capitalize("hello from java-svc!");'));
  });

  test('mvn test passes (the stub\'s request handling, the dependency on the class path)', () => {
    const test = mvn(dir, taskCommand(dir, 'test'));
    expect(test.stdout).toMatch(/Tests run: 2, Failures: 0, Errors: 0, Skipped: 0/);
    expect(test.status).toBe(0);
  });

  test.each(ENGINES)('%s: the dependency is in lib/, the service answers, its HEALTHCHECK passes as the image\'s user, and fails when nothing answers', async (engine) => {
    const tag = 'localhost/java-test/java-svc:0.1.0';
    const built = build(engine, dir, tag);
    const info = engine.imageInfo(tag);
    expect(info.exposedPorts).toEqual([`${port}/tcp`]);
    const probe = info.healthcheck!.Test!;
    expect(probe).toEqual(['CMD', 'java', '-Xmx16m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', '/app/healthprobe', 'HealthProbe', `http://127.0.0.1:${port}/healthz`]);
    expect(engine.withImageRoot(tag, (root) => fs.readdirSync(path.join(root, 'app/lib')))).toEqual(['commons-lang3-3.17.0.jar']);
    // /app holds what the dependency layer left for it (lib/, the probe's class) and the jar, nothing else.
    expect(engine.withImageRoot(tag, (root) => fs.readdirSync(path.join(root, 'app')).sort())).toEqual(['healthprobe', 'java-svc.jar', 'lib']);
    expect(engine.withImageRoot(tag, (root) => fs.readdirSync(path.join(root, 'app/healthprobe')))).toEqual(['HealthProbe.class']);
    const running = await engine.startImage(tag);
    try {
      const hello = await waitFor(async () => httpGet(`http://127.0.0.1:${running.hostPort(port)}/`).catch(() => undefined), 30000);
      expect(hello.body.trim()).toBe('Hello from java-svc!');
      expect(running.exec(probe.slice(1)).status).toBe(0);
      expect(fs.readFileSync(`/proc/${running.pid}/status`, 'utf-8')).toMatch(/^Uid:\s+10001\b/m);
    } finally {
      const stopped = await running.stop('SIGTERM');
      // The JVM exits on SIGTERM as PID 1 (143: its shutdown hooks ran), not killed after the timeout.
      expect([0, 143]).toContain(stopped.status);
    }
    expect(engine.runImage(tag, [], { entrypoint: probe.slice(1) }).status).toBe(1);
    const sizes = expectSizeWithinBase(engine, tag, ['app/java-svc.jar', 'app/lib', 'app/healthprobe']);
    // eslint-disable-next-line no-console
    console.log(`java-svc (${engine}): built in ${built.seconds.toFixed(1)} s, image ${sizes}`);
  });
});
