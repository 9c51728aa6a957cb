import { PoetryApp, PoetryAppOptions } from './poetry-app';
import { AppProject, AppProjectOptions, atRoot } from '../project';

/** Options of a {@link PoetryAppProject}. */
export interface PoetryAppProjectOptions extends PoetryAppOptions, AppProjectOptions {}

/**
 * A Python app managed by Poetry 2, packaged as a multi-stage container
 * image, configured in TypeScript (`.projenrc.ts`).
 *
 * `npx projen` needs Node alone: the project carries a package.json with
 * projen, stagecraft and the TypeScript runner. Poetry is used when it is
 * installed, and its absence is reported in one line.
 *
 * @pjid poetry-app
 */
export class PoetryAppProject extends AppProject {
  /** The Poetry app: pyproject.toml, stubs, image, tasks. */
  public readonly app: PoetryApp;

  constructor(options: PoetryAppProjectOptions = {}) {
    super(options);
    // A workspace of one: the app is the project's root (folder "."), its files where they always were.
    this.app = new PoetryApp(this, 'app', { ...options, folder: atRoot('PoetryAppProject', PoetryApp.name, options.folder) });
    this.addDriftCheck();
  }
}
