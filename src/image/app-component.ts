import * as path from 'path';
import { Component } from 'projen/lib/component';
import { Dependencies, DependencyType } from 'projen/lib/dependencies';
import { NodePackage } from 'projen/lib/javascript';
import { Project } from 'projen/lib/project';
import { Task, TaskOptions } from 'projen/lib/task';
import { COMPONENT_ID, DEFAULT_HEALTH_PATH, PROJECT_FOLDER, containerOptionsOf, defaultImageName } from './app-options';
import { ContainerImage, ContainerOptions, ImageMetadata, PackageSource, RuntimeCopy } from './container-image';
import { LanguageVersion } from './language-version';
import { LibraryComponent, LibraryUse } from './library-component';
import { RuntimeUser } from './runtime-user';
import { BaseImage, DockerfileStage, HealthcheckOptions } from '../dockerfile';
import { assertVariableName } from '../dockerfile/syntax';
import { invalidOption, show, userError } from '../validation';

/** Top folders of a Linux image: a library copied there would mix with the system. */
const SYSTEM_FOLDERS = ['bin', 'boot', 'dev', 'etc', 'home', 'lib', 'lib32', 'lib64', 'libx32', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp', 'usr', 'var'];

/** Options every app component shares: the container options and the stub switch. */
export interface AppComponentOptions extends ContainerOptions {
  /**
   * Write the stubs (source, test, README) when they do not exist.
   * @default true
   */
  readonly sampleCode?: boolean;

  /**
   * The app's folder, relative to the project (posix): its manifest, lock file, stubs, Dockerfile and .dockerignore, and the image's build context. "." is the project's root, the only app there.
   * @default "apps/<id>" (the project types: ".", the one folder they take)
   */
  readonly folder?: string;
}

/** A declared dependency of an app: its name, its version or constraint, and its kind. */
export interface AppDependency {
  /** Package, module or distribution name. */
  readonly name: string;
  /**
   * Version or constraint, as the ecosystem writes it.
   * @default - any version
   */
  readonly version?: string;
  /** Runtime, test or build dependency. */
  readonly type: DependencyType;
}

/** Options of {@link AppComponent.connectTo}. */
export interface ConnectionOptions {
  /**
   * Name of the environment variable that holds the other component's URL (`http://<id>:<port>`).
   * @default - the other component's id in upper case, "-" as "_", and "_URL": "API_URL" for "api"
   */
  readonly env?: string;
}

/** One component's connection to another: it starts after the other is healthy and reaches it by a URL. */
export interface AppConnection {
  /** The component connected to. */
  readonly target: AppComponent;
  /** The environment variable that holds the URL. */
  readonly env: string;
  /** The URL on the compose network: `http://<target id>:<target port>`. */
  readonly url: string;
}

/** The kind of projen project an app component is added to. */
export enum AppProjectKind {
  /** A projen Node project (package.json is the app's manifest). */
  NODE = 'node',
  /** Any project but a Node project: the app has a manifest of its own, and npm packages are not its dependencies. */
  NON_NODE = 'non-node',
}

/** How an app component is set up: what it is called and what project it needs. */
export interface AppComponentProps {
  /** What the user configures, named in error messages, e.g. `PoetryApp`. */
  readonly owner: string;
  /** What the user set. */
  readonly options: AppComponentOptions;
  /** The kind of project the app is added to; another kind is refused. */
  readonly projectKind: AppProjectKind;
  /**
   * The project type that holds this app as a subproject of a project of the wrong kind, named in the refusal.
   * @default - none named
   */
  readonly subprojectType?: string;
  /**
   * The port of an app that does not set one.
   * @default - none: a command-line app
   */
  readonly defaultPort?: number;
}

/** What the runtime stage holds: the image it starts from, its user, what it copies and how it starts. */
export interface RuntimePayload {
  /** Image of the runtime stage. */
  readonly image: BaseImage;
  /** The non-root user it runs as. */
  readonly user: RuntimeUser;
  /** Paths copied from build stages: nothing else reaches it. */
  readonly copies: RuntimeCopy[];
  /**
   * The ecosystem's environment (`$NAME` references are expanded by Docker).
   * @default - none
   */
  readonly env?: { [name: string]: string };
  /**
   * Exec-form CMD.
   * @default - none (set `entrypoint`)
   */
  readonly command?: string[];
  /**
   * Exec-form ENTRYPOINT.
   * @default - none
   */
  readonly entrypoint?: string[];
  /**
   * Working directory.
   * @default "/app"
   */
  readonly workdir?: string;
  /**
   * Programs the build stages need and the runtime must not hold, beside the C compilers.
   * @default - the C compilers only
   */
  readonly buildOnlyTools?: string[];
}

/**
 * A health probe: an exec-form command with a `{url}` argument (`HEALTH_URL`) (or `{port}` and `{path}`
 * placeholders), each in an argument of its own.
 */
export interface HealthProbe {
  /** The command, e.g. `["curl", "-fsS", "{url}"]`. */
  readonly command: string[];
  /**
   * Timing of the HEALTHCHECK.
   * @default { interval: "30s", timeout: "5s", startPeriod: "10s", retries: 3 }
   */
  readonly options?: HealthcheckOptions;
}

/** What an ecosystem supplies to its app component: only what differs between ecosystems. */
export interface AppImageSpec {
  /** The ecosystem, e.g. `python`. */
  readonly ecosystem: string;
  /** The language version the app targets. */
  readonly languageVersion: LanguageVersion;
  /** The app's manifest facts: version, description, license, repository. */
  readonly metadata: ImageMetadata;
  /** Build stages, in order, before the runtime stage. */
  readonly buildStages: DockerfileStage[];
  /** What the runtime stage holds. */
  readonly payload: RuntimePayload;
  /** Paths (relative to the project) the build context holds. */
  readonly context: string[];
  /**
   * Patterns excluded even inside `context`.
   * @default - none
   */
  readonly contextExcludes?: string[];
  /**
   * The probe of a service.
   * @default - no HEALTHCHECK
   */
  readonly healthProbe?: HealthProbe;
  /** `imageSizeBudgetMb` of an app that does not set it. */
  readonly defaultSizeBudgetMb: number;
  /**
   * Where the app installs its packages from, when the ecosystem can be pointed at an index.
   * @default - the ecosystem's public index, which the app cannot change
   */
  readonly packageSource?: PackageSource;
  /**
   * Flags `docker:build` passes to the engine.
   * @default - none
   */
  readonly buildFlags?: string[];
}

/**
 * An app in a project, packaged as a container image: the contract every
 * ecosystem implements. It owns what every app shares (id and folder, name,
 * version, port, health path, runtime user, image name and tag, labels, the
 * stub switch, the {@link ContainerImage} and the refusal of a wrong project
 * kind), each computed once and exposed as a typed property; an ecosystem
 * supplies its language version, build stages, runtime payload, build
 * context, health probe and tasks ({@link AppImageSpec}).
 */
export abstract class AppComponent extends Component {
  /** The project's app components, in the order they were added. */
  public static all(project: Project): AppComponent[] {
    return project.components.filter((c): c is AppComponent => c instanceof AppComponent);
  }

  /** The project's first app component, if it has one. */
  public static of(project: Project): AppComponent | undefined {
    return AppComponent.all(project)[0];
  }

  /**
   * Checks where the app goes before anything is created, and returns its construct id: the id
   * is a DNS label, the folder a path inside the project, and no other app of the project has
   * the id, the port, or a folder that contains, or is inside, this one; an app at "." is the
   * project's only app.
   */
  private static checkPlacement(project: Project, id: string, props: AppComponentProps): string {
    const owner = props.owner;
    if (typeof id !== 'string' || !COMPONENT_ID.test(id)) {
      throw invalidOption(`${owner} ${show(id)}`, 'id', id, 'Expected a folder and compose service name: lowercase letters, digits and "-", starting with a letter, not ending with "-", at most 63 characters (e.g. "api").');
    }
    const who = `${owner} "${id}"`;
    const folder = props.options.folder ?? `apps/${id}`;
    if (typeof folder !== 'string' || !(folder === '.' || PROJECT_FOLDER.test(folder)) || folder.length > 255) {
      throw invalidOption(who, 'folder', folder, 'Expected "." or a relative folder inside the project such as "apps/api": "/"-separated names of letters, digits and . _ -, none starting with "." (at most 255 characters).');
    }
    const port = props.options.port ?? props.defaultPort;
    for (const other of AppComponent.all(project)) {
      const them = `${other.appType} "${other.appId}"`;
      if (other.appId === id) {
        throw invalidOption(who, 'id', id, `${them} has it already: each app of a project has an id of its own.`);
      }
      if (folder === '.' || other.folder === '.') {
        const root = folder === '.' ? who : them;
        throw invalidOption(who, 'folder', folder, `${root} is at the project's root ("."), which holds one app alone: give each app a folder of its own (the default, "apps/<id>").`);
      }
      if (folder === other.folder || folder.startsWith(`${other.folder}/`) || other.folder.startsWith(`${folder}/`)) {
        throw invalidOption(who, 'folder', folder, `${them} is in "${other.folder}": each app needs a folder of its own, neither inside the other.`);
      }
      if (port !== undefined && other.port === port) {
        throw invalidOption(who, 'port', port, `${them} listens on it already: give each app a port of its own.`);
      }
    }
    for (const library of LibraryComponent.all(project)) {
      if (library.libraryId === id) {
        throw invalidOption(who, 'id', id, `${library.owner} has it already: apps and libraries of a project each have an id of their own (it names their tasks).`);
      }
      if (folder === '.' ? false : folder === library.folder || folder.startsWith(`${library.folder}/`) || library.folder.startsWith(`${folder}/`)) {
        throw invalidOption(who, 'folder', folder, `${library.owner} is in "${library.folder}": an app needs a folder of its own, neither inside a library's nor around one.`);
      }
    }
    return `${owner}#${id}`;
  }

  /**
   * The app's id in the project: its folder's default name, its tasks' prefix and its service's
   * name, so a DNS label: lowercase letters, digits and "-", starting with a letter, not ending
   * with "-", at most 63 characters.
   */
  public readonly appId: string;
  /** The app's folder, relative to the project, posix ("." for the app at the project's root). */
  public readonly folder: string;
  /** The app's name: the project's for the app at the root, its id for an app in a folder. */
  public readonly name: string;
  /** TCP port the app listens on; undefined for a command-line app. */
  public readonly port?: number;
  /** HTTP path of the health check (and the stubs' health endpoint). */
  public readonly healthCheckPath: string;
  /** Whether the stubs are written. */
  public readonly sampleCode: boolean;

  /** What the user configures, for error messages: the app type, and the id of an app in a folder (`PoetryApp "api"`). */
  protected readonly owner: string;
  /** The app type, e.g. `PoetryApp`. */
  public readonly appType: string;
  /** The shared options, checked. */
  protected readonly containerOptions: ContainerOptions;
  private _image?: ContainerImage;
  private _spec?: AppImageSpec;
  private readonly _connections: AppConnection[] = [];
  private readonly _libraries: LibraryUse[] = [];
  /** The project that holds the app's files and its own tasks, and the app's folder in it. */
  private _home?: { project: Project; dir: string };
  /** An app in a folder declares its own dependencies; the app at the root, the project's. */
  private readonly ownDeps: AppDependency[] = [];
  private readonly lifecycle = new Map<string, Task>();

  protected constructor(project: Project, id: string, props: AppComponentProps) {
    super(project, AppComponent.checkPlacement(project, id, props));
    const owner = props.owner;
    const folder = props.options.folder ?? `apps/${id}`;
    const isNode = NodePackage.of(project) !== undefined;
    // An app in a folder has a manifest and dependencies of its own: the project's kind does not matter.
    if (folder === '.' && props.projectKind === AppProjectKind.NON_NODE && isNode) {
      const instead = props.subprojectType ? `: new ${props.subprojectType}({ parent: project, outdir: "app" })` : '';
      throw userError(`${owner}: project "${project.name}" is a Node project, whose dependencies are npm packages. Add the app in a folder of its own (the default, "apps/<id>") or as a subproject instead${instead}.`);
    }
    if (folder === '.' && props.projectKind === AppProjectKind.NODE && !isNode) {
      throw invalidOption(owner, 'project', (project as any)?.constructor?.name, `Expected a projen NodeProject or TypeScriptProject: ${owner} at the project's root (folder ".") reads package.json, the package manager and tsconfig from it. In a folder of its own, it gets a TypeScript project there.`);
    }
    this.appType = owner;
    // The shared options' errors name the app: one of several is known by its id.
    this.owner = folder === '.' ? owner : `${owner} "${id}"`;
    this.containerOptions = containerOptionsOf(this.owner, props.options);
    this.appId = id;
    this.folder = folder;
    this.name = folder === '.' ? project.name : id;
    this.port = props.options.port ?? props.defaultPort;
    this.healthCheckPath = props.options.healthCheckPath ?? DEFAULT_HEALTH_PATH;
    this.sampleCode = props.options.sampleCode ?? true;
    // A Node app in a folder lives in a subproject of its own (see NodeApp), which it attaches itself.
    if (!(props.projectKind === AppProjectKind.NODE && folder !== '.')) {
      this._home = { project, dir: folder };
    }
  }

  /**
   * A path inside the app's folder, relative to the project that holds its files: `pyproject.toml`
   * is `apps/api/pyproject.toml` for an app in "apps/api".
   */
  protected filePath(relative: string): string {
    const dir = this.home.dir;
    return dir === '.' ? relative : path.posix.join(dir, relative);
  }

  /** The Dockerfile's path, relative to the project root (posix), e.g. `apps/api/Dockerfile`. */
  public get dockerfilePath(): string {
    const file = this.image.dockerfile.path;
    // A Node app's subproject writes it relative to the app's folder.
    return this.home.project === this.project ? file : path.posix.join(this.folder, file);
  }

  /**
   * The name of one of the app's tasks in the project: `api:docker:build` for `docker:build` of
   * the app "api" in a folder, `docker:build` for the app at the project's root.
   */
  public taskName(name: string): string {
    return this.folder === '.' ? name : `${this.appId}:${name}`;
  }

  /** The project that holds the app's files and its own tasks: the project, or a Node app's subproject. */
  protected get homeProject(): Project {
    return this.home.project;
  }

  /** The app's folder in {@link homeProject}: `folder`, or "." in a Node app's subproject. */
  protected get homeFolder(): string {
    return this.home.dir;
  }

  private get home(): { project: Project; dir: string } {
    if (!this._home) {
      throw userError(`${this.owner}: the app's project is not set up yet.`);
    }
    return this._home;
  }

  /** Makes a subproject at the app's folder the project of its files and tasks (a Node app in a folder). */
  protected attachSubproject(subproject: Project): void {
    if (this._home) {
      throw userError(`${this.owner}: the app's project is set up already.`);
    }
    this._home = { project: subproject, dir: '.' };
  }

  /** Adds one of the app's tasks, named after it and run in its folder (see {@link taskName}). */
  protected addAppTask(name: string, options: TaskOptions = {}): Task {
    const { project, dir } = this.home;
    return project.addTask(dir === '.' ? name : `${this.appId}:${name}`, dir === '.' ? options : { ...options, cwd: dir });
  }

  /**
   * The app's part of a project task (`test`, `compile`, `package`): the project's own task for
   * the app at the root; for an app in a folder, its own task (`api:test`, run in its folder),
   * which the project's task runs.
   */
  protected lifecycleTask(name: string): Task {
    const { project, dir } = this.home;
    const own = project.tasks.tryFind(name);
    if (dir === '.' && own) {
      return own;
    }
    let task = this.lifecycle.get(name);
    if (!task) {
      task = this.addAppTask(name, { description: `${name} of ${this.appId} (in ${this.folder})` });
      (own ?? project.addTask(name)).spawn(task);
      this.lifecycle.set(name, task);
    }
    return task;
  }

  /** Ignores a path of the app's folder in git: `/.venv/` is `/apps/api/.venv/` for an app in "apps/api". */
  protected addGitIgnore(pattern: string): void {
    const { project, dir } = this.home;
    project.addGitIgnore(dir === '.' || !pattern.startsWith('/') ? pattern : `/${dir}${pattern}`);
  }

  /** A stub id unique in the project: the app's own for an app in a folder. */
  protected stubId(id: string): string {
    return this.home.dir === '.' ? id : `${this.appId}:${id}`;
  }

  /**
   * Declares a dependency, `name@version`: the project's (`project.deps`) for the app at the root,
   * as before; the app's own for an app in a folder, whose manifest is its own.
   */
  protected declareDependency(spec: string, type: DependencyType): void {
    if (this.home.dir === '.') {
      this.home.project.deps.addDependency(spec, type);
      return;
    }
    const { name, version } = Dependencies.parseDependency(spec);
    const known = this.ownDeps.findIndex((d) => d.name === name && d.type === type);
    const dep: AppDependency = { name, version, type };
    if (known >= 0) {
      this.ownDeps[known] = dep;
    } else {
      this.ownDeps.push(dep);
    }
  }

  /**
   * Adds a runtime dependency, in the form the app's `deps` option takes (`name@version` for npm,
   * Python and Rust, `path@version` for Go, `groupId:artifactId@version` for Maven), checked at once.
   */
  public addDependency(spec: string): void {
    this.declareDependency(spec, DependencyType.RUNTIME);
    this.checkDependencies();
  }

  /** Declares the dependencies of the app's `deps` and `testDeps` options, then checks them. */
  protected declareDependencies(runtime: string[] = [], test: string[] = []): void {
    runtime.forEach((spec) => this.declareDependency(spec, DependencyType.RUNTIME));
    test.forEach((spec) => this.declareDependency(spec, DependencyType.TEST));
    this.checkDependencies();
  }

  /**
   * Checks the dependencies declared so far, naming the one that is wrong: an ecosystem whose
   * manifest reads them in a form of its own overrides it.
   */
  protected checkDependencies(): void {}

  /** The app's declared dependencies: the project's for the app at the root, its own in a folder. */
  protected get declaredDependencies(): AppDependency[] {
    return this.home.dir === '.' ? this.home.project.deps.all.map((d) => ({ name: d.name, version: d.version, type: d.type })) : [...this.ownDeps];
  }

  /**
   * Why this component's runtime cannot use a connection's URL, or undefined when it can: an
   * ecosystem whose runtime reads no environment overrides it.
   */
  protected connectionRefusal(_target: AppComponent, _env: string, _url: string): string | undefined {
    return undefined;
  }

  /**
   * Connects this component to a service: at run time (compose) this one starts once the other is
   * healthy and finds its URL, `http://<id>:<port>`, in the environment variable `options.env`.
   * Refused, naming both: a component with no port, this component itself, a connection that would
   * close a cycle, an environment variable this component sets already, a component whose runtime
   * cannot use the URL (a static site, whose page runs in the browser).
   */
  public connectTo(target: AppComponent, options: ConnectionOptions = {}): AppConnection {
    const owner = `${this.appType} "${this.appId}"`;
    if (!(target instanceof AppComponent)) {
      throw invalidOption(owner, 'connectTo target', target, 'Expected an app component of the project, e.g. a PoetryApp.');
    }
    if (target === this) {
      throw invalidOption(owner, 'connectTo target', target.appId, 'A component cannot connect to itself: connect it to another component of the project.');
    }
    if (target.project !== this.project) {
      throw invalidOption(owner, 'connectTo target', target.appId, `It belongs to project "${target.project.name}", not "${this.project.name}": connect components of one project.`);
    }
    if (target.port === undefined) {
      throw invalidOption(owner, 'connectTo target', target.appId, `"${target.appId}" has no port (a command-line app): set its port, or connect to a service.`);
    }
    const env = options.env ?? `${target.appId.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_URL`;
    assertVariableName(owner, 'connectTo env', env, 'an environment variable name');
    const url = `http://${target.appId}:${target.port}`;
    const refusal = this.connectionRefusal(target, env, url);
    if (refusal !== undefined) {
      throw invalidOption(owner, 'connectTo target', target.appId, refusal);
    }
    // The image's own variables (PORT, PATH, NODE_ENV, the environment option) must keep their values.
    const imageEnv = this.image.runtimeStage.instructions.filter((i) => i.keyword === 'ENV').flatMap((i) => i._facts.declares ?? []);
    if (imageEnv.includes(env) || this._connections.some((c) => c.env === env)) {
      throw invalidOption(owner, 'connectTo env', env, `${this.appId} sets this variable already: choose another name.`);
    }
    if (this._connections.some((c) => c.target === target)) {
      throw invalidOption(owner, 'connectTo target', target.appId, 'It is connected already: connect once, with the env name you want.');
    }
    const back = target.pathTo(this);
    if (back) {
      throw invalidOption(owner, 'connectTo target', target.appId, `It would close a cycle of dependencies (${[this.appId, target.appId, ...back.map((c) => c.appId)].join(' -> ')}): compose could start neither first.`);
    }
    const connection: AppConnection = { target, env, url };
    this._connections.push(connection);
    return connection;
  }

  /**
   * Uses a library of the workspace: the app's manifest gets a path dependency on the library's
   * folder (relative to the app's), and its image build gets that folder, and nothing else beside
   * the app's own, as the named build context `lib-<id>` (`--build-context` in `docker:build`,
   * bake's `contexts`, compose's `additional_contexts`), which the builder copies to the same
   * relative place, so the path resolves there too. Refused, naming both: anything but a library
   * of this project, a library of another ecosystem, a library used already, an app type that
   * takes no libraries.
   */
  public use(library: LibraryComponent): LibraryUse {
    const owner = `${this.appType} "${this.appId}"`;
    if (!(library instanceof LibraryComponent)) {
      // A JavaScript caller can pass anything: an app above all.
      const given: unknown = library;
      if (given instanceof AppComponent) {
        throw invalidOption(owner, 'use library', given.folder, `${given.appType} "${given.appId}" is an app, not a library: move the code two apps share into a library (new PythonLibrary, new GoLibrary) and use that.`);
      }
      throw invalidOption(owner, 'use library', given, 'Expected a library of the workspace, e.g. new PythonLibrary(project, "common").');
    }
    if (library.project !== this.project) {
      throw invalidOption(owner, 'use library', library.folder, `It belongs to project "${library.project.name}", not "${this.project.name}": use a library of the app's own project.`);
    }
    if (library.ecosystem !== this.ecosystem) {
      throw invalidOption(owner, 'use library', library.folder, `${library.owner} is a ${library.ecosystem} library and ${this.appId} a ${this.ecosystem} app: use a library of the app's ecosystem.`);
    }
    if (this._libraries.some((u) => u.library === library)) {
      throw invalidOption(owner, 'use library', library.folder, `${this.appId} uses ${library.owner} already.`);
    }
    const use: LibraryUse = { library, path: library.pathFrom(this), contextName: library.contextName };
    this.useLibrary(use);
    this.image.dockerfile.addBuildContext(use.contextName);
    this.image.addBuildFlag(`--build-context ${use.contextName}=${use.path}`);
    this._libraries.push(use);
    return use;
  }

  /** The libraries the app uses ({@link use}), in order. */
  public get libraries(): LibraryUse[] {
    return [...this._libraries];
  }

  /**
   * The ecosystem's part of {@link use}: the path dependency in its manifest and the builder's
   * copies of the library. An app type that takes no libraries keeps this refusal.
   */
  protected useLibrary(use: LibraryUse): void {
    throw invalidOption(`${this.appType} "${this.appId}"`, 'use library', use.library.folder, `${this.appType} takes no libraries yet: a PoetryApp uses a PythonLibrary, a GoApp a GoLibrary, a NodeApp (service or static site) a TypeScriptLibrary.`);
  }

  /**
   * Where the builder has a library: its path from the app joined to the builder's working
   * directory, so the path dependency resolves there as it does in the repository (the default
   * folders give `/libs/<id>` from `/app`, `/src/libs/<id>` from `/src/apps/<id>`). Refused where the
   * copy would land on the system's own folders, or on a folder that holds the app's.
   */
  protected builderPath(use: LibraryUse, workdir: string): string {
    const target = path.posix.join(workdir, use.path);
    const top = target.split('/')[1];
    if (!(target === workdir || target.startsWith(`${workdir}/`)) && (SYSTEM_FOLDERS.includes(top) || workdir.startsWith(`${target}/`))) {
      throw invalidOption(`${this.appType} "${this.appId}"`, 'use library', use.library.folder,
        `The builder would copy it to ${target}, on the image's own /${top}: give the library a folder such as "libs/${use.library.libraryId}".`);
    }
    return target;
  }

  /** The connections {@link connectTo} made, in order. */
  public get connections(): AppConnection[] {
    return [...this._connections];
  }

  /** Paths (relative to the app's folder) its build context holds: what a rebuild depends on. */
  public get buildContext(): string[] {
    return [...this.spec.context];
  }

  /** The image: Dockerfile, .dockerignore, docker tasks. */
  public get image(): ContainerImage {
    if (!this._image) {
      throw userError(`${this.owner}: the image is not set up yet.`);
    }
    return this._image;
  }

  /** The ecosystem, e.g. `python`. */
  public get ecosystem(): string {
    return this.spec.ecosystem;
  }

  /** The language version the app targets. */
  public get languageVersion(): LanguageVersion {
    return this.spec.languageVersion;
  }

  /** The app's version: the manifest's, the image's version label and default tag. */
  public get version(): string {
    return this.spec.metadata.version;
  }

  /** The app's description. */
  public get description(): string | undefined {
    return this.spec.metadata.description;
  }

  /** Where the app installs its packages from, when the ecosystem can be pointed at an index. */
  public get packageSource(): PackageSource | undefined {
    return this.spec.packageSource;
  }

  /** Whether the app is a service: it listens on a port. */
  public get isService(): boolean {
    return this.port !== undefined;
  }

  /** The non-root user the runtime stage is set up to run as. */
  public get runtimeUser(): RuntimeUser {
    return this.image.runtimeUser;
  }

  /** Name of the image `docker:build` tags. */
  public get imageName(): string {
    return this.image.imageName;
  }

  /** Tag `docker:build` gives the image. */
  public get imageTag(): string {
    return this.image.imageTag;
  }

  /** `name:tag` that `docker:build` produces. */
  public get imageReference(): string {
    return this.image.imageReference;
  }

  /** The OCI labels (and the user's) the image carries. */
  public get labels(): { [key: string]: string } {
    return { ...this.image.labels };
  }

  /** The facts every stub template gets: name, description, port, health path and image reference. */
  protected stubContext(): { [key: string]: any } {
    return {
      name: this.name,
      description: this.description,
      port: this.port ?? null,
      healthCheckPath: this.healthCheckPath,
      imageReference: this.imageReference,
    };
  }

  /** Sets up the image from what the ecosystem supplies: called once, by the ecosystem's constructor. */
  protected createImage(spec: AppImageSpec): ContainerImage {
    if (this._image) {
      throw userError(`${this.owner}: the image is set up already.`);
    }
    this._spec = spec;
    const payload = spec.payload;
    const { project, dir } = this.home;
    const atRoot = this.folder === '.';
    this._image = new ContainerImage(project, {
      ...this.containerOptions,
      // An app in a folder is one of several: its image is named after the project and the app.
      imageName: this.containerOptions.imageName ?? (atRoot ? undefined : defaultImageName(`${this.project.name}-${this.appId}`)),
      folder: dir,
      // In a Node app's subproject, the tasks are the subproject's own: unprefixed.
      taskPrefix: dir === '.' ? undefined : this.appId,
      // The compose file of an app in a folder is the project's, with every app in it.
      compose: atRoot,
      owner: this.owner,
      port: this.port,
      healthCheckPath: this.healthCheckPath,
      ecosystem: spec.ecosystem,
      languageVersion: spec.languageVersion.text,
      packageSource: spec.packageSource,
      buildStages: spec.buildStages,
      runtimeImage: payload.image,
      runtimeUser: payload.user,
      copies: payload.copies,
      env: payload.env,
      command: payload.command,
      entrypoint: payload.entrypoint,
      workdir: payload.workdir,
      buildOnlyTools: payload.buildOnlyTools,
      healthCheckCommand: spec.healthProbe?.command,
      healthCheckOptions: spec.healthProbe?.options,
      imageSizeBudgetMb: this.containerOptions.imageSizeBudgetMb ?? spec.defaultSizeBudgetMb,
      metadata: spec.metadata,
      context: spec.context,
      contextExcludes: spec.contextExcludes,
      buildFlags: spec.buildFlags,
    });
    return this._image;
  }

  /** The components from this one to `target` along connections (this one excluded, target included), if any. */
  private pathTo(target: AppComponent, seen = new Set<AppComponent>()): AppComponent[] | undefined {
    if (seen.has(this)) {
      return undefined;
    }
    seen.add(this);
    for (const { target: next } of this._connections) {
      if (next === target) {
        return [next];
      }
      const rest = next.pathTo(target, seen);
      if (rest) {
        return [next, ...rest];
      }
    }
    return undefined;
  }

  private get spec(): AppImageSpec {
    if (!this._spec) {
      throw userError(`${this.owner}: the image is not set up yet.`);
    }
    return this._spec;
  }
}
