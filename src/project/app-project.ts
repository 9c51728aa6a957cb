import * as path from 'path';
import { Component } from 'projen/lib/component';
import { Project } from 'projen/lib/project';
import { DriftCheck } from './drift-check';
import { DriftWorkflow } from './drift-workflow';
import { assertKnownOptions } from './known-options';
import { ProjenrcToolchain } from './projenrc-toolchain';
import { Dockerfile } from '../dockerfile';
import { ContainerImage } from '../image';
import { invalidOption, userError } from '../validation';

/** The drift workflow's switch, an option of every project type. */
export interface DriftWorkflowOptions {
  /**
   * A GitHub Actions workflow that runs the `typecheck` and `drift` tasks on every push and pull request.
   * @default true; in a workspace, false while `imagesWorkflow` is on (that workflow runs the same check)
   */
  readonly driftWorkflow?: boolean;
}

/** Options every non-Node app project type shares. */
export interface AppProjectOptions extends DriftWorkflowOptions {
  /**
   * Project name: the app's name and the image name.
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
 * An app project whose language is not JavaScript, configured by a
 * `.projenrc.ts` that runs with Node alone (see {@link ProjenrcToolchain}).
 */
export abstract class AppProject extends Project {
  /** The toolchain that runs `.projenrc.ts`. */
  public readonly toolchain: ProjenrcToolchain;
  private settledComponents?: Component[];

  constructor(options: AppProjectOptions) {
    assertKnownOptions(new.target, options);
    // The whole options object goes up: `projen new` hides its bootstrap data in it, which ProjenrcTs turns into .projenrc.ts.
    super({ ...options, name: options.name ?? path.basename(path.resolve(options.outdir ?? process.cwd())) });
    this.toolchain = new ProjenrcToolchain(this, { devDeps: options.devDeps });
    if (options.driftWorkflow ?? true) {
      new DriftWorkflow(this, this.toolchain.typecheck.name);
    }
  }

  /** Adds the drift check (the `drift` task): it compares after every component, whenever it was added. */
  protected addDriftCheck(): void {
    new DriftCheck(this);
  }

  public preSynthesize(): void {
    super.preSynthesize();
    DriftCheck.of(this)?.scheduleAfterComponents();
    // Last of all: every component's preSynthesize has run when this one's does.
    this.node.tryRemoveChild('ComponentsSettled');
    new ComponentsSettled(this);
  }

  /**
   * The project's components. The same list as projen's, found without computing each
   * component's path (projen compares path strings; a component's project is one object); read
   * once, once every component's preSynthesize has run (the tree does not change after that), for
   * the rest of the synthesis. projen asks for it for each file (its marker names .projenrc), which
   * made a synthesis grow with the square of the number of apps.
   */
  public get components(): Component[] {
    if (this.settledComponents) {
      return [...this.settledComponents];
    }
    return this.node.findAll().filter((c): c is Component => Component.isComponent(c) && c.project === this);
  }

  public synth(): void {
    try {
      super.synth();
    } finally {
      this.settledComponents = undefined;
    }
  }

  /** @internal */
  public _settleComponents(): void {
    this.settledComponents = this.components;
  }

  /** The Dockerfile model, for escape hatches: `project.dockerfile.stage("runtime").insertAfter(...)`. */
  public get dockerfile(): Dockerfile {
    return dockerfileOf(this);
  }
}

/** The last component to pre-synthesize: from then on, the project's component list is read once. */
class ComponentsSettled extends Component {
  constructor(project: AppProject) {
    super(project, 'ComponentsSettled');
  }

  public preSynthesize(): void {
    super.preSynthesize();
    (this.project as AppProject)._settleComponents();
  }
}

/** The Dockerfile model of the project's own image (every project type's `dockerfile`). */
export function dockerfileOf(project: Project): Dockerfile {
  const image = ContainerImage.of(project);
  if (!image) {
    throw userError(`${project.name}: this project has no container image yet.`);
  }
  return image.dockerfile;
}

/**
 * The folder of a project type's app: "." (the project's root), the only one it takes; an app in
 * a folder of its own is added to a project with its component (`component`, e.g. `GoApp`):
 * `new GoApp(project, "worker")`.
 */
export function atRoot(owner: string, component: string, folder: string | undefined): string {
  if (folder !== undefined && folder !== '.') {
    throw invalidOption(owner, 'folder', folder, `A project type holds one app, at its root: leave folder unset (or "."). An app in a folder of its own is added to a project with its component, new ${component}(project, "<id>"), and so is every other app of the project.`);
  }
  return '.';
}
