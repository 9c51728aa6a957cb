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

const OWN_MANIFEST = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf-8'));

/**
 * ts-node into a generated project's node_modules, without saving it: the reference runner, which
 * generated projects no longer carry.
 */
function installTsNode(dir: string): void {
  mustRun('npm', ['install', '--no-save', '--no-audit', '--no-fund', `ts-node@${OWN_MANIFEST.devDependencies['ts-node']}`], { cwd: dir, env: userEnv() });
}

/** A bare projen Python + Poetry project configured by .projenrc.ts, sharing `toolchainDir`'s node_modules. */
function bareProjenPython(work: string, toolchainDir: string): string {
  const bare = path.join(work, 'bare-python');
  if (fs.existsSync(bare)) {
    return bare;
  }
  fs.mkdirSync(bare, { recursive: true });
  fs.symlinkSync(path.join(toolchainDir, 'node_modules'), path.join(bare, 'node_modules'));
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
  fs.copyFileSync(path.join(toolchainDir, 'tsconfig.projen.json'), path.join(bare, 'tsconfig.projen.json'));
  // The first synthesis writes .projen/tasks.json, whose default task is projen's: `npx -y -p ts-node -c "ts-node ..."`.
  mustRun(path.join(bare, 'node_modules', '.bin', 'ts-node'), ['--project', 'tsconfig.projen.json', '.projenrc.ts'], {
    cwd: bare,
    env: userEnv({ PROJEN_DISABLE_POST: 'true' }),
  });
  return bare;
}

/** The project types whose `npx projen` the bench times, with the tsconfig projen writes for `.projenrc.ts`. */
const PROJECT_TYPES: ReadonlyArray<{ type: string; tsconfig: string }> = [
  { type: 'poetry-app', tsconfig: 'tsconfig.projen.json' },
  { type: 'go-app', tsconfig: 'tsconfig.projen.json' },
  { type: 'node-app', tsconfig: 'projenrc/tsconfig.json' },
  { type: 'pip-app', tsconfig: 'tsconfig.projen.json' },
  { type: 'rust-app', tsconfig: 'tsconfig.projen.json' },
  { type: 'java-app', tsconfig: 'tsconfig.projen.json' },
  { type: 'workspace', tsconfig: 'tsconfig.projen.json' },
];

/**
 * `npx projen` as a user types it after an edit, in a project of every type made by `projen new
 * --from`, against (a) a bare projen Python + Poetry project's `npx projen` (its default task:
 * `npx` and ts-node, type-checking) and (b) ts-node run directly on the same `.projenrc.ts`
 * (type-checking, no npx or projen CLI around it). All in one loop, interleaved. The bare project
 * runs with `--no-post`: its post-synthesis step is `poetry install`, which is not the runner and
 * which a machine without Poetry cannot do; ours keep theirs (the toolchain check).
 */
export function runners(work: string, rounds: number): Comparison[] {
  const env = userEnv();
  const projects = PROJECT_TYPES.map(({ type, tsconfig }) => {
    const dir = path.join(work, `runner-${type}`);
    const r = projenNew(dir, type, []);
    if (r.status !== 0) {
      throw new Error(`projen new ${type} failed:\n${r.output}`);
    }
    installTsNode(dir);
    return { type, dir, tsconfig };
  });
  const bare = bareProjenPython(work, projects[0].dir);
  const npxProjen = (dir: string, args: string[] = []) => () => mustRun('npx', ['projen', ...args], { cwd: dir, env });
  const tsNode = (dir: string, tsconfig: string) => () =>
    mustRun(path.join(dir, 'node_modules', '.bin', 'ts-node'), ['--project', tsconfig, '.projenrc.ts'], { cwd: dir, env });
  // Warm every command once: first runs pay for the disk cache and npx's package resolution.
  npxProjen(bare, ['--no-post'])();
  for (const p of projects) {
    npxProjen(p.dir)();
    tsNode(p.dir, p.tsconfig)();
  }
  const times = { bare: [] as number[], floor: [] as number[], ours: projects.map(() => [] as number[]), tsNode: projects.map(() => [] as number[]) };
  for (let i = 0; i < rounds; i++) {
    times.bare.push(timeSeconds(npxProjen(bare, ['--no-post'])));
    times.floor.push(timeSeconds(npxProjen(projects[0].dir, ['--version'])));
    projects.forEach((p, j) => {
      times.ours[j].push(timeSeconds(npxProjen(p.dir)));
      times.tsNode[j].push(timeSeconds(tsNode(p.dir, p.tsconfig)));
    });
  }
  // What no runner can save: npx and projen's CLI start before .projenrc.ts runs (`npx projen --version`).
  const floor = { name: 'floor: npx projen --version / bare projen Python npx projen', ours: times.floor, reference: times.bare, unit: 's' };
  // The same floor against ts-node on the poetry-app's .projenrc.ts: how much of the ≤ 0.4 target npx and projen's CLI leave.
  const floorTsNode = { name: 'floor: npx projen --version / ts-node on poetry-app\'s .projenrc.ts', ours: times.floor, reference: times.tsNode[0], unit: 's' };
  return [floor, floorTsNode, ...projects.flatMap((p, j) => [
    { name: `${p.type}: npx projen / bare projen Python npx projen`, ours: times.ours[j], reference: times.bare, unit: 's', target: 0.3 },
    { name: `${p.type}: npx projen / ts-node on its .projenrc.ts`, ours: times.ours[j], reference: times.tsNode[j], unit: 's', target: 0.4 },
  ])];
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
  installTsNode(ours);
  const bare = bareProjenPython(work, ours);
  const env = userEnv({ PROJEN_DISABLE_POST: 'true' });
  const synth = (dir: string) => () => mustRun(path.join(dir, 'node_modules', '.bin', 'ts-node'), ['--project', 'tsconfig.projen.json', '.projenrc.ts'], { cwd: dir, env });
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
