import { Project } from 'projen/lib/project';
import { TomlFile } from 'projen/lib/toml';
import { DEFAULT_TEST_DEPS, PACKAGE_NAME, POETRY_BUILD_SYSTEM, PythonDependency, parseDependency, pep508, poetryTable } from './dependency-spec';
import { PEP440_RELEASE, resolvePythonEntry } from './python-app-rules';
import { LibraryComponent, LibraryComponentOptions } from '../image';
import { DEFAULT_VERSION } from '../image/app-options';
import { StubFile } from '../stubs';
import { assertMatches, assertMaxLength, assertSingleLine, assertUrl, invalidOption } from '../validation';

/** Options of a {@link PythonLibrary}. */
export interface PythonLibraryOptions extends LibraryComponentOptions {
  /**
   * Distribution name in pyproject.toml: the name an app's path dependency declares.
   * @default - the id
   */
  readonly name?: string;

  /**
   * Import name of the package under `src/`.
   * @default - the name with "-" and "." replaced by "_"
   */
  readonly moduleName?: string;

  /**
   * Version in pyproject.toml.
   * @default "0.1.0"
   */
  readonly version?: string;

  /**
   * One-line description.
   * @default - a sentence naming the library
   */
  readonly description?: string;

  /**
   * `requires-python`, a PEP 440 specifier set: every app that uses the library must allow only Pythons inside it.
   * @default ">=3.10"
   */
  readonly requiresPython?: string;

  /**
   * Runtime dependencies, `name@constraint`: they reach each app that uses the library through its lock file.
   * @default - none
   */
  readonly deps?: string[];

  /**
   * Dependencies of the dev group (its tests), `name@constraint`.
   * @default ["pytest@^8.3"]
   */
  readonly testDeps?: string[];

  /**
   * A PEP 503 package index that replaces PyPI for the library's own lock and install (its tests),
   * as an app's `packageIndex` does; an app that uses the library installs from its own. A URL with
   * credentials is refused.
   * @default - PyPI
   */
  readonly packageIndex?: string;
}

const OWNER = 'PythonLibrary';
/** requires-python: comparison clauses only, as in an app's. */
const REQUIRES_PYTHON = /^\s*(?:~=|==|!=|<=|>=|<|>)\s*\d+(?:\.\d+)*(?:\.\*)?\s*(?:,\s*(?:~=|==|!=|<=|>=|<|>)\s*\d+(?:\.\d+)*(?:\.\*)?\s*)*$/;

/**
 * A Python library of the workspace, in `libs/<id>`: pyproject.toml (PEP 621, Poetry 2), its
 * package under `src/`, a test, and tasks `<id>:lock`, `<id>:install`, `<id>:test`. A
 * {@link PoetryApp} uses it with `app.use(library)`: an editable path dependency on the developer's
 * machine (the app's venv links to the sources, so an edit reaches the app at once); in the image,
 * the builder builds its wheel and installs a real copy into the venv, which the runtime gets.
 */
export class PythonLibrary extends LibraryComponent {
  /** Distribution name. */
  public readonly name: string;
  /** Import name of the package. */
  public readonly moduleName: string;
  /** Version. */
  public readonly version: string;
  /** requires-python. */
  public readonly requiresPython: string;
  /** pyproject.toml. */
  public readonly pyproject: TomlFile;

  private readonly deps: PythonDependency[];
  private readonly testDeps: PythonDependency[];

  /**
   * @param project the project the library is part of
   * @param id the library's id: its folder's default name (`libs/<id>`) and its tasks' prefix
   * @param options the library's options
   */
  constructor(project: Project, id: string, options: PythonLibraryOptions = {}) {
    super(project, id, { owner: OWNER, options, ecosystem: 'python' });
    this.name = options.name ?? id;
    assertMatches(this.owner, 'name', this.name, PACKAGE_NAME, 'Expected a PEP 508 project name: letters, digits, ".", "_" and "-", starting and ending with a letter or digit.');
    assertMaxLength(this.owner, 'name', this.name, 128);
    // The app rules check the import name (an identifier, not the standard library's).
    this.moduleName = resolvePythonEntry(this.owner, this.name, { moduleName: options.moduleName, scriptName: 'library' }).moduleName;
    this.version = options.version ?? DEFAULT_VERSION;
    assertMatches(this.owner, 'version', this.version, PEP440_RELEASE, 'Expected a PEP 440 release version such as "0.1.0".');
    const description = options.description ?? `${this.name}: a Python library shared by the workspace's apps`;
    assertSingleLine(this.owner, 'description', description, 512);
    this.requiresPython = options.requiresPython ?? '>=3.10';
    assertMatches(this.owner, 'requiresPython', this.requiresPython, REQUIRES_PYTHON, 'Expected a PEP 440 specifier set such as ">=3.10".');
    const parse = (specs: string[]) => specs.map((spec) => {
      const at = spec.indexOf('@', 1);
      return parseDependency(this.owner, at < 0 ? spec : spec.slice(0, at), at < 0 ? undefined : spec.slice(at + 1));
    });
    this.deps = parse(options.deps ?? []);
    this.testDeps = parse(options.testDeps ?? DEFAULT_TEST_DEPS);
    if ([...this.deps, ...this.testDeps].some((d) => d.name.toLowerCase() === this.name.toLowerCase())) {
      throw invalidOption(this.owner, 'deps', this.name, 'A library cannot depend on itself.');
    }

    if (options.packageIndex !== undefined) {
      assertUrl(this.owner, 'packageIndex', options.packageIndex, 'Give the index URL alone and its credentials to Poetry: "poetry config http-basic.package-index".');
    }
    const source = options.packageIndex !== undefined ? { source: [{ name: 'package-index', url: options.packageIndex, priority: 'primary' }] } : {};
    this.pyproject = new TomlFile(project, this.filePath('pyproject.toml'), {
      obj: {
        'project': {
          'name': this.name,
          'version': this.version,
          description,
          'readme': 'README.md',
          'requires-python': this.requiresPython,
          'dependencies': this.deps.map(pep508),
        },
        // [tool.poetry] holds only what PEP 621 cannot say: the src layout and the dev group.
        'tool': {
          poetry: {
            packages: [{ include: this.moduleName, from: 'src' }],
            ...(this.testDeps.length > 0 ? { group: { dev: { dependencies: poetryTable(this.testDeps) } } } : {}),
            ...source,
          },
          pytest: { ini_options: { testpaths: ['tests'] } },
        },
        'build-system': POETRY_BUILD_SYSTEM,
      },
    });
    this.allowInBuild(this.buildFiles);
    this.dockerignore.addPatterns('**/__pycache__', '**/*.py[cod]');

    this.addLibraryTask('lock', { description: 'Resolve the library\'s dev dependencies into poetry.lock', exec: 'poetry lock' });
    this.addLibraryTask('install', { description: 'Create .venv with the library and its dev group', exec: 'poetry install' });
    this.lifecycleTask('test').exec('poetry run pytest');
    this.addGitIgnore('/.venv/');
    this.addGitIgnore('/dist/');
    this.addGitIgnore('/.pytest_cache/');
    this.addGitIgnore('__pycache__/');

    if (this.sampleCode) {
      const context = {
        name: this.name, id, pyname: this.name, moduleName: this.moduleName, description, folder: this.folder, contextName: this.contextName,
      };
      new StubFile(project, this.filePath(`src/${this.moduleName}/__init__.py`), 'python-library/__init__.py.hbs', context, this.stubId('python-library:package'));
      new StubFile(project, this.filePath(`tests/test_${this.moduleName}.py`), 'python-library/test_module.py.hbs', context, this.stubId('python-library:test'));
      new StubFile(project, this.filePath('README.md'), 'python-library/README.md.hbs', context, this.stubId('readme'));
    }
  }

  /** The manifest, the README it names and the package: what Poetry needs to install the library into an app's venv. */
  public get buildFiles(): string[] {
    return ['pyproject.toml', 'README.md', 'src/'];
  }
}
