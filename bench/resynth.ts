import * as fs from 'fs';
import * as path from 'path';
import { mustRun, projenNew, userEnv } from '../test/package-util';

/** A measured pair: ours against the reference, interleaved so that machine noise hits both alike. */
export interface Comparison {
  readonly name: string;
  readonly ours: number[];
  readonly reference: number[];
  readonly unit: string;
  /** The ratio not to exceed; undefined when the figure is reported, not judged. */
  readonly target?: number;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function timeSeconds(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Re-synthesis of a generated poetry-app against a bare projen Python +
 * Poetry project, both run by the same runner (ts-node on .projenrc.ts, the
 * same node_modules), post-synthesis installs off for both.
 */
export function resynthesis(work: string, rounds: number): Comparison {
  const ours = path.join(work, 'poetry-app');
  const r = projenNew(ours, 'poetry-app', []);
  if (r.status !== 0) {
    throw new Error(`projen new failed:\n${r.output}`);
  }
  const bare = path.join(work, 'bare-python');
  fs.mkdirSync(bare, { recursive: true });
  fs.symlinkSync(path.join(ours, 'node_modules'), path.join(bare, 'node_modules'));
  fs.writeFileSync(
    path.join(bare, '.projenrc.ts'),
    [
      "import { python } from 'projen';",
      'const project = new python.PythonProject({',
      "  name: 'bare-python', moduleName: 'bare_python', authorName: 'bench', authorEmail: 'bench@example.com',",
      "  version: '0.1.0', poetry: true, projenrcTs: true,",
      '});',
      'project.synth();',
      '',
    ].join('\n'),
  );
  fs.copyFileSync(path.join(ours, 'tsconfig.projen.json'), path.join(bare, 'tsconfig.projen.json'));
  const env = userEnv({ PROJEN_DISABLE_POST: 'true' });
  const synth = (dir: string) => () => mustRun('npx', ['ts-node', '--project', 'tsconfig.projen.json', '.projenrc.ts'], { cwd: dir, env });
  // Warm both once: first runs pay for ts-node's compile cache and the disk cache.
  synth(ours)();
  synth(bare)();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    a.push(timeSeconds(synth(ours)));
    b.push(timeSeconds(synth(bare)));
  }
  return { name: 're-synthesis: poetry-app / bare projen Python+Poetry', ours: a, reference: b, unit: 's', target: 1.1 };
}
