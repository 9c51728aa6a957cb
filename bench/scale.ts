import * as fs from 'fs';
import * as path from 'path';
import { GoApp, NodeApp, PoetryApp, WorkspaceProject } from '../src';
import { median } from './resynth';
import { withoutPostSynthesis } from '../test/synthesize';

/** The workspace sizes measured. */
export const SCALE_SIZES = [1, 10, 50, 100];

/** Synthesis time of workspaces of each size: medians, in seconds. */
export interface ScaleFigures {
  readonly sizes: number[];
  /** Wall-clock time. */
  readonly seconds: number[];
  /** CPU time of the process (user + system): what the work costs, less swayed by a busy shared machine. */
  readonly cpuSeconds: number[];
}

/**
 * A workspace of `size` components, a third each Poetry, Node and Go (every Go app a command-line
 * app, the others services on ports of their own, each Node service connected to the Poetry app
 * before it), synthesized from scratch in `dir` as `npx projen` does, without the post-synthesis
 * installs (npm, Poetry): the time stagecraft and projen take.
 */
function synthWorkspace(dir: string, size: number): { wall: number; cpu: number } {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const project = new WorkspaceProject({ name: 'scale', outdir: dir, sampleCode: false });
  let lastApi: PoetryApp | undefined;
  for (let i = 0; i < size; i++) {
    const id = `app${i}`;
    if (i % 3 === 0) {
      lastApi = new PoetryApp(project, id, { port: 10000 + i });
    } else if (i % 3 === 1) {
      const web = new NodeApp(project, id, { port: 10000 + i });
      web.connectTo(lastApi!);
    } else {
      new GoApp(project, id);
    }
  }
  project.synth();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: (used.user + used.system) / 1e6 };
}

/**
 * Synthesizes workspaces of 1, 10, 50 and 100 components, the sizes interleaved in each round,
 * after one warm-up round (module loading and the JIT would be charged to the first size).
 */
export function synthScale(work: string, rounds: number): ScaleFigures {
  const times = SCALE_SIZES.map(() => [] as number[]);
  const cpuTimes = SCALE_SIZES.map(() => [] as number[]);
  withoutPostSynthesis(() => {
    for (let round = -1; round < rounds; round++) {
      SCALE_SIZES.forEach((size, i) => {
        const dir = fs.mkdtempSync(path.join(work, `scale-${size}-`));
        const measured = synthWorkspace(dir, size);
        fs.rmSync(dir, { recursive: true, force: true });
        if (round >= 0) {
          times[i].push(measured.wall);
          cpuTimes[i].push(measured.cpu);
        }
      });
    }
  });
  return { sizes: SCALE_SIZES, seconds: times.map(median), cpuSeconds: cpuTimes.map(median) };
}
