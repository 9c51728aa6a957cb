import { Project } from 'projen/lib/project';
import { YamlFile } from 'projen/lib/yaml';
import { BakeFile } from './bake-file';
import { driftJob } from '../project/drift-workflow';
import { userError } from '../validation';

/**
 * `.github/workflows/images.yml`: on every push and pull request, the drift
 * check (`.projenrc.ts` type-checks, and every generated file, each
 * component's included, is what it produces), then every target of the
 * project's {@link BakeFile} built with buildx (docker/setup-buildx-action,
 * docker/bake-action), its cache in GitHub Actions' cache (`CACHE_TYPE=gha`).
 *
 * The drift job runs `npm ci` and the `drift` task: the project needs a package.json and a
 * `DriftCheck` (a stagecraft project type has both).
 */
export class ImagesWorkflow extends YamlFile {
  constructor(project: Project) {
    const bake = BakeFile.of(project);
    if (!bake) {
      throw userError(`ImagesWorkflow: project "${project.name}" has no docker-bake.hcl: add a BakeFile first.`);
    }
    // The workflow's drift job would fail on its first run without them: refused now, naming what is missing.
    const missing = [
      ...project.tryFindFile('package.json') ? [] : ['a package.json (npm ci)'],
      ...project.tasks.tryFind('drift') ? [] : ['a drift task (add a DriftCheck)'],
    ];
    if (missing.length > 0) {
      throw userError(`ImagesWorkflow: project "${project.name}" lacks what the workflow's drift job runs: ${missing.join(' and ')}. Use a stagecraft project type, such as WorkspaceProject, or add them first.`);
    }
    super(project, '.github/workflows/images.yml', {
      obj: {
        name: 'images',
        on: { push: {}, pull_request: {} },
        jobs: {
          drift: driftJob(project.tasks.tryFind('typecheck')?.name),
          images: {
            'needs': 'drift',
            'runs-on': 'ubuntu-latest',
            'steps': [
              { uses: 'actions/checkout@v4' },
              // A docker-container builder: it can export a cache, several platforms and attestations.
              { uses: 'docker/setup-buildx-action@v3' },
              {
                name: 'build every image (docker-bake.hcl)',
                uses: 'docker/bake-action@v6',
                // The checked-out files, not a fresh Git context: what the drift check has just compared.
                with: { source: '.', files: bake.path, targets: 'default' },
                env: { CACHE_TYPE: 'gha' },
              },
            ],
          },
        },
      },
    });
  }
}
