import * as path from 'path';
import { Project } from 'projen';
import { PoetryApp, PoetryAppOptions } from './poetry-app';
import { Dockerfile } from '../dockerfile';
import { ProjenrcToolchain } from '../project';

/** Options of a {@link PoetryAppProject}. */
export interface PoetryAppProjectOptions extends PoetryAppOptions {
  /**
   * Project name: the Python distribution name and the image name.
   * @default - the name of the project's folder
   * @pjnew $BASEDIR
   */
  readonly name?: string;

  /**
   * Where the project lives.
   * @default - the current folder
   */
  readonly outdir?: string;

  /**
   * Parent project, when this app is a subproject (e.g. in a monorepo).
   * @default - none
   */
  readonly parent?: Project;

  /**
   * npm packages `.projenrc.ts` needs; `projen new --from` records stagecraft here.
   * @default - stagecraft at the version that generated the project
   */
  readonly devDeps?: string[];
}

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
export class PoetryAppProject extends Project {
  /** The Poetry app: pyproject.toml, stubs, image, tasks. */
  public readonly app: PoetryApp;
  /** The toolchain that runs `.projenrc.ts`. */
  public readonly toolchain: ProjenrcToolchain;

  constructor(options: PoetryAppProjectOptions = {}) {
    // The whole options object goes up: `projen new` hides its bootstrap data in it, which ProjenrcTs turns into .projenrc.ts.
    super({ ...options, name: options.name ?? path.basename(path.resolve(options.outdir ?? process.cwd())) });
    this.toolchain = new ProjenrcToolchain(this, { devDeps: options.devDeps });
    this.app = new PoetryApp(this, options);
  }

  /** The Dockerfile model, for escape hatches: `project.dockerfile.stage("runtime").insertAfter(...)`. */
  public get dockerfile(): Dockerfile {
    return this.app.image.dockerfile;
  }
}
