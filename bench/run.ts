/**
 * stagecraft's benchmarks, one command (`npx projen bench`). Every figure
 * is a ratio of two things measured side by side in this run, interleaved
 * and taken as the median of several rounds: the machine is shared and noisy,
 * so absolute times mean little, and no figure here is a timed test.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { images } from './images';
import { Comparison, median, resynthesis } from './resynth';
import { ensureEngineReady, startPackageIndex } from '../test/harness';

const ROUNDS = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 5));

function line(name: string, detail: string, ratio: number, target: number, lowerIsBetter = true): string {
  const ok = lowerIsBetter ? ratio <= target : ratio >= target;
  return `${name.padEnd(44)} ${detail.padEnd(46)} ratio ${ratio.toFixed(2).padStart(5)}  target ${lowerIsBetter ? '<=' : '>='} ${target.toFixed(2)}  ${ok ? 'ok' : 'MISSED'}`;
}

function compare(c: Comparison): { text: string; ratio: number } {
  const ours = median(c.ours);
  const ref = median(c.reference);
  const ratio = ours / ref;
  return { ratio, text: line(c.name, `${ours.toFixed(2)} ${c.unit} vs ${ref.toFixed(2)} ${c.unit}`, ratio, c.target) };
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecraft-bench-'));
  ensureEngineReady();
  const index = await startPackageIndex();
  try {
    console.log(`stagecraft bench: medians of ${ROUNDS} interleaved rounds (work dir ${work})\n`);
    const resynth = compare(resynthesis(work, ROUNDS));
    const figures = images(work, index.url, ROUNDS);
    const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
    const allowance = figures.base + figures.venv + 1e6;
    const builds = compare(figures.builds);
    const rows = [
      resynth.text,
      line(
        'runtime image / (base image + venv + 1 MB)',
        `${mb(figures.runtime)} vs ${mb(figures.base)} + ${mb(figures.venv)} + 1 MB`,
        figures.runtime / allowance,
        1,
      ),
      line('runtime image / single-stage build', `${mb(figures.runtime)} vs ${mb(figures.singleStage)}`, figures.runtime / figures.singleStage, 1),
      builds.text,
    ];
    console.log(rows.join('\n'));
    const results = {
      date: new Date().toISOString(),
      rounds: ROUNDS,
      resynthesis: { ratio: resynth.ratio },
      image: {
        runtimeBytes: figures.runtime,
        baseBytes: figures.base,
        venvBytes: figures.venv,
        singleStageBytes: figures.singleStage,
        ratioToAllowance: figures.runtime / allowance,
        ratioToSingleStage: figures.runtime / figures.singleStage,
      },
      builds: { ratio: builds.ratio, coldSeconds: figures.builds.reference, sourceOnlySeconds: figures.builds.ours },
    };
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'results', 'latest.json'), JSON.stringify(results, null, 2) + '\n');
    if (rows.some((r) => r.endsWith('MISSED'))) {
      process.exitCode = 1;
    }
  } finally {
    await index.stop();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
