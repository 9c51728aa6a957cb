import * as path from 'path';
import { DependencyType } from 'projen/lib/dependencies';
import { NodePackageManager, NodeProject } from 'projen/lib/javascript';
import { Project } from 'projen/lib/project';
import { TextFile } from 'projen/lib/textfile';
import { TypeScriptProject } from 'projen/lib/typescript';
import { resolveNodeVersion } from './node-version';
import { fastTaskPath, packageManagerCommands } from './package-managers';
import { assembleStaticSite, browserBuild, DEFAULT_SITE_ENTRYPOINT, resolveSiteEntrypoints } from './static-site';
import { taskScript } from './task-script';
import { BaseImage, DockerfileStage, Instruction, RunMount } from '../dockerfile';
import { TypeScriptLibrary } from './typescript-library';
import { LazyInstruction } from '../dockerfile/lazy-instruction';
import { AppComponent, AppComponentOptions, AppMetadataOptions, AppProjectKind, ContainerImage, ContainerOptions, ImageMetadata, LanguageVersion, LibraryUse, RuntimeCopy, RuntimeUser } from '../image';
import { HEALTH_URL, SEMVER, resolveMetadata } from '../image/app-options';
import { isPathSpec } from '../project/npm-spec';
import { ParentProjenrc } from '../project/parent-projenrc';
import { StubFile } from '../stubs';
import { assertMatches, assertMaxLength, assertSingleLine, invalidOption, userError } from '../validation';

/** What a Node app ships. */
export enum NodeAppKind {
  /** A server started with `node <entrypoint>`, with production node_modules. */
  SERVICE = 'service',
  /** A static front end: the build output served by an unprivileged web server, with an SPA fallback. */
  STATIC_SITE = 'static-site',
}

/**
 * What a Node app is configured with besides the stub switch: a {@link NodeAppProject} takes that
 * from projen's own `sampleCode` (an option declared twice would break `projen new`).
 */
export interface NodeAppSettings extends ContainerOptions {
  /**
   * Node.js major version of every image stage.
   * @default - the major of the project's `minNodeVersion`, else "24"
   * @pjnew "24"
   */
  readonly nodeVersion?: string;

  /**
   * Variant of the official Node image: "slim", "bookworm-slim", "trixie-slim", "bookworm", "trixie",
   * "alpine" or "alpine3.N".
   * @default "slim"
   */
  readonly nodeImageVariant?: string;

  /**
   * What the app ships.
   * @default NodeAppKind.SERVICE
   * @featured
   */
  readonly appKind?: NodeAppKind;

  /**
   * Folder the build writes the static site to (STATIC_SITE only). The build empties it, so it
   * must be a folder of its own: not the sources, tests, compiled output, `public/`, or the project root.
   * @default "dist"
   */
  readonly staticSiteDir?: string;

  /**
   * The modules the pages load, bundled by esbuild with every package they import (STATIC_SITE
   * only): files under the sources folder, each written to the site at the same path as `.js`
   * (`src/main.ts` becomes `main.js`).
   * @default - main.ts in the sources folder, the module the page stub loads
   */
  readonly staticSiteEntrypoints?: string[];

  /**
   * Web server image for a static site: an nginx that runs unprivileged on a high port. Used as
   * named (`imageRegistry` applies to the default only).
   * @default "nginxinc/nginx-unprivileged:1.28"
   */
  readonly webServerImage?: string;

  /**
   * devDependencies the image build does not install (npm only): the `.projenrc.ts` toolchain and
   * the test and lint tools, which the compile task does not run. A package installed from a
   * tarball or folder is outside the build context, so it could not be installed there anyway.
   * The build stage removes them from its copy of the lock file (`npm uninstall
   * --package-lock-only`) and installs the rest exactly as locked. Set `[]` to install everything.
   * @default - the toolchain: projen, constructs, ts-node, tsx, projen's jest and eslint packages (not `@types/jest`, which tsconfig.json names), and every devDependency installed from a path
   */
  readonly imageBuildOmits?: string[];

  /**
   * Write the stubs (the server or page, its test) when they do not exist.
   * @default true
   * @deprecated use `sampleCode`, the name every app type uses
   */
  readonly stubs?: boolean;
}

/**
 * Options of a {@link NodeApp}. The metadata (`version`, `description`, `license`,
 * `repositoryUrl`) is written to the package.json of an app in a folder; the app at a project's
 * root is the project's own package, whose package.json (the project's options) has it.
 */
export interface NodeAppOptions extends NodeAppSettings, AppComponentOptions, AppMetadataOptions {}

const OWNER = 'NodeApp';
const NODE_VARIANT = /^(?:slim|bookworm-slim|trixie-slim|bookworm|trixie|alpine(?:3\.\d+)?)$/;
/** npm's rule for new package names (validate-npm-package-name). */
const NPM_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;
const VERSION_RULE = 'Expected a semantic version such as "1.2.0", as package.json takes.';
const NODE_UID = 1000; // the official image's `node` user
const NGINX_UID = 101; // nginx-unprivileged's `nginx` user
/** What the build stage runs from node_modules' dev dependencies: the TypeScript compiler, the .projenrc runners and projen. */
const DEV_TOOLS = ['tsc', 'ts-node', 'tsx', 'projen'];
/** A static site's build tools besides those: the bundler, and Node itself, which the web server needs none of. */
const SITE_BUILD_TOOLS = ['esbuild', 'node', 'npm', 'npx', 'corepack', 'yarn', 'pnpm'];

/**
 * A Node.js app from a projen Node or TypeScript project, packaged as a
 * multi-stage image. projen's own machinery stays in charge of package.json,
 * dependencies, the package manager and tsconfig; this reads them.
 *
 * A service: a `deps` stage with production dependencies only, a `build`
 * stage with all of them that runs the project's compile task, and a runtime
 * on the slim Node image with the production node_modules and the build
 * output, as the non-root `node` user, started with `node <entrypoint>`
 * (never `npm start`, which swallows signals). The entrypoint is package.json's
 * `main` (projen's `entrypoint` option): one source.
 *
 * A static site: the `build` stage, whose compile task type-checks with tsc and
 * bundles the entry modules with esbuild (npm packages included: a browser
 * resolves no bare import), then an unprivileged nginx serving the site on a
 * high port, with the SPA fallback configured.
 *
 * Stage instruction ids: deps `workdir`, `env`, `copy-manifest`, `install`; build
 * `workdir`, `env`, `copy-manifest`, `install`, `copy-sources`, `compile`. Runtime:
 * see {@link ContainerImage}.
 */
export class NodeApp extends AppComponent {
  /** Node major of every stage. */
  public readonly nodeVersion: string;
  /** What the app ships. */
  public readonly appKind: NodeAppKind;
  /** The JavaScript file the service starts (relative to the project). */
  public readonly entrypoint: string;
  /** The nginx site configuration (STATIC_SITE). */
  public readonly webServerConfig?: TextFile;
  /**
   * The Node project the app is built on: the project itself for the app at its root, else the
   * TypeScript subproject in its folder, where its dependencies go (`appProject.addDeps("express@^5")`).
   */
  public readonly appProject: NodeProject;

  /** The image every Node stage starts from, and the package manager's commands: a library's stage uses them too. */
  private readonly nodeImage: BaseImage;
  private readonly packageManager: ReturnType<typeof packageManagerCommands>;
  /**
   * The app's folder in the build stages: `/app` for the app at the project's root; for an app in
   * a folder, that folder under `/src` (`/src/apps/web`), as deep as in the repository, so a
   * library's relative path (`../../libs/greeting`) leads to the same place (`/src/libs/greeting`)
   * and stays inside the filesystem. npm's lock file keys a linked folder by that relative path,
   * and from `/app` it would climb above `/`: `npm ci` then finds the lock file unusable.
   */
  private readonly builderDir: string;

  /**
   * @param scope the project the app is part of
   * @param id the app's id: its folder's default name (`apps/<id>`) and its tasks' prefix
   * @param options the app's options
   */
  constructor(scope: Project, id: string, options: NodeAppOptions = {}) {
    super(scope, id, {
      owner: OWNER,
      // `stubs` is the deprecated name of `sampleCode`.
      options: { ...options, sampleCode: options.sampleCode ?? options.stubs },
      projectKind: AppProjectKind.NODE,
      defaultPort: options.appKind === NodeAppKind.STATIC_SITE ? 8080 : 3000,
    });
    const project = this.nodeProject(scope, options);
    this.appProject = project;
    const pkg = project.package;
    // The name reaches stubs and the README as text; the package name reaches package.json, npm and the image's title.
    assertSingleLine(this.owner, 'name', project.name, 214);
    assertMatches(this.owner, 'packageName (package.json name, from name unless set)', pkg.packageName, NPM_NAME, 'Expected an npm package name: lowercase letters, digits and - . _ ~, optionally @scope/, at most 214 characters; set packageName when name is not one.');
    assertMaxLength(this.owner, 'packageName', pkg.packageName, 214);
    this.appKind = options.appKind ?? NodeAppKind.SERVICE;
    if (!Object.values(NodeAppKind).includes(this.appKind)) {
      throw invalidOption(this.owner, 'appKind', this.appKind, `Expected one of ${Object.values(NodeAppKind).join(', ')}.`);
    }
    this.nodeVersion = resolveNodeVersion(options.nodeVersion, pkg.minNodeVersion, pkg.maxNodeVersion);
    const variant = options.nodeImageVariant ?? 'slim';
    assertMatches(this.owner, 'nodeImageVariant', variant, NODE_VARIANT, 'Expected "slim", "bookworm-slim", "trixie-slim", "bookworm", "trixie", "alpine" or "alpine3.N".');
    const pm = packageManagerCommands(this.owner, pkg.packageManager);
    const ts = project instanceof TypeScriptProject ? project : undefined;
    const outDir = ts ? ts.libdir : path.posix.dirname(pkg.entrypoint);
    this.entrypoint = path.posix.normalize(pkg.entrypoint);
    const port = this.port!;
    if (this.appKind === NodeAppKind.SERVICE) {
      assertEntrypoint(this.owner, this.entrypoint, ts, outDir);
    } else if (port < 1024) {
      throw invalidOption(this.owner, 'port', port, 'A static site is served by an unprivileged web server, which cannot bind ports below 1024: use 1024-65535 (default 8080).');
    }

    const nodeImage = ContainerImage.baseImage(options, `node:${this.nodeVersion}-${variant}`);
    this.nodeImage = nodeImage;
    const builderDir = this.folder === '.' ? '/app' : path.posix.join('/src', this.folder);
    this.builderDir = builderDir;
    this.packageManager = pm;
    const manifest = ['package.json', pkg.lockFile];
    const cache = RunMount.cache({ target: pm.cache });
    const installStage = (name: string, install: string[]): DockerfileStage => {
      const stage = new DockerfileStage(name, { from: nodeImage });
      stage.addInstruction(Instruction.workdir(builderDir), 'workdir');
      stage.addInstruction(Instruction.env(pm.env), 'env');
      stage.addInstruction(Instruction.copy(manifest, './'), 'copy-manifest');
      // With no production dependencies an install creates no node_modules, and the runtime's COPY of it would fail.
      stage.addInstruction(Instruction.run([...pm.setup, ...install, 'mkdir -p node_modules'], { mounts: [cache] }), 'install');
      return stage;
    };

    // Every file the build reads: the manifest, the lock file, the tsconfig and the sources.
    const tsconfigs = ts ? [ts.tsconfig?.fileName].filter((f): f is string => !!f) : [];
    const sources = ts ? [`${ts.srcdir}/`] : [`${outDir === '.' ? this.entrypoint : `${outDir}/`}`];
    (options.imageBuildOmits ?? []).forEach((name, i) => assertMatches(this.owner, `imageBuildOmits[${i}]`, name, NPM_NAME, 'Expected an npm package name.'));
    const omits = [...new Set(options.imageBuildOmits ?? defaultBuildOmits(project))].sort();
    if (options.imageBuildOmits?.length && pm.omit === undefined) {
      throw invalidOption(this.owner, 'imageBuildOmits', options.imageBuildOmits, `Only npm can remove packages from its lock file without installing: with ${pkg.packageManager}, leave it unset.`);
    }
    const omit = omits.length && pm.omit ? [pm.omit(omits)] : [];
    const build = installStage('build', [...omit, pm.install]);
    build.addInstruction(Instruction.copy(['.'], './'), 'copy-sources');
    // The compile task's own commands, without projen, which the build does not install: produced at synthesis,
    // so steps added to the compile task after this component (by the project type or .projenrc.ts) reach it.
    build.addInstruction(new LazyInstruction(() => compileInstruction(project)), 'compile');
    const context = [...manifest, ...tsconfigs, ...sources];
    const uid = options.runtimeUid;
    const healthPath = this.healthCheckPath;
    const languageVersion = LanguageVersion.parse(this.owner, 'nodeVersion', this.nodeVersion);
    const metadata = metadataOf(this.owner, project);

    if (this.appKind === NodeAppKind.SERVICE) {
      const deps = installStage('deps', [pm.installProduction]);
      const copies: RuntimeCopy[] = [
        { fromStage: 'build', source: `${builderDir}/package.json`, destination: '/app/package.json', id: 'manifest' },
        { fromStage: 'deps', source: `${builderDir}/node_modules`, destination: '/app/node_modules', id: 'node-modules' },
        { fromStage: 'build', source: `${builderDir}/${outDir}`, destination: `/app/${outDir}`, id: 'build-output' },
      ];
      this.createImage({
        ecosystem: 'node',
        languageVersion,
        metadata,
        buildStages: [deps, build],
        payload: {
          image: nodeImage,
          user: uid === undefined || uid === NODE_UID ? RuntimeUser.existing(NODE_UID)
            : variant.startsWith('alpine') ? RuntimeUser.alpine('app', uid) : RuntimeUser.debian('app', uid),
          copies,
          env: { NODE_ENV: 'production' },
          command: ['node', this.entrypoint],
          // The compiler and projen are dev dependencies; node, npm, corepack (and its yarn and pnpm shims) are the base image's.
          buildOnlyTools: DEV_TOOLS,
        },
        defaultSizeBudgetMb: 500,
        // The URL is an argument, not part of the code: whatever the path holds, it is data.
        healthProbe: { command: ['node', '-e', 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))', HEALTH_URL] },
        context,
        contextExcludes: ['**/*.test.ts', '**/__tests__'],
      });
    } else {
      const siteDir = options.staticSiteDir ?? 'dist';
      assertSiteDir(this.owner, siteDir, ts);
      if (ts) {
        assembleStaticSite(ts, siteDir, resolveSiteEntrypoints(this.owner, options.staticSiteEntrypoints, ts.srcdir));
      }
      this.webServerConfig = new TextFile(project, 'nginx.conf');
      for (const line of nginxConfig(port, healthPath, `# ${this.webServerConfig.marker}`)) {
        this.webServerConfig.addLine(line);
      }
      this.createImage({
        ecosystem: 'node',
        languageVersion,
        metadata,
        buildStages: [build],
        payload: {
          image: options.webServerImage !== undefined ? BaseImage.of(options.webServerImage) : ContainerImage.baseImage(options, 'nginxinc/nginx-unprivileged:1.28'),
          user: RuntimeUser.existing(uid ?? NGINX_UID),
          copies: [
            { fromStage: 'build', source: `${builderDir}/nginx.conf`, destination: '/etc/nginx/conf.d/default.conf', id: 'site-config' },
            { fromStage: 'build', source: `${builderDir}/${siteDir}`, destination: '/usr/share/nginx/html', id: 'site' },
          ],
          command: ['nginx', '-g', 'daemon off;'],
          // The web server needs none of the build's Node toolchain.
          buildOnlyTools: [...SITE_BUILD_TOOLS, ...DEV_TOOLS],
          workdir: '/usr/share/nginx/html',
        },
        defaultSizeBudgetMb: 300,
        // --globoff: curl would read [ ] { } in the URL as its own patterns.
        healthProbe: { command: ['curl', '-fsS', '--globoff', '-o', '/dev/null', HEALTH_URL] },
        context: [...context, 'public/', 'nginx.conf'],
        contextExcludes: ['**/*.test.ts', '**/__tests__'],
      });
    }

    if (this.sampleCode) {
      const context2 = this.stubContext();
      const srcdir = ts?.srcdir ?? 'src';
      const testdir = ts?.testdir ?? 'test';
      if (this.appKind === NodeAppKind.SERVICE) {
        const entrySource = ts ? sourceOf(this.entrypoint, ts) : this.entrypoint;
        new StubFile(project, entrySource, 'node/server.ts.hbs', context2, 'node:server');
        new StubFile(project, `${testdir}/server.test.ts`, 'node/server.test.ts.hbs', { ...context2, importPath: relativeImport(testdir, entrySource) }, 'node:server-test');
      } else {
        new StubFile(project, 'public/index.html', 'node/index.html.hbs', context2, 'node:page');
        new StubFile(project, `${srcdir}/${DEFAULT_SITE_ENTRYPOINT}`, 'node/main.ts.hbs', context2, 'node:main');
        new StubFile(project, `${srcdir}/greeting.ts`, 'node/greeting.ts.hbs', context2, 'node:greeting');
        new StubFile(project, `${testdir}/greeting.test.ts`, 'node/greeting.test.ts.hbs', { ...context2, importPath: relativeImport(testdir, `${srcdir}/greeting.ts`) }, 'node:greeting-test');
      }
    }
  }

  /**
   * A `file:` dependency on the package's folder. On the developer's machine npm installs it as a
   * link (its default), so the app's compile and tests read the package as it is now: the app's
   * `compile` and `test` tasks compile the package first. A copy, as `install-links` would make
   * it, is refreshed by nothing but a clean install: `npm install` keeps a stale one. In the image
   * it is installed as a real copy (`NPM_CONFIG_INSTALL_LINKS`), so node_modules holds the package
   * and a service's runtime needs nothing else: the image compiles the package in a stage of its
   * own (`lib-<id>-build`, from its named build context, with its lock file), and the stages that
   * install copy its package.json and compiled `lib/` to the same relative place first, where the
   * dependency's path leads. The package has no dependencies of its own (its package.json is
   * generated, with the compiler alone, a dev dependency), so the lock file written with the link
   * holds everything the copy needs.
   *
   * A static site bundles the same compiled package (CommonJS, which esbuild wraps): one build of
   * the library for every app, the installed package's `lib/index.d.ts` for the type-check, and
   * its sources stay out of the app's node_modules. The cost: esbuild cannot drop a CommonJS
   * module's unused exports, so the bundle has the whole (small, workspace-own) library.
   */
  protected useLibrary(use: LibraryUse): void {
    const library = use.library;
    if (!(library instanceof TypeScriptLibrary)) {
      throw invalidOption(this.owner, 'use library', library.folder, `${library.owner} is not a TypeScriptLibrary: a NodeApp depends on an npm package.`);
    }
    if (this.packageManager.omit === undefined) {
      throw invalidOption(this.owner, 'use library', library.folder, `Only npm installs a library here: with ${this.appProject.package.packageManager}, leave it out.`);
    }
    const destination = this.builderPath(use, this.builderDir);
    const stageName = `${use.contextName}-build`;
    const stage = new DockerfileStage(stageName, { from: this.nodeImage });
    stage.addInstruction(Instruction.workdir(destination), 'workdir');
    stage.addInstruction(Instruction.env(this.packageManager.env), 'env');
    stage.addInstruction(Instruction.copy(['package.json', 'package-lock.json'], './', { from: use.contextName }), 'copy-manifest');
    stage.addInstruction(Instruction.run([this.packageManager.install], { mounts: [RunMount.cache({ target: this.packageManager.cache })] }), 'install');
    stage.addInstruction(Instruction.copy(['tsconfig.json'], './', { from: use.contextName }), 'copy-tsconfig');
    stage.addInstruction(Instruction.copy(['src'], './src', { from: use.contextName }), 'copy-sources');
    stage.addInstruction(Instruction.run(['npx tsc']), 'compile');
    const dockerfile = this.image.dockerfile;
    dockerfile.insertStageBefore(dockerfile.stages[0].name, stage);
    for (const name of ['deps', 'build']) {
      const at = dockerfile.tryFindStage(name);
      if (!at) {
        continue;
      }
      if (!at.tryFindInstruction('install-links')) {
        at.insertBefore('install', Instruction.env({ NPM_CONFIG_INSTALL_LINKS: 'true' }), 'install-links');
      }
      at.insertBefore('install', Instruction.copy([`${destination}/package.json`], `${destination}/package.json`, { from: stageName }), `${use.contextName}-manifest`);
      at.insertBefore('install', Instruction.copy([`${destination}/lib`], `${destination}/lib`, { from: stageName }), `${use.contextName}-lib`);
    }
    this.appProject.addDeps(`${library.packageName}@file:${use.path}`);
    for (const name of ['compile', 'test']) {
      this.project.tasks.tryFind(this.taskName(name))?.prependSpawn(library.compileTask);
    }
  }

  /** A static site's page runs in the browser, which sees neither nginx's environment nor the compose network. */
  protected connectionRefusal(target: AppComponent, env: string, url: string): string | undefined {
    if (this.appKind !== NodeAppKind.STATIC_SITE) {
      return undefined;
    }
    return `A static site's page runs in the browser: it reads no environment variable (${env}) and cannot reach ${url}, a host name of the compose network. Have the page call "${target.appId}" at an address the browser reaches, or connect a Node service to it and call that.`;
  }

  /**
   * The Node project the app is built on: the project itself for the app at its root (folder ".").
   *
   * A Node app in a folder gets a projen TypeScriptProject there, as a subproject: NodeApp reads
   * package.json, the lock file, the package manager and tsconfig from projen's Node machinery,
   * which belongs to a project, not a component, and one project has one package.json. So the
   * app's manifest, dependencies and node_modules are its own, whatever kind the parent is (a
   * plain project, a Python one, or a Node project whose package.json stays the parent's). The
   * component itself stays the parent's (AppComponent.all(parent) finds it); the parent gets the
   * app's tasks under its id (`web:test`, `web:docker:build`), which run the subproject's own.
   */
  private nodeProject(scope: Project, options: NodeAppOptions): NodeProject {
    if (this.folder === '.') {
      const given = (['version', 'description', 'license', 'repositoryUrl'] as const).find((name) => options[name] !== undefined);
      if (given) {
        throw invalidOption(this.owner, given, options[given], 'The app at the project\'s root is the project\'s own package: its package.json has the version, description, license and repository, from the project\'s options (the version: project.package.addVersion("1.2.0")). Set them there.');
      }
      return scope as NodeProject;
    }
    // Checked as every app's are, before the subproject writes them into package.json, which the labels then read.
    const metadata = resolveMetadata(this.owner, this.appId, options, { description: '', versionPattern: SEMVER, versionRule: VERSION_RULE });
    const nodeVersion = resolveNodeVersion(options.nodeVersion, undefined, undefined);
    const staticSite = options.appKind === NodeAppKind.STATIC_SITE;
    const subproject = new TypeScriptProject({
      parent: scope,
      outdir: this.folder,
      name: this.appId,
      defaultReleaseBranch: 'main',
      packageManager: NodePackageManager.NPM,
      minNodeVersion: `${nodeVersion}.0.0`,
      // The app, nothing else: no release workflow, no projen sample, no .projenrc of its own (the
      // parent's configures it), no linter or upgrade workflow to keep.
      release: false,
      sampleCode: false,
      projenrcTs: false,
      projenrcJson: false,
      eslint: false,
      depsUpgrade: false,
      // projen in the app's own node_modules: the parent's `web:*` tasks run `npx projen <task>` there.
      projenDevDependency: true,
      description: options.description,
      repository: options.repositoryUrl,
      // The app's license is the user's to state (set below), not projen's Apache-2.0 default, whose
      // licensed: true also writes a LICENSE file, which projen has for a few licenses only.
      licensed: false,
      ...(staticSite ? browserBuild({}) : {}),
    });
    // The same default as every other app's, in place of projen's placeholder 0.0.0 (its release would set the version).
    subproject.package.addVersion(metadata.version);
    if (metadata.licenses !== undefined) {
      subproject.package.addField('license', metadata.licenses);
    }
    fastTaskPath(subproject);
    // Its generated files' marker names the root's .projenrc.ts, which configures it.
    new ParentProjenrc(subproject);
    this.attachSubproject(subproject);
    const cwd = this.folder;
    scope.addTask(this.taskName('install'), { cwd, description: `Install ${this.appId}'s packages (in ${cwd})`, exec: 'npm install' });
    for (const name of ['compile', 'test', 'docker:build', 'docker:run', 'verify']) {
      const task = scope.addTask(this.taskName(name), { cwd, description: `${name} of ${this.appId}: the task of its project in ${cwd}`, exec: `npx projen ${name}` });
      if (name === 'compile' || name === 'test') {
        (scope.tasks.tryFind(name) ?? scope.addTask(name)).spawn(task);
      }
    }
    return subproject;
  }
}

/** The compile task as a RUN, or undefined when it has no step. */
function compileInstruction(project: NodeProject): Instruction | undefined {
  const script = taskScript(project, project.compileTask);
  return script === undefined ? undefined : Instruction.run([script]);
}

/**
 * projen's own tooling among the devDependencies, and every one installed from a path. Not
 * `@types/jest`: projen's tsconfig.json names the jest types, and the compiler needs them.
 */
function defaultBuildOmits(project: NodeProject): string[] {
  const toolchain = /^(?:projen|constructs|ts-node|tsx|jest|ts-jest|jest-junit|eslint(?:-.*)?|@typescript-eslint\/.*|@stylistic\/.*|prettier(?:-.*)?)$/;
  const dev = [DependencyType.BUILD, DependencyType.DEVENV, DependencyType.TEST];
  return project.deps.all
    .filter((d) => dev.includes(d.type) && (toolchain.test(d.name) || (d.version !== undefined && isPathSpec(d.version))))
    .map((d) => d.name);
}

/**
 * The static site's folder is emptied by every build (`rm -rf`): it must be a
 * folder of its own inside the project, never the user's sources, the
 * project root, or a folder projen or npm own.
 */
function assertSiteDir(owner: string, siteDir: string, ts: TypeScriptProject | undefined): void {
  assertMatches(owner, 'staticSiteDir', siteDir, /^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/, 'Expected a relative folder inside the project such as "dist".');
  const dir = path.posix.normalize(siteDir).replace(/\/+$/, '');
  const owned: Array<[string, string]> = [
    ...(ts ? [[ts.srcdir, 'srcdir (the sources)'], [ts.testdir, 'testdir (the tests)'], [ts.libdir, 'libdir (the compiled output the site is assembled from)']] as Array<[string, string]> : []),
    ['public', 'public/ (the pages the site is assembled from)'],
    ['node_modules', 'node_modules'],
    ['.projen', '.projen'],
  ];
  for (const [folder, what] of owned) {
    const other = path.posix.normalize(folder).replace(/\/+$/, '');
    if (dir === other || dir.startsWith(`${other}/`) || other.startsWith(`${dir}/`)) {
      throw userError(`${owner}: invalid staticSiteDir ${JSON.stringify(siteDir)}. The build empties it, and it overlaps ${what} "${other}": choose a folder of its own, such as "dist".`);
    }
  }
}

/** The TypeScript source that compiles to a file in the lib dir. */
function sourceOf(entrypoint: string, ts: TypeScriptProject): string {
  const compiled = path.posix.join(ts.srcdir, path.posix.relative(ts.libdir, entrypoint));
  return compiled.replace(/\.js$/, '.ts').replace(/\.cjs$/, '.cts').replace(/\.mjs$/, '.mts');
}

function assertEntrypoint(owner: string, entrypoint: string, ts: TypeScriptProject | undefined, outDir: string): void {
  const rule = ts
    ? `Expected a .js file under "${outDir}" (the compiled output of "${ts.srcdir}"), e.g. "${outDir}/index.js".`
    : 'Expected a .js file in the project, e.g. "index.js".';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.\/-]*\.(?:c|m)?js$/.test(entrypoint) || entrypoint.split('/').includes('..')) {
    throw invalidOption(owner, 'entrypoint (package.json main)', entrypoint, rule);
  }
  if (ts && !entrypoint.startsWith(`${outDir}/`)) {
    throw invalidOption(owner, 'entrypoint (package.json main)', entrypoint, rule);
  }
}

/** `../src/index` from `test/` to `src/index.ts`. */
function relativeImport(fromDir: string, file: string): string {
  const rel = path.posix.relative(fromDir, file.replace(/\.(c|m)?ts$/, ''));
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** The labels' facts, read from package.json (projen's options) and checked like every app's. */
function metadataOf(owner: string, project: NodeProject): ImageMetadata {
  // projen keeps some package.json fields as lazy values.
  const field = (name: string): any => {
    const value = project.package.manifest[name];
    return typeof value === 'function' ? value() : value;
  };
  const repository = field('repository');
  const license = field('license');
  return resolveMetadata(owner, project.package.packageName, {
    version: field('version'),
    description: field('description'),
    license: license === 'UNLICENSED' ? undefined : license,
    repositoryUrl: (typeof repository === 'string' ? repository : repository?.url)?.replace(/^git\+/, ''),
  }, {
    repositoryOption: 'repository',
    description: `${project.name}: a Node.js app built by stagecraft`,
    version: '0.0.0',
    versionPattern: SEMVER,
    versionRule: VERSION_RULE,
  });
}

/** nginx site: the build output, an SPA fallback to index.html, and a health endpoint. */
function nginxConfig(port: number, healthPath: string, marker: string): string[] {
  return [
    marker,
    'server {',
    `    listen ${port};`,
    '    server_name _;',
    '    root /usr/share/nginx/html;',
    '    index index.html;',
    // Quoted: a ";" or "{" in the path would otherwise end the directive.
    `    location = "${healthPath.replace(/[\\"]/g, (c) => `\\${c}`)}" {`,
    '        access_log off;',
    '        default_type text/plain;',
    '        return 200 "ok\\n";',
    '    }',
    '    # Client-side routes: any path that is not a file gets the app.',
    '    location / {',
    '        try_files $uri $uri/ /index.html;',
    '    }',
    '}',
  ];
}
