import { workflows } from 'projen/lib/github';
import { Project } from 'projen/lib/project';
import { YamlFile } from 'projen/lib/yaml';

/**
 * The GitHub Actions job that checks for drift, shared by the drift and images workflows: `.projenrc.ts`
 * type-checks (`npx projen` runs it without type-checking, so the type errors surface here) and every
 * generated file is what it produces (the `drift` task).
 * @param typecheckTask the project's type-check task, if it has one
 * @param setup the steps that install Node and the project's packages (default: Node 20, then `npm ci`)
 */
export function driftJob(typecheckTask?: string, setup?: workflows.JobStep[]): Record<string, unknown> {
  return {
    'runs-on': 'ubuntu-latest',
    'steps': [
      { uses: 'actions/checkout@v4' },
      ...setup ?? [{ uses: 'actions/setup-node@v4', with: { 'node-version': '20' } }, { run: 'npm ci' }],
      ...typecheckTask ? [{ name: '.projenrc.ts type-checks', run: `npx projen ${typecheckTask}` }] : [],
      { name: 'generated files are what .projenrc.ts produces', run: 'npx projen drift' },
    ],
  };
}

/**
 * `.github/workflows/drift.yml`: CI fails when a generated file was edited by hand or
 * `.projenrc.ts` was not re-synthesized, or when `.projenrc.ts` does not type-check.
 */
export class DriftWorkflow extends YamlFile {
  /**
   * @param project the project whose files are checked
   * @param typecheckTask its type-check task's name
   * @param setup the steps that install Node and the project's packages (see {@link driftJob})
   */
  constructor(project: Project, typecheckTask: string | undefined, setup?: workflows.JobStep[]) {
    super(project, '.github/workflows/drift.yml', {
      obj: {
        name: 'drift',
        on: { push: {}, pull_request: {} },
        jobs: { drift: driftJob(typecheckTask, setup) },
      },
    });
  }
}
