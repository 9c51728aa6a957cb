/**
 * The GitHub Actions job that checks for drift, shared by the drift and images workflows: `.projenrc.ts`
 * type-checks (`npx projen` runs it without type-checking, so the type errors surface here) and every
 * generated file is what it produces (the `drift` task).
 * @param typecheckTask the project's type-check task, if it has one
 */
export function driftJob(typecheckTask?: string): Record<string, unknown> {
  return {
    'runs-on': 'ubuntu-latest',
    'steps': [
      { uses: 'actions/checkout@v4' },
      { uses: 'actions/setup-node@v4', with: { 'node-version': '20' } },
      { run: 'npm ci' },
      ...typecheckTask ? [{ name: '.projenrc.ts type-checks', run: `npx projen ${typecheckTask}` }] : [],
      { name: 'generated files are what .projenrc.ts produces', run: 'npx projen drift' },
    ],
  };
}
