import * as fs from 'fs';
import * as path from 'path';
import { Comparison } from './resynth';
import { PoetryAppProject } from '../src';
import { buildImage, imageInfo, inToolroot, removeImage, runImage } from '../test/harness';

export interface ImageFigures {
  readonly runtime: number;
  readonly base: number;
  readonly venv: number;
  readonly singleStage: number;
  readonly builds: Comparison;
}

function mustBuild(contextDir: string, tag: string, extra: { dockerfile?: string; noCache?: boolean } = {}): number {
  const r = buildImage({ contextDir, tag, ...extra });
  if (r.status !== 0) {
    throw new Error(`build ${tag} failed:\n${r.stderr.slice(-3000)}`);
  }
  return r.seconds;
}

/**
 * A poetry-app with a real dependency, locked with real Poetry against the
 * local index and built by the engine: the runtime image against its base
 * and its venv, against a single-stage build of the same app, and a cold
 * build against a rebuild after a source-only change.
 */
export function images(work: string, indexUrl: string, rounds: number): ImageFigures {
  const dir = path.join(work, 'sized-app');
  const previous = process.env.PROJEN_DISABLE_POST;
  process.env.PROJEN_DISABLE_POST = 'true';
  let project: PoetryAppProject;
  try {
    project = new PoetryAppProject({ name: 'sized-app', outdir: dir, deps: ['requests@^2.32'], packageIndex: indexUrl });
    project.synth();
  } finally {
    if (previous === undefined) {
      delete process.env.PROJEN_DISABLE_POST;
    } else {
      process.env.PROJEN_DISABLE_POST = previous;
    }
  }
  const lock = inToolroot(dir, ['poetry', 'lock'], { POETRY_VIRTUALENVS_IN_PROJECT: 'true' });
  if (lock.status !== 0) {
    throw new Error(`poetry lock failed:\n${lock.stderr}`);
  }

  // The same app in one stage: the builder as it is, then the runtime's user, PATH and CMD on top.
  const runtime = project.dockerfile.stage('runtime');
  const tail = runtime.instructions.filter((i) => ['USER', 'CMD'].includes(i.keyword) || (i.keyword === 'ENV' && i.render().includes('PATH')));
  const single = [project.dockerfile.stage('builder').render().replace(' AS builder', ' AS single'), ...tail.map((i) => i.render())].join('\n');
  fs.writeFileSync(path.join(dir, 'Dockerfile.single'), `# syntax=docker/dockerfile:1\n${single}\n`);

  const tag = 'localhost/stagecraft-bench/sized-app:latest';
  const singleTag = 'localhost/stagecraft-bench/sized-app-single:latest';
  const app = path.join(dir, 'src/sized_app/app.py');
  const cold: number[] = [];
  const sourceOnly: number[] = [];
  try {
    mustBuild(dir, singleTag, { dockerfile: 'Dockerfile.single' });
    for (let i = 0; i < rounds; i++) {
      cold.push(mustBuild(dir, tag, { noCache: true }));
      mustBuild(dir, tag); // settles buildah's cache after a --no-cache build
      fs.appendFileSync(app, `\n# source-only change ${i}\n`);
      sourceOnly.push(mustBuild(dir, tag));
    }
    const info = imageInfo(tag);
    const base = imageInfo(project.dockerfile.stage('runtime').from.reference);
    const du = runImage(tag, ['du', '-s', '-B1', '/app/.venv']);
    if (du.status !== 0) {
      throw new Error(`du failed: ${du.stderr}`);
    }
    return {
      runtime: info.size,
      base: base.size,
      venv: Number(du.stdout.trim().split(/\s+/)[0]),
      singleStage: imageInfo(singleTag).size,
      builds: { name: 'source-only rebuild / cold build', ours: sourceOnly, reference: cold, unit: 's', target: 0.3 },
    };
  } finally {
    removeImage(tag);
    removeImage(singleTag);
  }
}
