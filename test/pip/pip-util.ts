import { Testing } from 'projen';
import { parse as parseToml } from 'smol-toml';
import { PipAppProject, PipAppProjectOptions } from '../../src';
import { ParsedDockerfile, parseDockerfile } from '../dockerfile-facts';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

export { tempDir };

export interface SynthesizedPip {
  readonly files: Record<string, any>;
  readonly dockerfile: ParsedDockerfile;
  readonly pyproject: any;
  readonly project: PipAppProject;
}

/** Synthesizes a pip-app in a temporary folder and parses what matters back. */
export function synthPip(options: PipAppProjectOptions = {}, configure?: (p: PipAppProject) => void): SynthesizedPip {
  const project = new PipAppProject({ name: 'demo', outdir: tempDir('pip-demo-'), ...options });
  configure?.(project);
  const files = Testing.synth(project);
  return { files, project, dockerfile: parseDockerfile(files.Dockerfile), pyproject: parseToml(files['pyproject.toml']) };
}

/** Runs a real synthesis into `outdir`, as `npx projen` would, without post-synthesis steps. */
export function synthPipInto(outdir: string, options: PipAppProjectOptions = {}): PipAppProject {
  return synthesize(() => new PipAppProject({ name: 'demo', outdir, ...options }));
}
