import { JsonFile } from 'projen/lib/json';
import { Project } from 'projen/lib/project';
import { Task } from 'projen/lib/task';
import { LibraryComponent, LibraryComponentOptions } from '../image';
import { DEFAULT_VERSION, SEMVER } from '../image/app-options';
import { StubFile } from '../stubs';
import { assertMatches, assertMaxLength, assertSingleLine } from '../validation';

/** Options of a {@link TypeScriptLibrary}. */
export interface TypeScriptLibraryOptions extends LibraryComponentOptions {
  /**
   * npm package name in package.json: the name an app's dependency declares and imports.
   * @default - the id
   */
  readonly packageName?: string;

  /**
   * Version in package.json.
   * @default "0.1.0"
   */
  readonly version?: string;

  /**
   * One-line description.
   * @default - a sentence naming the package
   */
  readonly description?: string;

  /**
   * Version range of the TypeScript compiler (a dev dependency).
   * @default "^5"
   */
  readonly typescriptVersion?: string;
}

const OWNER = 'TypeScriptLibrary';
const NPM_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/;
const RANGE = /^[\^~]?\d+(?:\.\d+){0,2}$/;

/**
 * A TypeScript package of the workspace, in `libs/<id>`: package.json (`main` and `types` in
 * `lib/`), tsconfig.json, `src/index.ts`, a test run by Node's own runner, and tasks
 * `<id>:install`, `<id>:compile` and `<id>:test`. A Node service or static site ({@link NodeApp})
 * uses it with `app.use(library)`: a `file:` dependency on its folder, a link on the developer's
 * machine (the app's `compile` and `test` compile the package first) and a copy in the image, whose
 * build compiles it in a stage of its own, from its named build context. A service's runtime
 * gets it in node_modules; a static site's build bundles its compiled CommonJS with esbuild.
 */
export class TypeScriptLibrary extends LibraryComponent {
  /** npm package name. */
  public readonly packageName: string;
  /** Version. */
  public readonly version: string;
  /** package.json. */
  public readonly packageJson: JsonFile;
  /** `<id>:compile`: `tsc`, writing `lib/`, which the apps that use the package read. */
  public readonly compileTask: Task;

  /**
   * @param project the project the library is part of
   * @param id the library's id: its folder's default name (`libs/<id>`) and its tasks' prefix
   * @param options the library's options
   */
  constructor(project: Project, id: string, options: TypeScriptLibraryOptions = {}) {
    super(project, id, { owner: OWNER, options, ecosystem: 'node' });
    this.packageName = options.packageName ?? id;
    assertMatches(this.owner, 'packageName', this.packageName, NPM_NAME, 'Expected an npm package name: lowercase letters, digits and - . _ ~, optionally @scope/.');
    assertMaxLength(this.owner, 'packageName', this.packageName, 214);
    this.version = options.version ?? DEFAULT_VERSION;
    assertMatches(this.owner, 'version', this.version, SEMVER, 'Expected a semantic version such as "0.1.0".');
    const description = options.description ?? `${this.packageName}: a TypeScript package shared by the workspace's apps`;
    assertSingleLine(this.owner, 'description', description, 512);
    const typescript = options.typescriptVersion ?? '^5';
    assertMatches(this.owner, 'typescriptVersion', typescript, RANGE, 'Expected a version range such as "^5" or "~5.8.2".');

    this.packageJson = new JsonFile(project, this.filePath('package.json'), {
      obj: {
        name: this.packageName,
        version: this.version,
        description,
        private: true,
        main: 'lib/index.js',
        types: 'lib/index.d.ts',
        files: ['lib'],
        scripts: { build: 'tsc', test: 'tsc && node --test test/' },
        devDependencies: { typescript },
      },
      // npm writes package.json back on install: a marker field would be kept, but projen's read-only mode would not.
      readonly: false,
      marker: false,
    });
    new JsonFile(project, this.filePath('tsconfig.json'), {
      obj: {
        compilerOptions: {
          target: 'ES2022',
          module: 'commonjs',
          declaration: true,
          strict: true,
          rootDir: 'src',
          outDir: 'lib',
          types: [],
        },
        include: ['src'],
      },
    });
    this.allowInBuild(this.buildFiles);

    this.addLibraryTask('install', { description: 'Install the compiler (writes package-lock.json: commit it)', exec: 'npm install' });
    this.compileTask = this.addLibraryTask('compile', { description: 'Compile src/ into lib/', exec: 'npx tsc' });
    this.lifecycleTask('test').exec('npm test');
    this.addGitIgnore('/node_modules/');
    this.addGitIgnore('/lib/');

    if (this.sampleCode) {
      const context = { id, packageName: this.packageName, description, folder: this.folder, contextName: this.contextName };
      new StubFile(project, this.filePath('src/index.ts'), 'node-library/index.ts.hbs', context, this.stubId('node-library:index'));
      new StubFile(project, this.filePath('test/index.test.js'), 'node-library/index.test.js.hbs', context, this.stubId('node-library:test'));
      new StubFile(project, this.filePath('README.md'), 'node-library/README.md.hbs', context, this.stubId('readme'));
    }
  }

  /** The manifest, the lock file, the compiler's configuration and the sources: what the image's library stage compiles. */
  public get buildFiles(): string[] {
    return ['package.json', 'package-lock.json', 'tsconfig.json', 'src/'];
  }
}
