import { FileBase } from 'projen/lib/file';
import { Project } from 'projen/lib/project';
import { assertModulePath, resolveGoVersion } from './go-app';
import { GoModFile } from './go-mod';
import { LibraryComponent, LibraryComponentOptions } from '../image';
import { StubFile } from '../stubs';
import { assertMatches, assertSingleLine, invalidOption } from '../validation';

/** Options of a {@link GoLibrary}. */
export interface GoLibraryOptions extends LibraryComponentOptions {
  /**
   * Module path in go.mod: what an app's `require` and `replace` name.
   * @default "example.com/<id>"
   */
  readonly modulePath?: string;

  /**
   * Go version: the `go` line of go.mod. An app that uses the module needs this version or later.
   * @default "1.27"
   */
  readonly goVersion?: string;

  /**
   * Name of the package at the module's root (the stubs' `package` clause).
   * @default - the id without "-"
   */
  readonly packageName?: string;

  /**
   * One-line description (the stubs' package comment).
   * @default - a sentence naming the module
   */
  readonly description?: string;
}

const OWNER = 'GoLibrary';
const GO_IDENTIFIER = /^[a-z][a-z0-9_]*$/;
const GO_KEYWORDS = new Set('break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var'.split(' '));

/**
 * A Go module of the workspace, in `libs/<id>`: go.mod, a package with a function and its test,
 * and the task `<id>:test` (`go vet`, `go test`). A {@link GoApp} uses it with `app.use(library)`:
 * a `require` and a `replace` to its folder in the app's go.mod, so the module is compiled into the
 * app's binary and nothing of it but the binary reaches the runtime image. It has no requirements
 * of its own (no go.sum): an app's build downloads nothing for it.
 */
export class GoLibrary extends LibraryComponent {
  /** Module path. */
  public readonly modulePath: string;
  /** Go version of go.mod's `go` line. */
  public readonly goVersion: string;
  /** Package name at the module's root. */
  public readonly packageName: string;
  /** go.mod. */
  public readonly goMod: FileBase;

  /**
   * @param project the project the library is part of
   * @param id the library's id: its folder's default name (`libs/<id>`) and its tasks' prefix
   * @param options the library's options
   */
  constructor(project: Project, id: string, options: GoLibraryOptions = {}) {
    super(project, id, { owner: OWNER, options, ecosystem: 'go' });
    this.modulePath = options.modulePath ?? `example.com/${id}`;
    assertModulePath(this.owner, 'modulePath', this.modulePath);
    this.goVersion = resolveGoVersion(this.owner, options.goVersion).text;
    this.packageName = options.packageName ?? id.replace(/-/g, '');
    const packageOption = options.packageName !== undefined ? 'packageName' : `packageName (derived from id ${JSON.stringify(id)})`;
    assertMatches(this.owner, packageOption, this.packageName, GO_IDENTIFIER, 'Expected a Go package name: lowercase letters, digits and "_", starting with a letter.');
    if (GO_KEYWORDS.has(this.packageName)) {
      throw invalidOption(this.owner, packageOption, this.packageName, 'It is a Go keyword: choose another package name.');
    }
    const description = options.description ?? `${this.modulePath}: a Go module shared by the workspace's apps`;
    assertSingleLine(this.owner, 'description', description, 512);

    this.goMod = new GoModFile(project, this.filePath('go.mod'), () => ({ module: this.modulePath, go: this.goVersion, requires: [], replaces: {} }));
    this.allowInBuild(this.buildFiles);
    this.dockerignore.addPatterns('**/*_test.go', '**/testdata');

    this.lifecycleTask('test').exec('go vet ./...');
    this.lifecycleTask('test').exec('go test ./...');

    if (this.sampleCode) {
      const context = {
        id, packageName: this.packageName, modulePath: this.modulePath, description, folder: this.folder, contextName: this.contextName,
      };
      new StubFile(project, this.filePath(`${this.packageName}.go`), 'go-library/library.go.hbs', context, this.stubId('go-library:package'));
      new StubFile(project, this.filePath(`${this.packageName}_test.go`), 'go-library/library_test.go.hbs', context, this.stubId('go-library:test'));
      new StubFile(project, this.filePath('README.md'), 'go-library/README.md.hbs', context, this.stubId('readme'));
    }
  }

  /** go.mod and the module's Go files at any depth: what the app's `go build` compiles. */
  public get buildFiles(): string[] {
    return ['go.mod', '**/*.go'];
  }
}
