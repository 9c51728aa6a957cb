import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { CORPUS, GO, JAVA, NODE, PIP, PYTHON, RUST } from './corpus';
import { LintSeverity } from '../../src';
import { snapshotDir } from '../python/poetry-util';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

jest.setTimeout(15 * 60 * 1000);

/** What became of one case: its Dockerfile's lint findings, and what a second synthesis changed. */
interface Outcome {
  readonly errors: string[];
  readonly warnings: string[];
  /** Files the second synthesis wrote differently, added or removed, or its error; empty when it left everything as it was. */
  readonly changed: string[];
  readonly generated: number;
  readonly stubs: number;
}

const HAND_EDIT = '\nedited by hand\n';
const seconds = { first: 0, second: 0 };
const outcomes: Outcome[] = [];

/**
 * Each case once: synthesized as `npx projen` does, linted, its stubs edited by hand, then
 * synthesized again into the same folder by a new project object, as the next `npx projen` does.
 * The lint and the re-synthesis test share the first synthesis.
 */
beforeAll(() => {
  for (const { name, make } of CORPUS) {
    const dir = tempDir('corpus-');
    let start = performance.now();
    const project = synthesize(() => make(dir)); // runs the model validation and the lint gate
    const findings = project.dockerfile.lint();
    seconds.first += (performance.now() - start) / 1000;

    // What projen wrote is the project's files; everything else in the folder is a stub, the user's from now on.
    const generated = new Set(project.files.map((f) => f.path));
    const stubs = Object.keys(snapshotDir(dir)).filter((f) => !generated.has(f));
    stubs.forEach((stub) => fs.appendFileSync(path.join(dir, stub), HAND_EDIT));
    const before = snapshotDir(dir);

    start = performance.now();
    let changed: string[] = [];
    try {
      synthesize(() => make(dir));
      const after = snapshotDir(dir);
      changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
        .filter((f) => before[f] !== after[f])
        .map((f) => `${f} (${!after[f] ? 'removed' : !before[f] ? 'added' : stubs.includes(f) ? 'stub overwritten' : 'rewritten differently'})`);
    } catch (e) {
      changed = [`second synthesis failed: ${(e as Error).message}`];
    }
    seconds.second += (performance.now() - start) / 1000;
    fs.rmSync(dir, { recursive: true, force: true });

    outcomes.push({
      errors: findings.filter((f) => f.severity === LintSeverity.ERROR).map((f) => `${name}: line ${f.line}: ${f.rule}: ${f.message}`),
      warnings: findings.filter((f) => f.severity === LintSeverity.WARNING).map((f) => `${name}: ${f.rule}`),
      changed: changed.map((c) => `${name}: ${c}`),
      generated: generated.size,
      stubs: stubs.length,
    });
  }
});

test('a corpus of option combinations across every project type lints clean', () => {
  const errors = outcomes.flatMap((r) => r.errors);
  const warnings = outcomes.flatMap((r) => r.warnings);
  // eslint-disable-next-line no-console
  console.log(
    `lint corpus: ${outcomes.length} combinations (poetry-app ${PYTHON.length}, pip-app ${PIP.length}, go-app ${GO.length}, rust-app ${RUST.length}, java-app ${JAVA.length}, node-app ${NODE.length}); ` +
      `findings: ${errors.length} errors, ${warnings.length} warnings (dockerfile-utils and the stagecraft rules); first synthesis and lint ${seconds.first.toFixed(1)} s`,
  );
  expect(outcomes.length).toBeGreaterThanOrEqual(200);
  expect(errors).toEqual([]);
  expect(warnings).toEqual([]);
});

test('every combination synthesizes twice in a row: the second run writes the same bytes and modes, and leaves hand-edited stubs alone', () => {
  const changed = outcomes.flatMap((r) => r.changed);
  const generated = outcomes.reduce((n, r) => n + r.generated, 0);
  const stubs = outcomes.reduce((n, r) => n + r.stubs, 0);
  // eslint-disable-next-line no-console
  console.log(`re-synthesis corpus: ${outcomes.length} combinations, ${generated} generated files, ${stubs} hand-edited stubs; second synthesis ${seconds.second.toFixed(1)} s`);
  expect(outcomes.length).toBe(CORPUS.length);
  expect(outcomes.every((r) => r.generated > 0 && r.stubs > 0)).toBe(true);
  expect(changed).toEqual([]);
});
