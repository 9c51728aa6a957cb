import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'projen';
import { parse as parseToml } from 'smol-toml';
import { PoetryAppProject, PoetryAppProjectOptions } from '../../src';
import { ParsedDockerfile, parseDockerfile } from '../dockerfile-facts';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

export { tempDir };

export interface Synthesized {
  readonly files: Record<string, any>;
  readonly dockerfile: ParsedDockerfile;
  readonly pyproject: any;
  readonly project: PoetryAppProject;
}

/** Synthesizes a poetry-app in a temporary folder and parses what matters back. */
export function synthPoetry(options: PoetryAppProjectOptions = {}, configure?: (p: PoetryAppProject) => void): Synthesized {
  const project = new PoetryAppProject({ name: 'demo', outdir: tempDir('demo-'), ...options });
  configure?.(project);
  const files = Testing.synth(project);
  return { files, project, dockerfile: parseDockerfile(files.Dockerfile), pyproject: parseToml(files['pyproject.toml']) };
}

/** Every file under a folder with its content hash: a before/after picture of the disk. */
export function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') {
          walk(full);
        }
      } else {
        const stat = fs.statSync(full);
        out[path.relative(dir, full)] = `${createHash('sha256').update(fs.readFileSync(full)).digest('hex')}:${stat.mode.toString(8)}`;
      }
    }
  };
  walk(dir);
  return out;
}

/** Runs a real synthesis into `outdir`, as `npx projen` would, without post-synthesis installs. */
export function synthInto(outdir: string, options: PoetryAppProjectOptions = {}, configure?: (p: PoetryAppProject) => void): PoetryAppProject {
  return synthesize(() => {
    const project = new PoetryAppProject({ name: 'demo', outdir, ...options });
    configure?.(project);
    return project;
  });
}
