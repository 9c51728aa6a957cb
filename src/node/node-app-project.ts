import { DependencyType } from 'projen/lib/dependencies';
import { NodePackageManager } from 'projen/lib/javascript';
import { ProjenrcFile } from 'projen/lib/projenrc';
import { Projenrc, TypeScriptProject, TypeScriptProjectOptions, TypeScriptRunner } from 'projen/lib/typescript';
import { NodeApp, NodeAppKind, NodeAppSettings } from './node-app';
import { resolveNodeVersion } from './node-version';
import { fastTaskPath } from './package-managers';
import { browserBuild, runByNode } from './static-site';
import { Dockerfile } from '../dockerfile';
import { DriftWorkflowOptions, dockerfileOf } from '../project/app-project';
import { DriftCheck } from '../project/drift-check';
import { DriftWorkflow } from '../project/drift-workflow';
import { assertKnownOptions } from '../project/known-options';
import { installableDevDeps } from '../project/npm-spec';
import { runProjenrcWithTsx, TSX_RANGE } from '../project/projenrc-runner';

/** Options of a {@link NodeAppProject}: projen's TypeScript project, plus the app's. */
export interface NodeAppProjectOptions extends TypeScriptProjectOptions, NodeAppSettings, DriftWorkflowOptions {}

/**
 * A TypeScript service (or static front end) packaged as a multi-stage
 * image, on projen's own TypeScript project: package.json, dependencies,
 * the package manager and tsconfig are projen's; the image follows them.
 *
 * `nodeVersion` is the one source of the images' Node and package.json's
 * engines (`minNodeVersion`); `entrypoint` (package.json `main`) is what the
 * image starts.
 *
 * @pjid node-app
 */
export class NodeAppProject extends TypeScriptProject {
  /** The Node app: Dockerfile, .dockerignore, stubs, docker tasks. */
  public readonly app: NodeApp;

  constructor(options: NodeAppProjectOptions) {
    assertKnownOptions(new.target, options);
    // Checked before projen parses engines, so a bad version gets stagecraft's message, not semver's.
    const nodeVersion = resolveNodeVersion(options.nodeVersion, options.minNodeVersion, options.maxNodeVersion);
    const staticSite = options.appKind === NodeAppKind.STATIC_SITE;
    super({
      release: false,
      projenrcTs: true,
      packageManager: NodePackageManager.NPM,
      ...options,
      minNodeVersion: options.minNodeVersion ?? `${nodeVersion}.0.0`,
      // projen would write a tarball path (`projen new --from ./stagecraft.tgz`) as a package name.
      devDeps: installableDevDeps(options.outdir ?? process.cwd(), options.devDeps ?? []),
      // tsx, not ts-node: projen requests the runner's package as a devDependency (at stagecraft's range, below).
      projenrcTsOptions: { runner: TypeScriptRunner.tsx(), ...options.projenrcTsOptions },
      // stagecraft writes its own stubs (a service or a page), controlled by sampleCode.
      sampleCode: false,
      ...(staticSite ? browserBuild(options) : {}),
    });
    const projenrc = ProjenrcFile.of(this);
    // A workspace of one: the app is the project's root (folder "."), its files where they always were.
    // NodeApp reads the stub switch, sampleCode or its deprecated name stubs, from the same options.
    // Its description and license are projen's options, already in package.json, which the app reads at the root.
    this.app = new NodeApp(this, 'app', { ...options, folder: '.', nodeVersion, description: undefined, license: undefined });
    if (staticSite) {
      // projen's projenrc/tsconfig.json, which tsx and tsc read for .projenrc.ts, extends the browser's tsconfig.json.
      if (projenrc instanceof Projenrc) {
        runByNode(projenrc.tsconfig);
      }
    }
    if (projenrc instanceof Projenrc && !options.projenrcTsOptions?.runner) {
      this.deps.addDependency(`tsx@${TSX_RANGE}`, DependencyType.BUILD);
      // The .projenrc.ts that projen new writes for this type imports projen's index (javascript.NodePackageManager).
      runProjenrcWithTsx(this, projenrc.filePath, projenrc.tsconfig.fileName, this.deps.all.map((d) => d.name), ['projen']);
    }
    fastTaskPath(this);
    new DriftCheck(this);
    if ((options.driftWorkflow ?? true) && this.github) {
      // Node and the project's own package manager, as projen's build workflow sets them up; then as every project type.
      new DriftWorkflow(this, this.tasks.tryFind('typecheck')?.name, this.renderWorkflowSetup());
    }
  }

  public preSynthesize(): void {
    super.preSynthesize();
    // The drift check compares after every component, those .projenrc.ts adds after this project type's included.
    DriftCheck.of(this)?.scheduleAfterComponents();
  }

  /** The Dockerfile model, for escape hatches. */
  public get dockerfile(): Dockerfile {
    return dockerfileOf(this);
  }
}
