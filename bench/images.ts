import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen';
import { Comparison } from './resynth';
import { GoAppProject, NodeAppProject, PipAppProject, PoetryAppProject } from '../src';
import { BUILDAH, BUILT_IN_FRONTEND, ContainerEngine, DOCKER, ENGINES, inToolroot } from '../test/harness';
import { mustRun, userEnv } from '../test/package-util';
import { runPipTask } from '../test/pip/pip-index';

/** What one ecosystem's image measures. */
export interface EcosystemFigures {
  readonly ecosystem: string;
  /** Runtime image, bytes. */
  readonly runtime: number;
  /** Its base image, bytes. */
  readonly base: number;
  /** The build stage that produced what the runtime ships, bytes. */
  readonly builder: number;
  /** What the app itself adds (Python: the venv; Go: the binary; Node: node_modules + build output), bytes. */
  readonly payload: number;
  /** Cold builds against source-only rebuilds (buildah). */
  readonly builds: Comparison;
  /**
   * Docker's build times against buildah's, the same builds in the same rounds: cold, and after
   * the source-only change. Undefined when the bench runs without Docker (STAGECRAFT_ENGINES).
   */
  readonly docker?: { readonly cold: Comparison; readonly sourceOnly: Comparison };
}

function mustBuild(
  contextDir: string,
  tag: string,
  extra: { dockerfile?: string; noCache?: boolean; target?: string } = {},
  engine: ContainerEngine = BUILDAH,
): number {
  return engine.mustBuildImage({ contextDir, tag, ...extra }).seconds;
}

function synth(project: Project): void {
  const previous = process.env.PROJEN_DISABLE_POST;
  process.env.PROJEN_DISABLE_POST = 'true';
  try {
    project.synth();
  } finally {
    if (previous === undefined) {
      delete process.env.PROJEN_DISABLE_POST;
    } else {
      process.env.PROJEN_DISABLE_POST = previous;
    }
  }
}

/** Bytes under a path inside an image. */
function bytesIn(tag: string, imagePath: string): number {
  const du = BUILDAH.runImage(tag, [], { entrypoint: ['du', '-s', '-B1', imagePath] });
  if (du.status === 0) {
    return Number(du.stdout.trim().split(/\s+/)[0]);
  }
  // No shell tools in the image (distroless): measure the mounted file system instead.
  return BUILDAH.withImageRoot(tag, (root) => fs.statSync(path.join(root, imagePath)).size);
}

/**
 * Cold builds (no layer cache) interleaved with rebuilds after a one-line
 * change to a source file, then the sizes of the runtime image, its base and
 * its builder stage (buildah's images). Docker builds the same in each round,
 * right after buildah: its times against buildah's.
 */
function measure(
  ecosystem: string,
  dir: string,
  sourceFile: string,
  builderStage: string,
  payloadPaths: string[],
  rounds: number,
  rebuildTarget?: number,
): EcosystemFigures {
  const tag = `localhost/stagecraft-bench/${ecosystem}:latest`;
  const builderTag = `localhost/stagecraft-bench/${ecosystem}-builder:latest`;
  const cold: number[] = [];
  const sourceOnly: number[] = [];
  const withDocker = ENGINES.includes(DOCKER);
  const dockerCold: number[] = [];
  const dockerSourceOnly: number[] = [];
  const comment = sourceFile.endsWith('.py') ? '#' : '//';
  try {
    for (let i = 0; i < rounds; i++) {
      cold.push(mustBuild(dir, tag, { noCache: true }));
      mustBuild(dir, tag); // settles buildah's cache after a --no-cache build
      if (withDocker) {
        dockerCold.push(mustBuild(dir, tag, { noCache: true }, DOCKER));
      }
      fs.appendFileSync(path.join(dir, sourceFile), `\n${comment} source-only change ${i}\n`);
      sourceOnly.push(mustBuild(dir, tag));
      if (withDocker) {
        dockerSourceOnly.push(mustBuild(dir, tag, {}, DOCKER));
      }
    }
    mustBuild(dir, builderTag, { target: builderStage });
    const info = BUILDAH.imageInfo(tag);
    const baseRef = String(info.labels['org.opencontainers.image.base.name']);
    return {
      ecosystem,
      runtime: info.size,
      base: BUILDAH.imageInfo(baseRef).size,
      builder: BUILDAH.imageInfo(builderTag).size,
      payload: payloadPaths.reduce((sum, p) => sum + bytesIn(tag, p), 0),
      builds: { name: `${ecosystem}: source-only rebuild / cold build`, ours: sourceOnly, reference: cold, unit: 's', target: rebuildTarget },
      docker: withDocker ? {
        cold: { name: `${ecosystem}: docker / buildah, cold build`, ours: dockerCold, reference: cold, unit: 's' },
        sourceOnly: { name: `${ecosystem}: docker / buildah, source-only rebuild`, ours: dockerSourceOnly, reference: sourceOnly, unit: 's' },
      } : undefined,
    };
  } finally {
    BUILDAH.removeImage(tag);
    BUILDAH.removeImage(builderTag);
    if (withDocker) {
      DOCKER.removeImage(tag);
    }
  }
}

/** A Poetry app with a real dependency, locked with real Poetry against the local index; and its single-stage twin. */
export function pythonImages(work: string, indexUrl: string, rounds: number): EcosystemFigures & { singleStage: number } {
  const dir = path.join(work, 'sized-python');
  const project = new PoetryAppProject({ name: 'sized-python', outdir: dir, deps: ['requests@^2.32'], packageIndex: indexUrl, ...BUILT_IN_FRONTEND });
  synth(project);
  const lock = inToolroot(dir, ['poetry', 'lock'], { POETRY_VIRTUALENVS_IN_PROJECT: 'true' });
  if (lock.status !== 0) {
    throw new Error(`poetry lock failed:\n${lock.stderr}`);
  }
  // The same app in one stage: the builder as it is, then the runtime's PATH, user and CMD on top.
  const runtime = project.dockerfile.stage('runtime');
  const tail = runtime.instructions.filter((i) => ['ENV', 'USER', 'CMD'].includes(i.keyword));
  const single = [project.dockerfile.stage('builder').render().replace(' AS builder', ' AS single'), ...tail.map((i) => i.render())].join('\n');
  fs.writeFileSync(path.join(dir, 'Dockerfile.single'), `# syntax=docker/dockerfile:1\n${single}\n`);
  const singleTag = 'localhost/stagecraft-bench/python-single:latest';
  mustBuild(dir, singleTag, { dockerfile: 'Dockerfile.single' });
  const singleStage = BUILDAH.imageInfo(singleTag).size;
  BUILDAH.removeImage(singleTag);
  // The Poetry app's target (issue 3): a source-only rebuild at most 0.3 of a cold build.
  return { ...measure('python', dir, 'src/sized_python/app.py', 'builder', ['/app/.venv'], rounds, 0.3), singleStage };
}

/** A pip app with the same dependency, locked with real pip (`npx projen lock`'s steps) against the local index. */
export function pipImages(work: string, indexUrl: string, rounds: number): EcosystemFigures {
  const dir = path.join(work, 'sized-pip');
  synth(new PipAppProject({ name: 'sized-pip', outdir: dir, deps: ['requests@>=2.32,<3'], packageIndex: indexUrl, ...BUILT_IN_FRONTEND }));
  runPipTask(dir, 'lock');
  // Issue 12's target: a source-only rebuild at most 0.3 of a cold build.
  return measure('pip', dir, 'src/sized_pip/app.py', 'builder', ['/app/.venv'], rounds, 0.3);
}

/** The node-app service, installed with real npm (its lock file is what the image build uses). */
export function nodeImages(work: string, rounds: number): EcosystemFigures {
  const dir = path.join(work, 'sized-node');
  synth(new NodeAppProject({ name: 'sized-node', defaultReleaseBranch: 'main', outdir: dir, ...BUILT_IN_FRONTEND }));
  // The lock file comes from the image's npm: this host's npm 11.19 writes locks `npm ci` refuses.
  const npm = BUILDAH.runImage('docker.io/library/node:24-slim', ['npm', '--version']).stdout.trim();
  mustRun('npx', ['-y', `npm@${npm}`, 'install', '--no-audit', '--no-fund'], { cwd: dir, env: userEnv() });
  return measure('node', dir, 'src/index.ts', 'build', ['/app/node_modules', '/app/lib'], rounds);
}

/** The go-app service on distroless. */
export function goImages(work: string, rounds: number): EcosystemFigures {
  const dir = path.join(work, 'sized-go');
  synth(new GoAppProject({ name: 'sized-go', outdir: dir, port: 8080, ...BUILT_IN_FRONTEND }));
  return measure('go', dir, 'cmd/sized-go/main.go', 'builder', ['/app/sized-go'], rounds);
}
