import * as fs from 'fs';
import * as path from 'path';
import { DependencyType } from 'projen/lib/dependencies';
import { FileBase } from 'projen/lib/file';
import { Project } from 'projen/lib/project';
import { Task } from 'projen/lib/task';
import { TaskShell } from 'projen/lib/task-shell';
import { GoModFile } from './go-mod';
import { HEALTH_PROBE, HEALTH_PROBE_SOURCE } from './health-probe';
import { BaseImage, DockerfileStage, Instruction, RunMount } from '../dockerfile';
import { GoLibrary } from './go-library';
import { AppComponent, AppComponentOptions, AppMetadataOptions, AppProjectKind, ContainerImage, LanguageVersion, LibraryComponent, LibraryUse, RuntimeCopy, RuntimeUser } from '../image';
import { DISTROLESS_STATIC_IMAGE, SEMVER, resolveMetadata } from '../image/app-options';
import { COMPILED_PROBE, ProbeSourceFile, compiledProbe, staticBinaryCheck } from '../image/probe-source';
import { StubFile } from '../stubs';
import { assertMatches, assertMaxLength, invalidOption, userError } from '../validation';

/** What the runtime stage of a Go binary is built on. */
export enum GoRuntime {
  /** `gcr.io/distroless/static-debian12:nonroot`: CA certificates, tzdata, a non-root user, no shell. */
  DISTROLESS = 'distroless',
  /** `scratch`, with CA certificates, tzdata and a passwd entry copied from the builder. */
  SCRATCH = 'scratch',
}

/** Options of a {@link GoApp}. */
export interface GoAppOptions extends AppComponentOptions, AppMetadataOptions {
  /**
   * Module path in go.mod.
   * @default "example.com/<name>"
   */
  readonly modulePath?: string;

  /**
   * Go version: the `go` line of go.mod and the builder image's tag.
   * @default "1.27"
   * @pjnew "1.27"
   */
  readonly goVersion?: string;

  /**
   * A `toolchain` line for go.mod, e.g. "go1.27.4"; at least `goVersion`.
   * @default - no toolchain line
   */
  readonly toolchain?: string;

  /**
   * Name of the binary: `cmd/<binaryName>/main.go` and the image's ENTRYPOINT.
   * @default - the project name
   * @featured
   */
  readonly binaryName?: string;

  /**
   * Required modules, `path@version` (e.g. "golang.org/x/text@v0.22.0"). More can be added with
   * `addDependency`, and for the app at the project's root with `project.deps.addDependency(spec, DependencyType.RUNTIME)`.
   * @default - none
   * @featured
   */
  readonly deps?: string[];

  /**
   * `replace` directives to local modules, module path to a folder relative to the app's (e.g.
   * { "example.com/greeting": "./greeting" }): a folder inside the app's joins its build context; a
   * folder outside it must be a {@link GoLibrary} of the project, which the app then uses as with
   * `use(library)` (a named build context, never the whole repository).
   * @default - none
   */
  readonly replaces?: { [module: string]: string };

  /**
   * Runtime image.
   * @default GoRuntime.DISTROLESS
   */
  readonly runtime?: GoRuntime;

  /**
   * The main package the image's binary is built from, relative to the module root (`go build
   * <mainPackage>`), e.g. "." for a module whose main.go is at its root.
   * @default "./cmd/<binaryName>"
   */
  readonly mainPackage?: string;

  /**
   * String variables the linker sets in the image's binary (`go build -ldflags "-X name=value"`),
   * e.g. a version stamp `{ "main.version": "1.2.0" }`. Names are `importpath.name`; values are
   * letters, digits and `. _ + : @ / -`.
   * @default - none
   */
  readonly linkerVariables?: { [name: string]: string };

  /**
   * Debian release of the official Go image for the builder: "bookworm" or "trixie". (The
   * binary is static, so the builder's C library does not matter; the static check needs readelf.)
   * @default - the image's default release
   */
  readonly builderImageVariant?: string;
}

const OWNER = 'GoApp';
/** Go minors stagecraft writes go.mod and images for. */
export const SUPPORTED_GO = ['1.22', '1.23', '1.24', '1.25', '1.26', '1.27'];

/** The `goVersion` of a Go app or library (default 1.27), checked: "1.N" or "1.N.P" of a supported release line. */
export function resolveGoVersion(owner: string, text: string | undefined): LanguageVersion {
  const version = text ?? '1.27';
  const rule = `Expected a Go version "1.N" or "1.N.P" with 1.N one of ${SUPPORTED_GO.join(', ')}.`;
  if (!/^1\.\d+(?:\.\d+)?$/.test(version)) {
    throw invalidOption(owner, 'goVersion', version, rule);
  }
  const parsed = LanguageVersion.parse(owner, 'goVersion', version);
  if (!SUPPORTED_GO.includes(parsed.minor)) {
    throw invalidOption(owner, 'goVersion', version, rule);
  }
  return parsed;
}
const MODULE_PATH = /^[a-z0-9](?:[a-z0-9._~-]*[a-z0-9_~-])?(?:\/[A-Za-z0-9_~-](?:[A-Za-z0-9._~-]*[A-Za-z0-9_~-])?)*$/;
const MODULE_VERSION = /^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const BINARY = /^[a-z0-9][a-z0-9_-]*$/;
const GO_VARIANT = /^(?:bookworm|trixie)$/;
const BIN_DIR = '/app';
/**
 * Where the builder's Go keeps compiled packages and downloaded modules: set in its ENV and
 * mounted as caches at the same paths, so the toolchain and the mounts agree whatever the
 * builder image's HOME, USER or GOPATH (the official image's defaults, named once here).
 */
const GO_BUILD_CACHE = '/root/.cache/go-build';
const GO_MODULE_CACHE = '/go/pkg/mod';

/**
 * A Go binary, packaged as a static executable in a minimal image.
 *
 * The Go version drives go.mod and the builder's tag; the builder runs on
 * the build platform and cross-compiles for TARGETOS/TARGETARCH; the build
 * fails if the binary is not static; the runtime is distroless static (or
 * scratch) with CA certificates, tzdata and a non-root user, and runs the
 * binary as ENTRYPOINT.
 *
 * Builder instruction ids: `workdir`, `env`, `cache-paths`, `copy-mod`, `download`,
 * `copy-sources`, `build`; with scratch also `passwd`. Runtime: see
 * {@link ContainerImage}.
 */
export class GoApp extends AppComponent {
  /** Module path. */
  public readonly modulePath: string;
  /** Go version. */
  public readonly goVersion: string;
  /** Binary name. */
  public readonly binaryName: string;
  /** go.mod. */
  public readonly goMod: FileBase;
  /** The builder stage. */
  public readonly builderStage: DockerfileStage;

  private readonly replaces: { [module: string]: string };
  /** `replaces` entries to folders outside the app's: libraries of the project, found at synthesis. */
  private readonly libraryReplaces: { [module: string]: string } = {};
  private readonly sumCheckTask: Task;
  private readonly toolchain?: string;

  /**
   * @param project the project the app is part of
   * @param id the app's id: its folder's default name (`apps/<id>`) and its tasks' prefix
   * @param options the app's options
   */
  constructor(project: Project, id: string, options: GoAppOptions = {}) {
    super(project, id, { owner: OWNER, options, projectKind: AppProjectKind.NON_NODE, subprojectType: 'GoAppProject' });
    const name = this.name;
    const home = this.homeProject;
    this.binaryName = options.binaryName ?? name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z0-9]+/, '');
    const binaryOption = options.binaryName !== undefined ? 'binaryName' : `binaryName (derived from name ${JSON.stringify(name)})`;
    assertMatches(this.owner, binaryOption, this.binaryName, BINARY, 'Expected a lowercase command name: letters, digits, "_" and "-".');
    assertMaxLength(this.owner, binaryOption, this.binaryName, 128);
    this.modulePath = options.modulePath ?? `example.com/${this.binaryName}`;
    assertModulePath(this.owner, 'modulePath', this.modulePath);
    const goVersion = resolveGoVersion(this.owner, options.goVersion);
    this.goVersion = goVersion.text;
    const minor = goVersion.minor;
    if (options.toolchain !== undefined) {
      const m = /^go(1\.\d+(?:\.\d+)?)$/.exec(options.toolchain);
      if (!m) {
        throw invalidOption(this.owner, 'toolchain', options.toolchain, 'Expected a toolchain name such as "go1.27.4".');
      }
      if (LanguageVersion.parse(this.owner, 'toolchain', m[1]).compareTo(goVersion) < 0) {
        throw userError(`${this.owner}: toolchain "${options.toolchain}" is older than goVersion "${this.goVersion}"; the toolchain line must name Go ${this.goVersion} or later.`);
      }
      this.toolchain = options.toolchain;
    }
    const builderVariant = options.builderImageVariant;
    if (builderVariant !== undefined) {
      assertMatches(this.owner, 'builderImageVariant', builderVariant, GO_VARIANT, 'Expected "bookworm" or "trixie".');
    }
    this.replaces = {};
    for (const [module, target] of Object.entries(options.replaces ?? {})) {
      assertModulePath(this.owner, 'replaces (module)', module);
      if (assertLocalFolder(this.owner, module, target, this.folder) === 'outside') {
        this.libraryReplaces[module] = target;
      } else {
        this.replaces[module] = target;
      }
    }
    this.declareDependencies(options.deps);
    const runtime = options.runtime ?? GoRuntime.DISTROLESS;
    if (!Object.values(GoRuntime).includes(runtime)) {
      throw invalidOption(this.owner, 'runtime', runtime, `Expected one of ${Object.values(GoRuntime).join(', ')}.`);
    }
    const metadata = resolveMetadata(this.owner, name, options, {
      description: `${name}: a Go binary built by stagecraft`,
      versionPattern: SEMVER,
      versionRule: 'Expected a semantic version such as "0.1.0" or "1.2.0-rc.1".',
    });

    // A library is required at v0.0.0 and replaced by its folder: Go reads it from there, no download, no go.sum line.
    this.goMod = new GoModFile(home, this.filePath('go.mod'), () => ({
      module: this.modulePath,
      go: this.goVersion,
      toolchain: this.toolchain,
      requires: [...this.requires(), ...this.libraryModules().map((m) => ({ path: m.modulePath, version: 'v0.0.0' }))].sort((a, b) => a.path.localeCompare(b.path)),
      replaces: { ...this.replaces, ...Object.fromEntries(this.libraryModules().map((m) => [m.modulePath, m.path])) },
    }));

    // --- Builder: runs on the build platform and cross-compiles, so a multi-platform build never emulates.
    const builderTag = builderVariant ? `${minor}-${builderVariant}` : minor;
    const builder = new DockerfileStage('builder', {
      from: ContainerImage.baseImage(options, `golang:${builderTag}`),
      platform: '$BUILDPLATFORM',
    });
    builder.addInstruction(Instruction.workdir('/src'), 'workdir');
    builder.addInstruction(Instruction.env({ CGO_ENABLED: '0' }), 'env');
    builder.addInstruction(Instruction.env({ GOCACHE: GO_BUILD_CACHE, GOMODCACHE: GO_MODULE_CACHE }), 'cache-paths');
    builder.addInstruction(Instruction.arg('TARGETOS'), 'arg-targetos');
    builder.addInstruction(Instruction.arg('TARGETARCH'), 'arg-targetarch');
    const localModules = Object.values(this.replaces).map((dir) => path.posix.normalize(dir).replace(/\/$/, ''));
    const caches = [RunMount.cache({ target: GO_MODULE_CACHE }), RunMount.cache({ target: GO_BUILD_CACHE })];
    // A service (one with a port) gets stagecraft's probe: built here, copied to the runtime, sent in the context.
    const probe = this.port !== undefined;
    if (probe) {
      // stagecraft's own probe, built before the app's sources arrive: an app edit never rebuilds it.
      new ProbeSourceFile(home, this.filePath(HEALTH_PROBE_SOURCE), HEALTH_PROBE);
      builder.addInstruction(Instruction.copy([HEALTH_PROBE_SOURCE], '/healthprobe/main.go'), 'copy-probe');
      builder.addInstruction(
        Instruction.run(['cd /healthprobe', `GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w" -o ${COMPILED_PROBE.built} main.go`], { mounts: [caches[1]] }),
        'build-probe',
      );
    }
    // Module downloads depend on go.mod, go.sum and the replaced modules' go.mod alone: a source edit reuses the layer.
    builder.addInstruction(Instruction.copy(['go.mod', 'go.sum*'], './'), 'copy-mod');
    localModules.forEach((dir, i) => builder.addInstruction(Instruction.copy([`${dir}/go.mod`], `./${dir}/`), `copy-mod-${i + 1}`));
    builder.addInstruction(Instruction.run(['go mod download'], { mounts: [caches[0]] }), 'download');
    builder.addInstruction(Instruction.copy(['.'], './'), 'copy-sources');
    const out = `/out/${this.binaryName}`;
    const mainPackage = options.mainPackage ?? `./cmd/${this.binaryName}`;
    assertMatches(this.owner, 'mainPackage', mainPackage, /^\.(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/, 'Expected the main package\'s folder relative to the module root, such as "./cmd/my-app" or ".".');
    const linkerFlags = Object.entries(options.linkerVariables ?? {}).map(([variable, value]) => {
      assertMatches(this.owner, 'linkerVariables', variable, /^[A-Za-z0-9_.~\/-]+\.[A-Za-z_][A-Za-z0-9_]*$/, 'Expected a Go variable as "importpath.name", e.g. "main.version".');
      // Inside -ldflags="..." in a shell: no quote, $, backslash or space can reach it.
      assertMatches(this.owner, `linkerVariables[${JSON.stringify(variable)}]`, value, /^[A-Za-z0-9._+:@\/-]{0,256}$/, 'Expected letters, digits and . _ + : @ / - (at most 256), e.g. "1.2.0".');
      return `-X ${variable}=${value}`;
    });
    builder.addInstruction(
      Instruction.run(
        [
          `GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="${['-s', '-w', ...linkerFlags].join(' ')}" -o ${out} ${mainPackage}`,
          // A dynamically linked binary would fail at start on distroless/scratch: fail here, loudly.
          ...staticBinaryCheck(out, `${out} is dynamically linked (cgo?); the runtime image has no C library. Keep CGO_ENABLED=0.`),
        ],
        { mounts: caches },
      ),
      'build',
    );
    const copies: RuntimeCopy[] = [];
    const compiled = compiledProbe();
    let runtimeImage: BaseImage;
    // distroless's own nonroot user, or runtimeUid; on scratch, the passwd and group the image gets name the same ids.
    const user = RuntimeUser.existing(options.runtimeUid ?? RuntimeUser.DISTROLESS_NONROOT_UID);
    if (runtime === GoRuntime.SCRATCH) {
      builder.addInstruction(
        Instruction.run([
          'mkdir -p /out/etc',
          `echo "nonroot:x:${user.uid}:${user.gid}:nonroot:/nonexistent:/sbin/nologin" > /out/etc/passwd`,
          `echo "nonroot:x:${user.gid}:" > /out/etc/group`,
        ]),
        'passwd',
      );
      copies.push(
        { fromStage: 'builder', source: '/etc/ssl/certs/ca-certificates.crt', id: 'ca-certificates' },
        { fromStage: 'builder', source: '/usr/share/zoneinfo', id: 'zoneinfo' },
        { fromStage: 'builder', source: '/out/etc/passwd', destination: '/etc/passwd', id: 'passwd' },
        { fromStage: 'builder', source: '/out/etc/group', destination: '/etc/group', id: 'group' },
      );
      // Docker's empty image: never pulled, so never under imageRegistry.
      runtimeImage = ContainerImage.baseImage({}, 'scratch');
    } else {
      runtimeImage = ContainerImage.baseImage(options, DISTROLESS_STATIC_IMAGE);
    }
    if (probe) {
      copies.push(compiled.copy);
    }
    copies.push({ fromStage: 'builder', source: out, destination: `${BIN_DIR}/${this.binaryName}`, id: 'binary' });
    this.builderStage = builder;

    this.createImage({
      ecosystem: 'go',
      languageVersion: goVersion,
      metadata,
      buildStages: [builder],
      payload: {
        image: runtimeImage,
        user,
        copies,
        entrypoint: [`${BIN_DIR}/${this.binaryName}`],
        buildOnlyTools: ['go', 'gofmt'],
        workdir: BIN_DIR,
      },
      defaultSizeBudgetMb: 100,
      // No shell or curl in the image, and the app need not probe itself: stagecraft's own probe.
      healthProbe: compiled.healthProbe,
      // Every folder of the module's packages, found on disk, plus cmd/ where the stub goes.
      context: [
        'go.mod',
        'go.sum',
        ...new Set(['cmd/', ...goPackageFolders(path.join(home.outdir, this.homeFolder)), ...localModules.map((d) => `${d.replace(/^\.\//, '')}/`)]),
        ...(probe ? [HEALTH_PROBE_SOURCE] : []),
      ],
      contextExcludes: ['**/*_test.go', '**/testdata'],
    });

    // --- Tasks: the Go toolchain does the work.
    this.addAppTask('install', { description: 'Download the modules go.mod requires (writes go.sum)', exec: 'go mod download' });
    this.lifecycleTask('compile').exec('go build ./...');
    this.lifecycleTask('test').exec('go vet ./...');
    this.lifecycleTask('test').exec('go test ./...');
    this.addGitIgnore('/bin/');
    // go.sum must exist for a build with downloaded modules; say so before an obscure failure in the image build.
    this.sumCheckTask = this.addAppTask('sum:check', {
      description: 'Fail with a clear message when go.sum is missing for a module with downloaded requirements',
    });
    const sumCheck = this.sumCheckTask;
    this.image.buildTask.prependSpawn(sumCheck);

    if (this.sampleCode) {
      const context = {
        ...this.stubContext(),
        binaryName: this.binaryName,
        modulePath: this.modulePath,
      };
      new StubFile(home, this.filePath(`cmd/${this.binaryName}/main.go`), 'go/main.go.hbs', context, this.stubId('go:main'));
      new StubFile(home, this.filePath(`cmd/${this.binaryName}/main_test.go`), 'go/main_test.go.hbs', context, this.stubId('go:test'));
      new StubFile(home, this.filePath('README.md'), 'go/README.md.hbs', context, this.stubId('readme'));
    }
  }

  /**
   * The go.sum check follows the final requirements: only modules that are
   * not replaced by a local folder are downloaded and need go.sum.
   */
  public preSynthesize(): void {
    super.preSynthesize();
    this.resolveLibraryReplaces();
    const downloaded = this.requires().filter((r) => !(r.path in this.replaces));
    if (downloaded.length > 0 && this.sumCheckTask.steps.length === 0) {
      this.sumCheckTask.exec(`test -f go.sum || { echo "go.sum is missing: run 'npx projen ${this.taskName('install')}' and commit go.sum" >&2; exit 1; }`, {
        shell: TaskShell.sh(),
      });
    }
  }

  /**
   * The module becomes a `require` (v0.0.0) and a `replace` to its folder in go.mod; the builder
   * copies its go.mod before `go mod download` and its files before `go build`, to the same
   * relative place, so the replace resolves there too.
   */
  protected useLibrary(use: LibraryUse): void {
    const library = use.library;
    if (!(library instanceof GoLibrary)) {
      throw invalidOption(this.owner, 'use library', library.folder, `${library.owner} is not a GoLibrary: a GoApp replaces a Go module by its folder.`);
    }
    if (LanguageVersion.parse(this.owner, 'goVersion', library.goVersion).compareTo(LanguageVersion.parse(this.owner, 'goVersion', this.goVersion)) > 0) {
      throw invalidOption(this.owner, 'use library', library.folder, `${library.owner} needs Go ${library.goVersion} and ${this.appId} builds with Go ${this.goVersion}: raise the app's goVersion or lower the library's.`);
    }
    if (library.modulePath in this.replaces || this.requires().some((r) => r.path === library.modulePath)) {
      throw invalidOption(this.owner, 'use library', library.folder, `${this.appId} requires or replaces "${library.modulePath}" already: the library would replace it.`);
    }
    const destination = this.builderPath(use, '/src');
    this.builderStage.insertBefore('download', Instruction.copy(['go.mod'], `${destination}/`, { from: use.contextName }), `lib-${library.libraryId}-mod`);
    // The whole context: its .dockerignore keeps it to the Go files where the engine applies one; `go build` reads no more.
    this.builderStage.insertBefore('build', Instruction.copy(['.'], `${destination}/`, { from: use.contextName }), `lib-${library.libraryId}-sources`);
  }

  protected checkDependencies(): void {
    this.requires();
  }

  /** The Go libraries the app uses: module path and path from the app's folder. */
  private libraryModules(): Array<{ modulePath: string; path: string }> {
    return this.libraries.map((u) => ({ modulePath: (u.library as GoLibrary).modulePath, path: u.path }));
  }

  /**
   * A `replaces` folder outside the app's is a library of the project (added before or after the
   * app in .projenrc.ts), used as with `use(library)`; anything else is refused before a file is written.
   */
  private resolveLibraryReplaces(): void {
    for (const [module, target] of Object.entries(this.libraryReplaces)) {
      const folder = path.posix.normalize(path.posix.join(this.folder, target)).replace(/\/$/, '');
      const library = LibraryComponent.all(this.project).find((l) => l.folder === folder);
      const option = `replaces[${JSON.stringify(module)}]`;
      if (!library) {
        const app = AppComponent.all(this.project).find((a) => a.folder === folder);
        const libraries = LibraryComponent.all(this.project).filter((l) => l instanceof GoLibrary).map((l) => `"${l.folder}"`);
        const why = app
          ? `"${folder}" is the folder of ${app.appType} "${app.appId}", an app: its code is not shared; move what two apps share into a GoLibrary.`
          : `"${folder}" is not a component or library of the workspace (Go libraries: ${libraries.join(', ') || 'none'}): add new GoLibrary(project, "<id>", { folder: "${folder}" }), or point at one of them.`;
        throw invalidOption(this.owner, option, target, why);
      }
      if (!(library instanceof GoLibrary) || library.modulePath !== module) {
        throw invalidOption(this.owner, option, target, `"${folder}" holds ${library.owner}${library instanceof GoLibrary ? `, module "${library.modulePath}", not "${module}"` : ', not a Go module'}: replace its module by its folder.`);
      }
      if (!this.libraries.some((u) => u.library === library)) {
        this.use(library);
      }
    }
  }

  /** Runtime dependencies, parsed and validated, sorted by path. */
  private requires(): Array<{ path: string; version: string }> {
    return this.declaredDependencies
      .filter((d) => d.type === DependencyType.RUNTIME)
      .map((d) => {
        assertModulePath(this.owner, 'dependency path', d.name);
        if (d.version === undefined || !MODULE_VERSION.test(d.version)) {
          throw invalidOption(this.owner, `version of ${d.name}`, d.version, 'Expected a module version such as "v1.2.3" (path@v1.2.3).');
        }
        return { path: d.name, version: d.version };
      })
      .sort((a, b) => a.path.localeCompare(b.path));
  }
}

export function assertModulePath(owner: string, option: string, value: string): void {
  if (typeof value !== 'string' || !MODULE_PATH.test(value) || value.split('/').some((e) => e === '.' || e === '..' || e.endsWith('.'))) {
    throw invalidOption(owner, option, value, 'Expected a Go module path such as "example.com/my-app": lowercase first element, then "/"-separated elements of letters, digits and - . _ ~.');
  }
  assertMaxLength(owner, option, value, 512);
}

/**
 * Checks a `replaces` folder (relative to the app's folder): inside the project, and not the app's
 * own folder. Says whether it is inside the app's folder or outside it (a library's, checked at synthesis).
 */
function assertLocalFolder(owner: string, module: string, target: string, appFolder: string): 'inside' | 'outside' {
  const normalized = typeof target === 'string' ? path.posix.normalize(target) : '';
  const inProject = typeof target === 'string' ? path.posix.normalize(path.posix.join(appFolder, target)) : '..';
  if (!/^\.\.?\/[A-Za-z0-9._\/-]+$/.test(target ?? '') || inProject.startsWith('..') || normalized === '.' || inProject === '.' || normalized === './') {
    throw invalidOption(
      owner,
      `replaces["${module}"]`,
      target,
      'Expected a folder inside the project such as "./greeting", or a GoLibrary\'s such as "../../libs/shared": the image build sees only the app\'s folder and the libraries it uses.',
    );
  }
  return normalized.startsWith('..') ? 'outside' : 'inside';
}

/** Folders Go never builds from, or that hold no package of the module's. */
const NOT_PACKAGES = new Set(['testdata', 'node_modules', 'bin', 'dist']);

/**
 * The module's package folders at the top level, read from disk: every
 * folder with a .go file at any depth (Go skips `.` and `_` folders and
 * testdata), `vendor/` when the module vendors, and `*.go` for a package
 * at the root. The build context carries them and nothing else.
 */
function goPackageFolders(outdir: string): string[] {
  const hasGo = (dir: string): boolean =>
    fs.readdirSync(dir, { withFileTypes: true }).some((e) =>
      !/^[._]/.test(e.name) && (e.isDirectory() ? !NOT_PACKAGES.has(e.name) && hasGo(path.join(dir, e.name)) : e.name.endsWith('.go')));
  if (!fs.existsSync(outdir)) {
    return [];
  }
  const found: string[] = [];
  for (const e of fs.readdirSync(outdir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (/^[._]/.test(e.name)) {
      continue;
    }
    if (e.isDirectory() && (e.name === 'vendor' ? fs.existsSync(path.join(outdir, 'vendor', 'modules.txt')) : !NOT_PACKAGES.has(e.name) && hasGo(path.join(outdir, e.name)))) {
      found.push(`${e.name}/`);
    } else if (e.isFile() && e.name.endsWith('.go')) {
      found.includes('*.go') || found.push('*.go');
    }
  }
  return found;
}
