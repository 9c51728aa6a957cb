import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen/lib/project';
import { TaskShell } from 'projen/lib/task-shell';
import { TomlFile } from 'projen/lib/toml';
import { DEFAULT_TEST_DEPS, POETRY_BUILD_SYSTEM, PythonDependency, pep508, poetryTable } from './dependency-spec';
import { PythonAppOptions } from './python-app-options';
import { PYTHON_VENV, addPythonAppStubs, pep621Project, pythonDependencies, pythonImageSpec, resolvePythonApp } from './python-app-rules';
import { PythonLibrary } from './python-library';
import { DockerfileStage, Instruction, RunMount } from '../dockerfile';
import { LazyInstruction } from '../dockerfile/lazy-instruction';
import { AppComponent, AppProjectKind, ContainerImage, ImageMetadata, LibraryUse, libraryCopies } from '../image';
import { assertMatches, invalidOption, userError } from '../validation';

/** How pyproject.toml is laid out. */
export enum PyprojectLayout {
  /** PEP 621 `[project]`, `[tool.poetry]` only for what PEP 621 cannot say: Poetry 2. */
  PEP621 = 'pep621',
  /** Everything under `[tool.poetry]`: for teams still on Poetry 1.x. */
  POETRY_LEGACY = 'poetry-legacy',
}

/** Options of a {@link PoetryApp}. */
export interface PoetryAppOptions extends PythonAppOptions {
  /**
   * Runtime dependencies, `name@constraint` (Poetry "^2.32" or PEP 440 ">=2.32,<3").
   * More can be added with `addDependency`, and for the app at the project's root with
   * `project.deps.addDependency(spec, DependencyType.RUNTIME)`: an app in a folder has its own list.
   * @default - none
   * @featured
   */
  readonly deps?: string[];

  /**
   * Dependencies of the dev group (tests, linters), `name@constraint`.
   * @default ["pytest@^8.3"]
   */
  readonly testDeps?: string[];

  /**
   * Poetry version installed in the builder (a build ARG).
   * @default "2.1.2" ("1.8.5" with the legacy layout)
   */
  readonly poetryVersion?: string;

  /**
   * pyproject.toml layout.
   * @default PyprojectLayout.PEP621
   */
  readonly pyprojectLayout?: PyprojectLayout;

  /**
   * The builder image already has Poetry on its PATH (an org's builder image):
   * the builder does not install it. Needs `builderImage`.
   * @default false
   */
  readonly poetryInBuilderImage?: boolean;

  /**
   * Name of the package index source in pyproject.toml.
   * @default "package-index"
   */
  readonly packageIndexName?: string;

  /**
   * Byte-compile the venv in the builder (dependencies with their layer, the app with its own),
   * as unchecked-hash .pyc files, valid whatever mtimes the copy gives the sources: the runtime,
   * which never writes bytecode, then compiles nothing at start (an app importing requests
   * started in 0.52x to 0.75x the time, for 1.2 MB more: `npx projen bench`). Off, pip compiles the app alone.
   * @default true
   */
  readonly byteCompile?: boolean;
}

const OWNER = 'PoetryApp';
const POETRY_VERSION = /^\d+\.\d+\.\d+$/;
const POETRY_HOME = '/opt/poetry';
const POETRY_CACHE = '/root/.cache/pypoetry';

/**
 * A Python app managed by Poetry, packaged as a multi-stage image.
 *
 * One set of options drives pyproject.toml, the stubs, the Dockerfile and
 * the tasks: the Python version picks requires-python and every image tag,
 * the declared script is the CMD, dependencies reach the image through
 * poetry.lock, the port drives EXPOSE and the health check.
 *
 * Builder stage instruction ids: `pip-index`, `poetry-version`, `env`,
 * `install-poetry`, `workdir`, `venv`, `copy-manifest`, `check-lock`,
 * `install-deps`, `copy-sources`, `install-app`. Runtime: see {@link ContainerImage}.
 */
export class PoetryApp extends AppComponent {
  /** Import name of the package. */
  public readonly moduleName: string;
  /** Python version everything is derived from. */
  public readonly pythonVersion: string;
  /** requires-python. */
  public readonly requiresPython: string;
  /** Console script name: `[project.scripts]` key and CMD. */
  public readonly scriptName: string;
  /** `module:function` the script runs. */
  public readonly scriptTarget: string;
  /** Poetry version installed in the builder. */
  public readonly poetryVersion: string;
  /** pyproject.toml. */
  public readonly pyproject: TomlFile;
  /** The builder stage. */
  public readonly builderStage: DockerfileStage;

  private readonly layout: PyprojectLayout;
  private readonly metadata: ImageMetadata;
  private readonly packageIndex?: string;
  /** The credentials secret, for the steps that download. */
  private readonly downloadMounts: RunMount[];
  /** `python -m compileall` of these, in the layer that installed them; undefined when byteCompile is off. */
  private readonly compile?: (paths: string[]) => string;
  /** The builder's install of the wheel in `dist/` into the venv: the app's, and each library's in its folder. */
  private readonly installWheel: string;
  /** The venv's site-packages in the builder. */
  private readonly sitePackages: string;

  /**
   * @param project the project the app is part of
   * @param id the app's id: its folder's default name (`apps/<id>`) and its tasks' prefix
   * @param options the app's options
   */
  constructor(project: Project, id: string, options: PoetryAppOptions = {}) {
    super(project, id, { owner: OWNER, options, projectKind: AppProjectKind.NON_NODE, subprojectType: 'PoetryAppProject' });

    // --- Validate and derive everything before any file object exists.
    this.layout = options.pyprojectLayout ?? PyprojectLayout.PEP621;
    if (!Object.values(PyprojectLayout).includes(this.layout)) {
      throw invalidOption(this.owner, 'pyprojectLayout', this.layout, `Expected one of ${Object.values(PyprojectLayout).join(', ')}.`);
    }
    const basis = resolvePythonApp(this.owner, this.name, options, 'Poetry', ', and configure Poetry with "poetry config http-basic.<source>"');
    const images = basis.images;
    const target = basis.entry;
    this.metadata = basis.metadata;
    this.moduleName = target.moduleName;
    this.scriptName = target.scriptName;
    this.scriptTarget = target.scriptTarget;
    this.packageIndex = basis.packageIndex;
    this.downloadMounts = basis.downloadMounts;
    this.pythonVersion = images.version.tag;
    this.requiresPython = basis.requiresPython;

    this.poetryVersion = options.poetryVersion ?? (this.layout === PyprojectLayout.POETRY_LEGACY ? '1.8.5' : '2.1.2');
    assertMatches(this.owner, 'poetryVersion', this.poetryVersion, POETRY_VERSION, 'Expected an exact Poetry release such as "2.1.2": the builder pins it.');
    if (this.layout === PyprojectLayout.PEP621 && Number(this.poetryVersion.split('.')[0]) < 2) {
      throw userError(
        `${this.owner}: poetryVersion "${this.poetryVersion}" cannot read pyprojectLayout "${this.layout}" (PEP 621 [project] needs Poetry 2). ` +
          'Use poetryVersion "2.1.2" or later, or pyprojectLayout PyprojectLayout.POETRY_LEGACY.',
      );
    }
    const indexName = options.packageIndexName ?? 'package-index';
    assertMatches(this.owner, 'packageIndexName', indexName, /^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Expected letters, digits, ".", "_" and "-".');

    // The venv's own interpreter compiles, so the bytecode matches the runtime's Python (the same
    // minor, assertVenvCompatible). unchecked-hash: an image's sources never change after the
    // build; COPY --from keeps mtimes on buildah and BuildKit, but a build that clamps them for
    // reproducibility (SOURCE_DATE_EPOCH) would leave timestamp .pyc files stale, and these
    // carry no install time.
    this.compile = (options.byteCompile ?? true)
      ? (paths) => `${PYTHON_VENV}/bin/python -m compileall -q --invalidation-mode unchecked-hash ${paths.join(' ')}`
      : undefined;
    const sitePackages = `${PYTHON_VENV}/lib/python${images.version.minor}/site-packages`;

    this.declareDependencies(options.deps, options.testDeps ?? DEFAULT_TEST_DEPS);

    // --- pyproject.toml: lazy, so dependencies added later still land in it.
    const home = this.homeProject;
    this.pyproject = new TomlFile(home, this.filePath('pyproject.toml'), {
      obj: () => this.renderPyproject(options, indexName),
    });

    // --- Builder stage.
    const builder = new DockerfileStage('builder', { from: images.builder.image });
    if (this.packageIndex) {
      builder.addInstruction(Instruction.arg('PIP_INDEX_URL', this.packageIndex), 'pip-index');
    }
    const poetryPreinstalled = options.poetryInBuilderImage ?? false;
    if (poetryPreinstalled && options.builderImage === undefined) {
      throw userError(`${this.owner}: poetryInBuilderImage is true but builderImage is not set; the official Python images have no Poetry. Set builderImage to the image that has it.`);
    }
    const env: { [name: string]: string } = {
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
      POETRY_NO_INTERACTION: '1',
      POETRY_VIRTUALENVS_IN_PROJECT: 'true',
      POETRY_CACHE_DIR: POETRY_CACHE,
    };
    if (!poetryPreinstalled) {
      builder.addInstruction(Instruction.arg('POETRY_VERSION', this.poetryVersion), 'poetry-version');
      env.PATH = `${POETRY_HOME}/bin:$PATH`;
    }
    builder.addInstruction(Instruction.env(env, { expand: poetryPreinstalled ? [] : ['PATH'] }), 'env');
    if (!poetryPreinstalled) {
      // Poetry lives in its own venv: it never mixes with the app's packages and never reaches the runtime.
      builder.addInstruction(
        Instruction.run([`python -m venv ${POETRY_HOME}`, `${POETRY_HOME}/bin/pip install "poetry==\${POETRY_VERSION}"`], {
          mounts: [RunMount.cache({ target: '/root/.cache/pip' }), ...this.downloadMounts],
        }),
        'install-poetry',
      );
    }
    builder.addInstruction(Instruction.workdir('/app'), 'workdir');
    // The app's venv, created by the image's own Python, so the runtime (same image family) has that interpreter at the same path.
    builder.addInstruction(Instruction.run([`python -m venv --without-pip ${PYTHON_VENV}`]), 'venv');
    // The dependency layer depends on the manifest and lock file alone: a source edit reuses it.
    builder.addInstruction(Instruction.copy(['pyproject.toml', 'poetry.lock*'], './'), 'copy-manifest');
    builder.addInstruction(
      Instruction.run([
        `poetry check --lock || { echo "poetry.lock is missing or out of date with pyproject.toml: run 'npx projen ${this.taskName('lock')}' and commit poetry.lock" >&2; exit 1; }`,
      ]),
      'check-lock',
    );
    // Produced at synthesis: dependencies added later decide which groups it leaves out.
    builder.addInstruction(new LazyInstruction(() => this.installDepsInstruction()), 'install-deps');
    // The rest of the context (README.md and src/: the .dockerignore admits nothing else) in one
    // step: buildah copies a COPY's files again to look up its cache, so each COPY costs a copy.
    builder.addInstruction(Instruction.copy(['.'], './'), 'copy-sources');
    // A non-editable install: the venv holds a real copy of the app, not a link to /app/src.
    // Only the app's own package is compiled here: compileall redoes every hash-based .pyc it is
    // given, and the dependencies' were made in their layer. (A package or a single-module app:
    // the name that does not exist is skipped.)
    const pip = `${poetryPreinstalled ? 'python -m pip' : `${POETRY_HOME}/bin/pip`} --python ${PYTHON_VENV}/bin/python install --no-deps --no-index${this.compile ? ' --no-compile' : ''} dist/*.whl`;
    this.installWheel = pip;
    this.sitePackages = sitePackages;
    builder.addInstruction(
      Instruction.run([
        'poetry build --format wheel',
        pip,
        ...(this.compile ? [this.compile([`${sitePackages}/${this.moduleName}`, `${sitePackages}/${this.moduleName}.py`])] : []),
      ]),
      'install-app',
    );
    this.builderStage = builder;

    // --- Runtime stage: the shared shape, with the venv and the script.
    this.createImage(pythonImageSpec(this.owner, basis, options, {
      builder,
      lockFile: 'pyproject.toml',
      context: ['pyproject.toml', 'poetry.lock', 'README.md', 'src/'],
      contextExcludes: ['**/__pycache__', '**/*.py[cod]'],
      // Poetry builds the venv; the runtime's pip is the base image's own (the official image ships it).
      buildOnlyTools: ['poetry'],
    }));

    // --- Tasks.
    this.addAppTask('lock', { description: 'Resolve dependencies into poetry.lock (commit it)', exec: 'poetry lock' });
    this.addAppTask('install', { description: 'Create .venv with the app and its dev group', exec: 'poetry install' });
    const lockCheck = this.addAppTask('lock:check', {
      description: 'Fail with a clear message when poetry.lock is missing or stale',
      exec: [
        `test -f poetry.lock || { echo "poetry.lock is missing: run 'npx projen ${this.taskName('lock')}' and commit poetry.lock" >&2; exit 1; }`,
        `if command -v poetry >/dev/null 2>&1; then poetry check --lock || { echo "poetry.lock is out of date with pyproject.toml: run 'npx projen ${this.taskName('lock')}'" >&2; exit 1; }; fi`,
      ].join('; '),
      shell: TaskShell.sh(),
    });
    this.image.buildTask.prependSpawn(lockCheck);
    this.lifecycleTask('test').exec('poetry run pytest');
    this.lifecycleTask('package').exec('poetry build');
    this.addGitIgnore('/.venv/');
    this.addGitIgnore('__pycache__/');
    this.addGitIgnore('*.py[cod]');
    this.addGitIgnore('/dist/');
    this.addGitIgnore('/.pytest_cache/');

    // --- Stubs: written once, then the user's.
    if (this.sampleCode) {
      addPythonAppStubs({
        home,
        filePath: (f) => this.filePath(f),
        stubId: (stub) => this.stubId(stub),
        moduleName: this.moduleName,
        entry: target,
        service: this.port !== undefined,
        readmeTemplate: 'python/README.md.hbs',
        context: { ...this.stubContext(), scriptName: this.scriptName },
      });
    }
  }

  protected checkDependencies(): void {
    this.dependencies();
  }

  /** Adds a dev group dependency, `name@constraint`. */
  public addTestDependency(spec: string): void {
    this.declareDependencies([], [spec]);
  }

  /**
   * The library becomes a path dependency (`[tool.poetry.dependencies]`), editable: on the
   * developer's machine the venv links to the library's sources, so an edit reaches the app's
   * tests and scripts at once. (Poetry never refreshes a non-editable copy of a folder: `poetry
   * install` reports "No dependencies to install or update" and keeps the old code.) The image
   * holds a real copy: the builder copies the library's files from the named build context,
   * installs the dependencies with `--no-directory`, which leaves out the editable link (the
   * runtime has no /libs) but not the library's own dependencies, then builds the library's wheel
   * and installs it into the venv.
   */
  protected useLibrary(use: LibraryUse): void {
    const library = use.library;
    if (!(library instanceof PythonLibrary)) {
      throw invalidOption(this.owner, 'use library', library.folder, `${library.owner} is not a PythonLibrary: a PoetryApp installs a Poetry project.`);
    }
    if (this.dependencies().runtime.some((d) => d.name.toLowerCase() === library.name.toLowerCase())) {
      throw invalidOption(this.owner, 'use library', library.folder, `${this.appId} declares a dependency named "${library.name}" already: the library would replace it.`);
    }
    const destination = this.builderPath(use, '/app');
    for (const { id, instruction } of libraryCopies(use, destination)) {
      this.builderStage.insertBefore('check-lock', instruction, id);
    }
    // After the dependencies' install (and any library before), before the app's sources: Poetry would replace
    // an installed copy with its editable link (--no-directory skips a directory dependency that is not
    // installed, and updates one that is).
    const compile = this.compile ? [this.compile([`${this.sitePackages}/${library.moduleName}`, `${this.sitePackages}/${library.moduleName}.py`])] : [];
    this.builderStage.insertBefore('copy-sources', Instruction.run([`cd ${destination}`, 'poetry build --format wheel', this.installWheel, ...compile]), `lib-${library.libraryId}-install`);
  }

  /**
   * Keeps poetry.lock and .venv current when Poetry is installed; says in
   * one line what it skipped when it is not.
   */
  public postSynthesize(): void {
    const outdir = path.join(this.homeProject.outdir, this.homeFolder);
    const probe = spawnSync('poetry', ['--version'], { cwd: outdir, encoding: 'utf-8' });
    if (probe.error || probe.status !== 0) {
      this.project.logger.warn(
        `Poetry not found: skipped "poetry lock" and "poetry install". Install Poetry 2 (e.g. "pipx install poetry"), then run "npx projen ${this.taskName('lock')}" and "npx projen ${this.taskName('install')}".`,
      );
      return;
    }
    const run = (args: string[]): boolean => {
      const r = spawnSync('poetry', args, { cwd: outdir, encoding: 'utf-8' });
      if (r.status !== 0) {
        const last = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').filter(Boolean).pop() ?? '';
        this.project.logger.warn(`"poetry ${args.join(' ')}" failed: ${last} Fix it, then run "npx projen ${this.taskName(args[0])}".`);
        return false;
      }
      return true;
    };
    const fresh = fs.existsSync(path.join(outdir, 'poetry.lock')) && spawnSync('poetry', ['check', '--lock'], { cwd: outdir }).status === 0;
    if (!fresh && !run(['lock'])) {
      return;
    }
    run(['install']);
  }

  /** Runtime and dev-group dependencies, parsed and validated. */
  private dependencies(): { runtime: PythonDependency[]; dev: PythonDependency[] } {
    return pythonDependencies(this.owner, this.declaredDependencies);
  }

  /**
   * `poetry install --no-root`, leaving out every declared non-main group.
   * Naming a group that does not exist fails ("Group(s) not found"), so the
   * flag follows the manifest.
   */
  private installDepsInstruction(): Instruction {
    const groups = this.dependencies().dev.length > 0 ? ['dev'] : [];
    const without = groups.length > 0 ? ` --without ${groups.join(',')}` : '';
    // The libraries are installed from their wheels: --no-directory leaves out their editable links.
    const install = `poetry install --no-root${without}${this.libraries.length > 0 ? ' --no-directory' : ''}`;
    // A file some dependency ships that this Python cannot compile (a template, a version-specific
    // module) is left as source, as pip leaves it; the app's own sources must compile.
    const compile = this.compile && `{ ${this.compile([`${PYTHON_VENV}/lib`])} || echo "note: some files of the dependencies were left uncompiled" >&2; }`;
    return Instruction.run(compile ? [install, compile] : [install], { mounts: [RunMount.cache({ target: POETRY_CACHE }), ...this.downloadMounts] });
  }

  private renderPyproject(options: PoetryAppOptions, indexName: string): any {
    const { runtime, dev } = this.dependencies();
    // A library is a path dependency: Poetry reads where it is from [tool.poetry.dependencies].
    const libraries = this.libraries.map((u) => ({ name: (u.library as PythonLibrary).name, path: u.path }));
    const pathTable = Object.fromEntries(libraries.map((l) => [l.name, { path: l.path, develop: true }]));
    const devGroup = dev.length > 0 ? { group: { dev: { dependencies: poetryTable(dev) } } } : {};
    const source = this.packageIndex ? { source: [{ name: indexName, url: this.packageIndex, priority: 'primary' }] } : {};
    const packages = [{ include: this.moduleName, from: 'src' }];
    const authorName = options.authorName;
    const authorEmail = options.authorEmail;
    const pytest = { pytest: { ini_options: { testpaths: ['tests'] } } };
    if (this.layout === PyprojectLayout.POETRY_LEGACY) {
      const author = authorName ? [authorEmail ? `${authorName} <${authorEmail}>` : authorName] : undefined;
      return {
        'tool': {
          poetry: {
            name: this.name,
            version: this.version,
            description: this.metadata.description,
            authors: author ?? [],
            license: options.license,
            readme: 'README.md',
            repository: options.repositoryUrl,
            packages,
            dependencies: { python: this.requiresPython, ...poetryTable(runtime), ...pathTable },
            scripts: { [this.scriptName]: this.scriptTarget },
            ...devGroup,
            ...source,
          },
          ...pytest,
        },
        'build-system': { 'requires': ['poetry-core>=1.0.0'], 'build-backend': 'poetry.core.masonry.api' },
      };
    }
    return {
      'project': pep621Project(this, this.metadata, options, [...runtime.map(pep508), ...libraries.map((l) => l.name)]),
      // [tool.poetry] holds only what PEP 621 cannot say: the src layout, the libraries' paths, the dev group, the package index.
      'tool': {
        poetry: { packages, ...(libraries.length > 0 ? { dependencies: pathTable } : {}), ...devGroup, ...source },
        ...pytest,
      },
      'build-system': POETRY_BUILD_SYSTEM,
    };
  }
}
