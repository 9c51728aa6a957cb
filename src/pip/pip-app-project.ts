import { PipApp, PipAppOptions } from './pip-app';
import { AppProject, AppProjectOptions, atRoot } from '../project';

/** Options of a {@link PipAppProject}. */
export interface PipAppProjectOptions extends PipAppOptions, AppProjectOptions {}

/**
 * A Python app installed with pip alone (no Poetry): PEP 621 pyproject.toml,
 * a hashed lock made by real pip, and a multi-stage container image,
 * configured in TypeScript (`.projenrc.ts`).
 *
 * `npx projen` needs Node alone: the project carries a package.json with
 * projen, stagecraft and the TypeScript runner. Python and pip are needed
 * for `npx projen lock`, `install` and `test`.
 *
 * @pjid pip-app
 */
export class PipAppProject extends AppProject {
  /** The pip app: pyproject.toml, stubs, image, tasks. */
  public readonly app: PipApp;

  constructor(options: PipAppProjectOptions = {}) {
    super(options);
    // A workspace of one: the app is the project's root (folder "."), its files where they always were.
    this.app = new PipApp(this, 'app', { ...options, folder: atRoot('PipAppProject', PipApp.name, options.folder) });
    this.addDriftCheck();
  }
}
