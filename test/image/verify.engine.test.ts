import * as path from 'path';
import { GoAppProject, Instruction, NodeAppKind, NodeAppProject, NodeAppProjectOptions } from '../../src';
import { BUILDAH, BUILT_IN_FRONTEND, ContainerEngine, ENGINES, ensureEngineReady, inToolroot, PackageIndex, startPackageIndex } from '../harness';
import { mustRun, REPO, run, Run, userEnv } from '../package-util';
import { synthInto } from '../python/poetry-util';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

jest.setTimeout(40 * 60 * 1000);

/** projen's own CLI: it runs a project's task from .projen/tasks.json, as `npx projen verify` does. */
const PROJEN = path.join(REPO, 'node_modules', 'projen', 'bin', 'projen');

let index: PackageIndex;
const images = new Set<string>();

beforeAll(async () => {
  ensureEngineReady();
  index = await startPackageIndex();
});

afterAll(async () => {
  for (const engine of ENGINES) {
    images.forEach((image) => engine.removeImage(image));
  }
  await index?.stop();
});

/** `npx projen <task>` in the project, with the engine named as a user names it: CONTAINER_ENGINE. */
function projenTask(engine: ContainerEngine, dir: string, task: string): Run {
  return run(process.execPath, [PROJEN, task], { cwd: dir, env: { ...userEnv(), ...engine.taskEnvironment() } });
}

/** `npx projen verify` in the project, which builds `image`. */
function verify(engine: ContainerEngine, dir: string, image: string): Run {
  images.add(image);
  const r = projenTask(engine, dir, 'verify');
  // The report, for the log: the lines the verifier prints.
  // eslint-disable-next-line no-console
  console.log(`${engine.name}, ${image}:\n${report(r).join('\n')}`);
  return r;
}

/** The report's lines. */
function report(r: Run): string[] {
  return r.stdout.split('\n').filter((line) => line.startsWith('verify: '));
}

/** Asserts a pass: every rule's line ends in "ok", in the order the verifier checks them. */
function expectPass(r: Run, rules: RegExp[]): void {
  if (r.status !== 0) {
    throw new Error(`verify exited ${r.status}:\n${r.output.slice(-6000)}`);
  }
  const lines = report(r);
  expect(lines.slice(1, -1)).toHaveLength(rules.length);
  rules.forEach((rule, i) => expect(lines[i + 1]).toMatch(rule));
  expect(lines[lines.length - 1]).toBe(`verify: pass (${rules.length} rules)`);
}

const USER = (spec: string) => new RegExp(`^verify: non-root user: ${spec} \\(not root\\) \\.\\.\\. ok$`);
const NO_TOOLS = (...tools: string[]) => new RegExp(`^verify: no build tools: none of gcc, g\\+\\+, cc, c\\+\\+, clang, ${tools.join(', ')} \\.\\.\\. ok$`);
const SIZE = (budget: number) => new RegExp(`^verify: size budget: \\d+\\.\\d MB of ${budget} MB \\.\\.\\. ok$`);
const RUNNING = (port: number) => new RegExp(`^verify: command starts: .* running, port ${port} \\.\\.\\. ok$`);
const HEALTHY = (url: string) => new RegExp(`^verify: health probe: .* ${url.replace(/[.?]/g, '\\$&')} passed after \\d+\\.\\d s \\(bound 30 s\\) \\.\\.\\. ok$`);

/** A node-app, installed with the npm of its image's Node (node.engine.test.ts says why), as its user would. */
function nodeApp(options: Partial<NodeAppProjectOptions> & { name: string }): string {
  const dir = tempDir('verify-node-');
  synthesize(() => new NodeAppProject({ defaultReleaseBranch: 'main', outdir: dir, ...BUILT_IN_FRONTEND, ...options }));
  const npm = BUILDAH.runImage('docker.io/library/node:24-slim', ['npm', '--version']).stdout.trim();
  mustRun('npx', ['-y', `npm@${npm}`, 'install', '--no-audit', '--no-fund'], { cwd: dir, env: userEnv() });
  return dir;
}

describe('a poetry-app service', () => {
  // Services run on the host's network under buildah: ports of their own.
  const port = 18473;
  let dir: string;

  beforeAll(() => {
    dir = tempDir('verify-poetry-');
    synthInto(dir, { name: 'verify-poetry', port, testDeps: [], packageIndex: index.url, ...BUILT_IN_FRONTEND });
    const lock = inToolroot(dir, ['poetry', 'lock'], { POETRY_VIRTUALENVS_IN_PROJECT: 'true', POETRY_NO_INTERACTION: '1' });
    expect(lock.status).toBe(0);
  });

  test.each(ENGINES)('%s: verify builds the image and passes', (engine) => {
    expectPass(verify(engine, dir, 'verify-poetry:0.1.0'), [
      USER('10001:10001'), NO_TOOLS('poetry'), SIZE(400), RUNNING(port), HEALTHY(`http://127.0.0.1:${port}/healthz`),
    ]);
  });
});

describe('a node-app service', () => {
  const port = 18471;
  let dir: string;
  beforeAll(() => {
    dir = nodeApp({ name: 'verify-node', port });
  });

  test.each(ENGINES)('%s: verify builds the image and passes', (engine) => {
    expectPass(verify(engine, dir, 'verify-node:0.0.0'), [
      USER('1000:1000'), NO_TOOLS('tsc', 'ts-node', 'tsx', 'projen'), SIZE(500), RUNNING(port), HEALTHY(`http://127.0.0.1:${port}/healthz`),
    ]);
  });
});

describe('a node-app static site', () => {
  const port = 18472;
  let dir: string;
  beforeAll(() => {
    dir = nodeApp({ name: 'verify-site', appKind: NodeAppKind.STATIC_SITE, port });
  });

  test.each(ENGINES)('%s: verify builds the image and passes', (engine) => {
    expectPass(verify(engine, dir, 'verify-site:0.0.0'), [
      USER('101:101'), NO_TOOLS('esbuild', 'node', 'npm', 'npx', 'corepack', 'yarn', 'pnpm', 'tsc', 'ts-node', 'tsx', 'projen'), SIZE(300), RUNNING(port),
      HEALTHY(`http://127.0.0.1:${port}/healthz`),
    ]);
  });
});

describe('a go-app (a command-line app on distroless: no shell)', () => {
  let dir: string;
  const generate = (configure?: (p: GoAppProject) => void) => synthesize(() => {
    const project = new GoAppProject({ name: 'verify-go', outdir: dir, ...BUILT_IN_FRONTEND });
    configure?.(project);
    return project;
  });
  beforeAll(() => {
    dir = tempDir('verify-go-');
    generate();
  });

  test.each(ENGINES)('%s: verify builds the image and passes', (engine) => {
    expectPass(verify(engine, dir, 'verify-go:0.1.0'), [
      USER('65532:65532'), NO_TOOLS('go', 'gofmt'), SIZE(100),
      /^verify: command starts: \["\/app\/verify-go"\] exited 0 in \d+\.\d s \("Hello from verify-go!"\) \.\.\. ok$/,
    ]);
  });

  test.each(ENGINES)('%s: docker:build again, nothing changed, reuses every layer: the same image', (engine) => {
    // buildah keeps no layer cache unless told (--layers, which the task adds): each build would be
    // a cold one, and a new image. The engine's flags here leave --layers out on purpose.
    const build = () => {
      const r = projenTask(engine, dir, 'docker:build');
      if (r.status !== 0) {
        throw new Error(`docker:build exited ${r.status}:\n${r.output.slice(-4000)}`);
      }
      return engine.imageInfo('verify-go:0.1.0').id;
    };
    const first = build();
    expect(build()).toBe(first);
  });

  describe('with the Go toolchain copied into the runtime by an escape hatch', () => {
    beforeAll(() => {
      // The Dockerfile model allows it (the lint gate has no rule on what a COPY brings); verify must not.
      generate((project) => project.dockerfile.stage('runtime').addInstruction(
        Instruction.copy(['/usr/local/go/bin/go'], '/usr/local/bin/go', { from: 'builder' }), 'leaked-go'));
    });

    test.each(ENGINES)('%s: verify fails and names the rule', (engine) => {
      const r = verify(engine, dir, 'verify-go:0.1.0');
      expect(r.status).not.toBe(0);
      const lines = report(r);
      expect(lines).toContain('verify: no build tools: the image holds /usr/local/bin/go: a build stage\'s tool reached the runtime ... FAIL');
      expect(lines[lines.length - 1]).toBe('verify: FAIL: no build tools');
      // The other rules still pass: the failure names what broke, and only that.
      expect(lines.filter((line) => line.endsWith('... ok'))).toHaveLength(3);
      expect(r.output).toMatch(/Task "verify" failed/);
    });
  });
});
