import * as pep440 from '@renovatebot/pep440';
import { DependencyType } from 'projen/lib/dependencies';
import { Project } from 'projen/lib/project';
import { Task } from 'projen/lib/task';
import { TaskShell } from 'projen/lib/task-shell';
import { TomlFile } from 'projen/lib/toml';
import { DockerfileStage, Instruction, RunMount } from '../dockerfile';
import { AppComponent, AppComponentOptions, AppMetadataOptions, AppProjectKind, ImageMetadata, LanguageVersion, RuntimeUser } from '../image';
import { resolveMetadata } from '../image/app-options';
import { PACKAGE_NAME, PythonDependency, parseDependency, pep508 } from '../python/dependency-spec';
import { PYTHON_HEALTH_PROBE, PYTHON_VENV, PythonEntry, resolvePythonEntry, resolvePythonImages } from '../python/python-app-rules';
import { assertSatisfies, defaultRequiresPython } from '../python/python-version';
import { StubFile } from '../stubs';
import { assertMatches, assertMaxLength, assertSingleLine, assertUrl, invalidOption } from '../validation';

/** Options of a {@link PipApp}. */
export interface PipAppOptions extends AppComponentOptions, AppMetadataOptions {
  /**
   * Python version, `3.N` or `3.N.P`: the one source of requires-python, of the Python the lock is resolved for, and of every image tag.
   * @default - the version in `builderImage`'s tag if that is set, else "3.13"
   * @pjnew "3.13"
   */
  readonly pythonVersion?: string;

  /**
   * `requires-python`, a PEP 440 specifier set. The image's Python must satisfy it.
   * @default ">=<pythonVersion's 3.N>"
   * @featured
   */
  readonly requiresPython?: string;

  /**
   * Author name in pyproject.toml.
   * @default - no authors
   * @pjnew $GIT_USER_NAME
   */
  readonly authorName?: string;

  /**
   * Author email in pyproject.toml.
   * @default - no email
   * @pjnew $GIT_USER_EMAIL
   */
  readonly authorEmail?: string;

  /**
   * Import name of the package under `src/`. A module of Python's standard
   * library (`json`, `email`, ...) is refused: it would shadow the app's package.
   * @default - the project name with "-" and "." replaced by "_"
   */
  readonly moduleName?: string;

  /**
   * Name of the console script: `[project.scripts]` and the image's CMD. It
   * must not be a name the venv's bin/ already has (python, pip, activate).
   * @default - the project name
   * @featured
   */
  readonly scriptName?: string;

  /**
   * What the script runs, `module:function`, inside the package.
   * @default "<moduleName>.app:main"
   * @featured
   */
  readonly scriptTarget?: string;

  /**
   * Runtime dependencies, `name@constraint` (PEP 440 ">=2.32,<3", or "^2.32" and "~2.32", translated to PEP 440).
   * More can be added with `app.addDependency(spec)`.
   * @default - none
   * @featured
   */
  readonly deps?: string[];

  /**
   * Dependencies of the `dev` dependency group (PEP 735: tests, linters), `name@constraint`; never in the image.
   * @default ["pytest@>=8.3,<9"]
   */
  readonly testDeps?: string[];

  /**
   * Versions of setuptools, the build backend, a PEP 440 specifier set: `[build-system].requires` and what requirements-build.txt locks.
   * @default ">=77.0"
   */
  readonly setuptoolsVersion?: string;

  /**
   * Variant of the official Python image for the builder: "slim", "bookworm",
   * "slim-bookworm", "trixie", "slim-trixie", "alpine", "alpine3.N".
   * @default "slim"
   */
  readonly builderImageVariant?: string;

  /**
   * Variant of the official Python image for the runtime; must be the same
   * C library and Debian release as the builder.
   * @default - the builder's variant, slimmed: "bookworm" gives "slim-bookworm"
   */
  readonly runtimeImageVariant?: string;

  /**
   * Explicit builder image, used as named (`imageRegistry` does not apply); its tag must read "<python version>-<variant>".
   * @default - the official image for pythonVersion and builderImageVariant
   */
  readonly builderImage?: string;

  /**
   * Explicit runtime image; same rules as `builderImage`.
   * @default - the official image for pythonVersion and runtimeImageVariant
   */
  readonly runtimeImage?: string;

  /**
   * A PEP 503 package index that replaces PyPI, e.g. an org's mirror: the
   * builder's pip gets it as the `PIP_INDEX_URL` build ARG, and `npx projen lock`
   * resolves against it. A URL with credentials is refused: set `packageIndexSecret` instead.
   * @default - PyPI
   * @featured
   */
  readonly packageIndex?: string;

  /**
   * Id of a build secret holding a netrc file with the package index's
   * credentials, mounted at /root/.netrc for the step that downloads only;
   * `docker:build` passes `--secret id=<id>,src=$STAGECRAFT_NETRC` (default ~/.netrc).
   * @default - no credentials
   */
  readonly packageIndexSecret?: string;
}

const OWNER = 'PipApp';
const VERSION = /^\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?$/;
/** The venv that holds pip and the build backend: the builder's only, never copied. */
const BUILD_VENV = '/opt/build';
const PIP_CACHE = '/root/.cache/pip';
/** The locked runtime set: what the image's venv holds. */
export const PIP_LOCK_FILE = 'requirements.txt';
/** The locked build backend: what builds the app's wheel in the builder. */
export const PIP_BUILD_LOCK_FILE = 'requirements-build.txt';

/**
 * Turns `pip install --dry-run --report -` (on stdin) into a hashed
 * requirements file: one `name==version --hash=sha256:...` per package but
 * the project itself (argv[1]), sorted. A package without a sha256 (a VCS or
 * path dependency) stops the lock: `--require-hashes` could not install it.
 * Written for `python3 -c` inside double quotes: no `"`, `$`, backslash or backquote.
 * `lockTask` is the task's name in the project (`jobs:lock` for an app in a folder), named in its messages.
 */
const reportToRequirements = (lockTask: string) => [
  'import json, re, sys',
  'norm = lambda n: re.sub(r\'[-_.]+\', \'-\', n).lower()',
  `out = ['# Generated by npx projen ${lockTask} (pip install --dry-run --report): do not edit.', '# Installed with pip install --require-hashes --no-deps -r ' + sys.argv[2]]`,
  'report = sys.stdin.read()',
  'if not report.strip():',
  `    sys.exit('npx projen ${lockTask}: pip resolved nothing (its error is above); ' + sys.argv[2] + ' is unchanged')`,
  'for i in sorted(json.loads(report)[\'install\'], key=lambda i: norm(i[\'metadata\'][\'name\'])):',
  '    name, version, info = i[\'metadata\'][\'name\'], i[\'metadata\'][\'version\'], i[\'download_info\']',
  '    if norm(name) == norm(sys.argv[1]):',
  '        continue',
  '    sha = info.get(\'archive_info\', {}).get(\'hashes\', {}).get(\'sha256\')',
  '    if not sha:',
  `        sys.exit('npx projen ${lockTask}: ' + name + ' comes from ' + info['url'] + ', which has no sha256: only index packages can be locked with hashes')`,
  '    out += [norm(name) + \'==\' + version + \' \' + chr(92), \'    --hash=sha256:\' + sha]',
  'print(chr(10).join(out))',
].join('\n');

/**
 * A Python app installed with pip alone (no Poetry), packaged as a multi-stage image.
 *
 * pyproject.toml (PEP 621, setuptools as the build backend, the dev group as a
 * PEP 735 dependency group) is the manifest; `npx projen lock` has real pip
 * resolve it into two hashed requirements files: requirements.txt (the runtime
 * set) and requirements-build.txt (the build backend). The builder installs the
 * runtime set into the venv with `pip install --require-hashes --no-deps`
 * through a cache mount, builds and installs the app offline with the locked
 * backend (`--no-build-isolation`), and `pip check` refuses a lock that no
 * longer satisfies pyproject.toml. The runtime gets the venv alone; CMD is the
 * declared script.
 *
 * Builder stage instruction ids: `pip-index`, `env`, `workdir`, `venv`,
 * `copy-manifest`, `check-lock`, `install-deps`, `copy-readme`,
 * `copy-sources`, `install-app`. Runtime: see {@link ContainerImage}.
 */
export class PipApp extends AppComponent {
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
  /** The build backend's requirement. */
  public readonly buildRequirement: string;
  /** pyproject.toml. */
  public readonly pyproject: TomlFile;
  /** The builder stage. */
  public readonly builderStage: DockerfileStage;
  /** `lock`: resolves pyproject.toml into the hashed requirements files with real pip. */
  public readonly lockTask: Task;

  private readonly metadata: ImageMetadata;
  private readonly packageIndex?: string;

  /**
   * @param project the project the app is part of
   * @param id the app's id: its folder's default name (`apps/<id>`) and its tasks' prefix
   * @param options the app's options
   */
  constructor(project: Project, id: string, options: PipAppOptions = {}) {
    super(project, id, { owner: OWNER, options, projectKind: AppProjectKind.NON_NODE, subprojectType: 'PipAppProject' });

    // --- Validate and derive everything before any file object exists.
    assertMatches(this.owner, 'name', this.name, PACKAGE_NAME, 'Expected a PEP 508 project name: letters, digits, ".", "_" and "-", starting and ending with a letter or digit.');
    assertMaxLength(this.owner, 'name', this.name, 128);
    this.metadata = resolveMetadata(this.owner, this.name, options, {
      description: `${this.name}: a pip app built by stagecraft`,
      version: '0.1.0',
      versionPattern: VERSION,
      versionRule: 'Expected a PEP 440 release version such as "0.1.0" or "1.2.0rc1".',
    });
    if (options.authorName !== undefined) {
      assertSingleLine(this.owner, 'authorName', options.authorName, 256);
    }
    if (options.authorEmail !== undefined) {
      assertMatches(this.owner, 'authorEmail', options.authorEmail, /^[^\s@<>",]+@[^\s@<>",]+$/, 'Expected an email address such as "dev@example.com".');
      assertMaxLength(this.owner, 'authorEmail', options.authorEmail, 254);
    }
    const entry = resolvePythonEntry(this.owner, this.name, options);
    this.moduleName = entry.moduleName;
    this.scriptName = entry.scriptName;
    this.scriptTarget = entry.scriptTarget;

    // PEP 440 only (no Poetry caret here): it is written to [build-system] and passed to pip as is.
    const setuptools = options.setuptoolsVersion ?? '>=77.0';
    if (typeof setuptools !== 'string' || /[;'"\\\s^]/.test(setuptools) || !pep440.validRange(setuptools)) {
      throw invalidOption(this.owner, 'setuptoolsVersion', setuptools, 'Expected a PEP 440 specifier set such as ">=77.0" (77 is the first setuptools that reads the SPDX license field).');
    }
    this.buildRequirement = `setuptools${setuptools}`;

    if (options.packageIndex !== undefined) {
      assertUrl(this.owner, 'packageIndex', options.packageIndex, 'Give the index URL alone and its credentials as a build secret: set packageIndexSecret (a netrc file mounted only while downloading).');
      this.packageIndex = options.packageIndex;
    }
    if (options.packageIndexSecret !== undefined) {
      assertMatches(this.owner, 'packageIndexSecret', options.packageIndexSecret, /^[a-z0-9][a-z0-9_.-]{0,62}$/, 'Expected a build secret id: lowercase letters, digits, ".", "_" and "-".');
    }
    const downloadMounts = options.packageIndexSecret !== undefined
      ? [RunMount.secret({ id: options.packageIndexSecret, target: '/root/.netrc', required: true })]
      : [];

    const images = resolvePythonImages(this.owner, options);
    this.pythonVersion = images.version.tag;
    this.requiresPython = options.requiresPython ?? defaultRequiresPython(images.version);
    assertSatisfies(this.owner, images.version, options.pythonVersion !== undefined ? 'pythonVersion' : 'the Python version of the builder image', this.requiresPython, 'requiresPython');

    for (const spec of options.deps ?? []) {
      this.declareDependency(spec, DependencyType.RUNTIME);
    }
    for (const spec of options.testDeps ?? ['pytest@>=8.3,<9']) {
      this.declareDependency(spec, DependencyType.TEST);
    }
    this.dependencies(); // validates the specs given so far

    // --- pyproject.toml: lazy, so dependencies added later still land in it.
    const home = this.homeProject;
    this.pyproject = new TomlFile(home, this.filePath('pyproject.toml'), {
      obj: () => this.renderPyproject(options),
    });

    // --- Builder stage: two venvs, one to build with (pip, the backend), one to ship.
    // The build venv's pip and setuptools, run by the app venv's Python: it installs there without a pip
    // of its own, and in one process (`pip --python` starts two), which keeps the source-only rebuild short.
    const venvPip = `PYTHONPATH=${BUILD_VENV}/lib/python${images.version.minor}/site-packages ${PYTHON_VENV}/bin/python -m pip`;
    const builder = new DockerfileStage('builder', { from: images.builder.image });
    if (this.packageIndex) {
      builder.addInstruction(Instruction.arg('PIP_INDEX_URL', this.packageIndex), 'pip-index');
    }
    builder.addInstruction(Instruction.env({ PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_ROOT_USER_ACTION: 'ignore' }), 'env');
    builder.addInstruction(Instruction.workdir('/app'), 'workdir');
    // The app's venv without pip (the build venv's pip installs into it): the runtime gets only what runs.
    builder.addInstruction(Instruction.run([`python -m venv ${BUILD_VENV}`, `python -m venv --without-pip ${PYTHON_VENV}`]), 'venv');
    // The dependency layer depends on the manifest and the locks alone: a source edit reuses it.
    builder.addInstruction(Instruction.copy(['pyproject.toml', 'requirements*.txt'], './'), 'copy-manifest');
    builder.addInstruction(
      Instruction.run([
        `test -f ${PIP_LOCK_FILE} && test -f ${PIP_BUILD_LOCK_FILE} || { echo "${PIP_LOCK_FILE} or ${PIP_BUILD_LOCK_FILE} is missing: run 'npx projen ${this.taskName('lock')}' and commit them" >&2; exit 1; }`,
      ]),
      'check-lock',
    );
    builder.addInstruction(
      Instruction.run([
        `${BUILD_VENV}/bin/pip install --require-hashes --no-deps -r ${PIP_BUILD_LOCK_FILE}`,
        `${venvPip} install --require-hashes --no-deps -r ${PIP_LOCK_FILE}`,
      ], { mounts: [RunMount.cache({ target: PIP_CACHE }), ...downloadMounts] }),
      'install-deps',
    );
    builder.addInstruction(Instruction.copy(['README.md'], './'), 'copy-readme');
    // A directory source copies its contents, so src/ is named on both sides.
    builder.addInstruction(Instruction.copy(['src'], './src'), 'copy-sources');
    // Offline: the backend is the locked one, the dependencies are in the venv already (a non-editable
    // install: the venv holds the app, not a link to /app/src); `pip check` finds a dependency of
    // pyproject.toml that the lock does not hold.
    builder.addInstruction(
      Instruction.run([
        `${venvPip} install --no-deps --no-build-isolation --no-index .`,
        `{ ${venvPip} check || { echo "${PIP_LOCK_FILE} is out of date with pyproject.toml: run 'npx projen ${this.taskName('lock')}' and commit it" >&2; exit 1; }; }`,
      ], { mounts: [RunMount.cache({ target: PIP_CACHE })] }),
      'install-app',
    );
    this.builderStage = builder;

    // --- Runtime stage: the shared Python shape, the venv and the script.
    const uid = options.runtimeUid ?? 10001;
    this.createImage({
      ecosystem: 'python',
      languageVersion: LanguageVersion.parse(this.owner, 'pythonVersion', images.version.tag),
      metadata: this.metadata,
      packageSource: { url: this.packageIndex, publicIndex: 'PyPI', file: PIP_LOCK_FILE },
      buildStages: [builder],
      payload: {
        image: images.runtime.image,
        user: images.runtime.libc === 'musl' ? RuntimeUser.alpine('app', uid) : RuntimeUser.debian('app', uid),
        copies: [{ fromStage: 'builder', source: PYTHON_VENV, id: 'venv' }],
        env: { PATH: `${PYTHON_VENV}/bin:$PATH`, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
        command: [this.scriptName],
      },
      defaultSizeBudgetMb: 400,
      healthProbe: { command: PYTHON_HEALTH_PROBE },
      context: ['pyproject.toml', PIP_LOCK_FILE, PIP_BUILD_LOCK_FILE, 'README.md', 'src/'],
      contextExcludes: ['**/__pycache__', '**/*.py[cod]', '**/*.egg-info'],
      buildFlags: options.packageIndexSecret !== undefined ? [`--secret id=${options.packageIndexSecret},src=\${STAGECRAFT_NETRC:-$HOME/.netrc}`] : [],
    });

    // --- Tasks: one lock task keeps both files current.
    const indexEnv = this.packageIndex ? { PIP_INDEX_URL: this.packageIndex } : undefined;
    const minor = images.version.minor;
    const resolve = `python3 -m pip install --dry-run --ignore-installed --quiet --python-version ${minor} --only-binary=:all: --report -`;
    const convert = (file: string) => `python3 -c "${reportToRequirements(this.taskName('lock'))}" ${this.name} ${file} > ${file}.tmp && mv ${file}.tmp ${file} || { rm -f ${file}.tmp; exit 1; }`;
    this.lockTask = this.addAppTask('lock', {
      description: `Resolve pyproject.toml with pip for Python ${minor} into ${PIP_LOCK_FILE} and ${PIP_BUILD_LOCK_FILE}, with hashes (commit them)`,
      steps: [
        { exec: `${resolve} . | ${convert(PIP_LOCK_FILE)}` },
        { exec: `${resolve} '${this.buildRequirement}' | ${convert(PIP_BUILD_LOCK_FILE)}` },
      ],
      env: indexEnv,
      shell: TaskShell.sh(),
    });
    this.addAppTask('install', {
      description: 'Create .venv with the locked dependencies and build backend, the app (editable) and its dev group',
      steps: [
        { exec: 'python3 -m venv .venv' },
        { exec: `.venv/bin/pip install --require-hashes --no-deps -r ${PIP_BUILD_LOCK_FILE} -r ${PIP_LOCK_FILE}` },
        // The locked backend builds the editable app, as in the image.
        { exec: '.venv/bin/pip install --no-build-isolation -e . --group dev' },
      ],
      env: indexEnv,
    });
    const lockCheck = this.addAppTask('lock:check', {
      description: `Fail with a clear message when ${PIP_LOCK_FILE} or ${PIP_BUILD_LOCK_FILE} is missing`,
      exec: `test -f ${PIP_LOCK_FILE} && test -f ${PIP_BUILD_LOCK_FILE} || { echo "${PIP_LOCK_FILE} or ${PIP_BUILD_LOCK_FILE} is missing: run 'npx projen ${this.taskName('lock')}' and commit them" >&2; exit 1; }`,
      shell: TaskShell.sh(),
    });
    this.image.buildTask.prependSpawn(lockCheck);
    this.lifecycleTask('test').exec('.venv/bin/python -m pytest');
    this.addGitIgnore('/.venv/');
    this.addGitIgnore('__pycache__/');
    this.addGitIgnore('*.py[cod]');
    this.addGitIgnore('*.egg-info/');
    this.addGitIgnore('/build/');
    this.addGitIgnore('/dist/');
    this.addGitIgnore('/.pytest_cache/');

    // --- Stubs: written once, then the user's.
    if (this.sampleCode) {
      this.addStubs(entry);
    }
  }

  /** Adds a runtime dependency, `name@constraint`. */
  public addDependency(spec: string): void {
    this.declareDependency(spec, DependencyType.RUNTIME);
    this.dependencies();
  }

  /** Adds a dev group dependency, `name@constraint`. */
  public addTestDependency(spec: string): void {
    this.declareDependency(spec, DependencyType.TEST);
    this.dependencies();
  }

  /** Runtime and dev-group dependencies, parsed and validated. */
  private dependencies(): { runtime: PythonDependency[]; dev: PythonDependency[] } {
    const parse = (type: DependencyType) =>
      this.declaredDependencies
        .filter((d) => d.type === type)
        .map((d) => parseDependency(this.owner, d.name, d.version))
        .sort((a, b) => a.name.localeCompare(b.name));
    return { runtime: parse(DependencyType.RUNTIME), dev: [...parse(DependencyType.TEST), ...parse(DependencyType.DEVENV)] };
  }

  private renderPyproject(options: PipAppOptions): any {
    const { runtime, dev } = this.dependencies();
    const authorName = options.authorName;
    const authorEmail = options.authorEmail;
    const authors = authorName || authorEmail ? [{ name: authorName, email: authorEmail }] : undefined;
    return {
      'project': {
        'name': this.name,
        'version': this.version,
        'description': this.metadata.description,
        authors,
        'license': options.license,
        'readme': 'README.md',
        'requires-python': this.requiresPython,
        'dependencies': runtime.map(pep508),
        'scripts': { [this.scriptName]: this.scriptTarget },
        'urls': options.repositoryUrl ? { repository: options.repositoryUrl } : undefined,
      },
      // PEP 735: the dev group is the developer's (`pip install --group dev`), never the package's nor the image's.
      'dependency-groups': dev.length > 0 ? { dev: dev.map(pep508) } : undefined,
      'build-system': { 'requires': [this.buildRequirement], 'build-backend': 'setuptools.build_meta' },
      'tool': {
        // The src layout, named: setuptools installs exactly this package.
        setuptools: { 'package-dir': { '': 'src' }, 'packages': { find: { where: ['src'], include: [this.moduleName, `${this.moduleName}.*`] } } },
        pytest: { ini_options: { testpaths: ['tests'] } },
      },
    };
  }

  private addStubs(entry: PythonEntry): void {
    const context = {
      ...this.stubContext(),
      moduleName: this.moduleName,
      scriptName: this.scriptName,
      function: entry.func,
      module: entry.module,
      lockFile: PIP_LOCK_FILE,
      buildLockFile: PIP_BUILD_LOCK_FILE,
    };
    const moduleParts = entry.module.split('.');
    const mainFile = moduleParts.length === 1 ? `src/${this.moduleName}/__init__.py` : `src/${moduleParts.join('/')}.py`;
    for (let i = 1; i < moduleParts.length; i++) {
      const pkg = moduleParts.slice(0, i).join('.');
      new StubFile(this.homeProject, this.filePath(`src/${moduleParts.slice(0, i).join('/')}/__init__.py`), 'python/__init__.py.hbs', { ...context, package: pkg }, this.stubId(`python:package:${pkg}`));
    }
    // Ids, not paths: pointing scriptTarget at the user's own module must not write a new stub there.
    new StubFile(this.homeProject, this.filePath(mainFile), this.port === undefined ? 'python/cli.py.hbs' : 'python/service.py.hbs', context, this.stubId('python:app'));
    new StubFile(this.homeProject, this.filePath(`tests/test_${moduleParts[moduleParts.length - 1]}.py`), this.port === undefined ? 'python/test_cli.py.hbs' : 'python/test_service.py.hbs', context, this.stubId('python:test'));
    new StubFile(this.homeProject, this.filePath('README.md'), 'pip/README.md.hbs', context, this.stubId('readme'));
  }
}
