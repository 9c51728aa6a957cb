import { Project, Testing } from 'projen';
import { NodePackageManager } from 'projen/lib/javascript';
import {
  GoAppProject,
  GoAppProjectOptions,
  GoRuntime,
  LintSeverity,
  NodeAppKind,
  NodeAppProject,
  NodeAppProjectOptions,
  PoetryAppProject,
  PoetryAppProjectOptions,
  PyprojectLayout,
} from '../../src';
import { tempDir } from '../temp';

/** Every combination of the given choices (a cartesian product of option fragments). */
function combinations<T extends object>(dimensions: Array<Array<Partial<T>>>): Array<Partial<T>> {
  return dimensions.reduce<Array<Partial<T>>>((acc, dim) => acc.flatMap((a) => dim.map((d) => ({ ...a, ...d }))), [{}]);
}

const python = combinations<PoetryAppProjectOptions>([
  [{ pythonVersion: '3.11' }, { pythonVersion: '3.13' }, { pythonVersion: '3.14.1' }],
  [{}, { builderImageVariant: 'bookworm' }, { builderImageVariant: 'alpine' }, { builderImageVariant: 'slim-trixie' }],
  [{}, { port: 8000 }],
  [{}, { deps: ['requests@^2.32', 'httpx@>=0.27,<1'], testDeps: [] }],
  [{}, { pyprojectLayout: PyprojectLayout.POETRY_LEGACY }, { packageIndex: 'https://pypi.example.com/simple/', packageIndexSecret: 'netrc', imageRegistry: 'mirror.example.com/hub' }],
]);

const go = combinations<GoAppProjectOptions>([
  [{ goVersion: '1.24' }, { goVersion: '1.27', toolchain: 'go1.27.4' }],
  [{ runtime: GoRuntime.DISTROLESS }, { runtime: GoRuntime.SCRATCH }],
  [{}, { port: 8080 }],
  [{}, { deps: ['golang.org/x/text@v0.22.0'], replaces: { 'example.com/lib': './lib' } }],
  [{}, { builderImageVariant: 'bookworm', imageRegistry: 'mirror.example.com/hub' }, { imageLabels: { 'com.example.team': 'tools' } }],
]);

const node = combinations<NodeAppProjectOptions>([
  [{ nodeVersion: '20' }, { nodeVersion: '22' }, { nodeVersion: '24' }, { nodeVersion: '26' }],
  [{}, { appKind: NodeAppKind.STATIC_SITE }],
  [{ packageManager: NodePackageManager.NPM }, { packageManager: NodePackageManager.YARN_CLASSIC }, { packageManager: NodePackageManager.PNPM }],
  [{}, { nodeImageVariant: 'alpine' }, { port: 9000, imageRegistry: 'mirror.example.com/hub' }],
]);

interface Result {
  readonly name: string;
  readonly errors: string[];
  readonly warnings: string[];
}

function lintOf(name: string, make: () => Project & { dockerfile: any }): Result {
  const project = make();
  Testing.synth(project); // runs the model validation and the lint gate, as `npx projen` does
  const findings = project.dockerfile.lint();
  return {
    name,
    errors: findings.filter((f: any) => f.severity === LintSeverity.ERROR).map((f: any) => `${name}: line ${f.line}: ${f.rule}: ${f.message}`),
    warnings: findings.filter((f: any) => f.severity === LintSeverity.WARNING).map((f: any) => `${name}: ${f.rule}`),
  };
}

test('a corpus of option combinations across every project type lints clean', () => {
  const results: Result[] = [
    ...python.map((o, i) => lintOf(`poetry-app #${i} ${JSON.stringify(o)}`, () => new PoetryAppProject({ name: 'corpus', outdir: tempDir('corpus-'), ...o }))),
    ...go.map((o, i) => lintOf(`go-app #${i} ${JSON.stringify(o)}`, () => new GoAppProject({ name: 'corpus', outdir: tempDir('corpus-'), ...o }))),
    ...node.map((o, i) =>
      lintOf(`node-app #${i} ${JSON.stringify(o)}`, () => new NodeAppProject({ name: 'corpus', defaultReleaseBranch: 'main', outdir: tempDir('corpus-'), ...o })),
    ),
  ];
  const errors = results.flatMap((r) => r.errors);
  const warnings = results.flatMap((r) => r.warnings);
  // eslint-disable-next-line no-console
  console.log(
    `lint corpus: ${results.length} combinations (poetry-app ${python.length}, go-app ${go.length}, node-app ${node.length}); ` +
      `findings: ${errors.length} errors, ${warnings.length} warnings (dockerfile-utils and the stagecraft rules)`,
  );
  expect(results.length).toBeGreaterThanOrEqual(200);
  expect(errors).toEqual([]);
  expect(warnings).toEqual([]);
});
