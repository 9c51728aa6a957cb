import { DependencyType } from 'projen/lib/dependencies';
import { NodePackageManager, TypescriptConfig } from 'projen/lib/javascript';
import { ProjenrcFile } from 'projen/lib/projenrc';
import { TaskShell } from 'projen/lib/task-shell';
import { Projenrc, TypeScriptProject, TypeScriptProjectOptions, TypeScriptRunner } from 'projen/lib/typescript';
import { NodeApp, NodeAppKind, NodeAppSettings } from './node-app';
import { resolveNodeVersion } from './node-version';
import { Dockerfile } from '../dockerfile';
import { DriftCheck } from '../project/drift-check';
import { assertKnownOptions } from '../project/known-options';
import { installableDevDeps } from '../project/npm-spec';
import { runProjenrcWithTsx, TSX_RANGE } from '../project/projenrc-runner';

/** Options of a {@link NodeAppProject}: projen's TypeScript project, plus the app's. */
export interface NodeAppProjectOptions extends TypeScriptProjectOptions, NodeAppSettings {}

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
    // `stubs` is the deprecated name of `sampleCode`; this project type took it first.
    // A workspace of one: the app is the project's root (folder "."), its files where they always were.
    this.app = new NodeApp(this, 'app', { ...options, folder: '.', nodeVersion, sampleCode: options.stubs ?? options.sampleCode ?? true });
    if (staticSite) {
      // The site is the page(s) in public/ plus the compiled modules, in one folder nginx serves.
      const site = options.staticSiteDir ?? 'dist';
      // Part of compile: the image's build stage runs the compile task, and the site must come out of it.
      this.compileTask.exec(`rm -rf ${site} && mkdir -p ${site} && cp -R public/. ${site}/ && cp -R ${this.libdir}/. ${site}/`, {
        name: 'assemble the static site',
        shell: TaskShell.sh(),
      });
      this.gitignore.exclude(`/${site}/`);
      // projen's projenrc/tsconfig.json, which tsx and tsc read for .projenrc.ts, extends the browser's tsconfig.json.
      if (projenrc instanceof Projenrc) {
        runByNode(projenrc.tsconfig);
      }
    }
    if (projenrc instanceof Projenrc && !options.projenrcTsOptions?.runner) {
      this.deps.addDependency(`tsx@${TSX_RANGE}`, DependencyType.BUILD);
      runProjenrcWithTsx(this, projenrc.filePath, projenrc.tsconfig.fileName);
    }
    new DriftCheck(this);
  }

  public preSynthesize(): void {
    super.preSynthesize();
    // The drift check compares after every component, those .projenrc.ts adds after this project type's included.
    DriftCheck.of(this)?.scheduleAfterComponents();
  }

  /** The Dockerfile model, for escape hatches. */
  public get dockerfile(): Dockerfile {
    return this.app.image.dockerfile;
  }
}

/**
 * Module settings of the TypeScript that Node runs (.projenrc.ts through tsx, the tests through
 * ts-jest), whatever the browser build says: CommonJS, as in every projen TypeScript project.
 * With the browser's ES2022, ts-node's CommonJS hook emits `import` statements; Node (20.19+)
 * detects them and hands .projenrc.ts to its ES module loader, which cannot load a .ts file
 * ("Unknown file extension .ts"): every `npx projen` failed. `null` resets the browser's "Bundler"
 * resolution to TypeScript's own default for CommonJS: TypeScript 5 rejects Bundler with CommonJS,
 * and 6 rejects the deprecated "Node" (node10).
 */
const NODE_MODULES = { module: 'CommonJS', moduleResolution: null as any };

/** Sets a tsconfig that extends the browser's back to what Node runs ({@link NODE_MODULES}). */
function runByNode(config: TypescriptConfig): void {
  for (const [option, value] of Object.entries(NODE_MODULES)) {
    config.file.addOverride(`compilerOptions.${option}`, value);
  }
}

/** A static site's code runs in the browser: ES modules with DOM types; tests keep CommonJS for jest. */
function browserBuild(options: NodeAppProjectOptions): Partial<TypeScriptProjectOptions> {
  return {
    tsconfig: {
      ...options.tsconfig,
      compilerOptions: { module: 'ES2022', moduleResolution: 'Bundler' as any, target: 'ES2022', lib: ['ES2022', 'DOM'], ...options.tsconfig?.compilerOptions },
    },
    tsconfigDev: {
      ...options.tsconfigDev,
      compilerOptions: { ...NODE_MODULES, lib: ['ES2022', 'DOM'], ...options.tsconfigDev?.compilerOptions },
    },
    jestOptions: {
      ...options.jestOptions,
      jestConfig: {
        // Browser modules import "./x.js"; jest resolves the .ts source.
        moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
        testEnvironment: 'node',
        ...options.jestOptions?.jestConfig,
      },
    },
  };
}
