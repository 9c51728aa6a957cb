import { DependencyType } from 'projen/lib/dependencies';
import { Project } from 'projen/lib/project';
import { TomlFile } from 'projen/lib/toml';
import { HEALTH_PROBE, HEALTH_PROBE_SOURCE } from './health-probe';
import { DockerfileStage, Instruction, RunMount } from '../dockerfile';
import { AppComponent, AppComponentOptions, AppMetadataOptions, AppProjectKind, ContainerImage, LanguageVersion, RuntimeCopy, RuntimeUser } from '../image';
import { DISTROLESS_STATIC_IMAGE, SEMVER, resolveMetadata } from '../image/app-options';
import { COMPILED_PROBE, ProbeSourceFile, compiledProbe, staticBinaryCheck } from '../image/probe-source';
import { StubFile } from '../stubs';
import { assertMatches, assertMaxLength, assertUrl, invalidOption } from '../validation';

/** How the binary is linked, and the distroless image it runs on. */
export enum RustRuntime {
  /**
   * A glibc binary, dynamically linked, on `gcr.io/distroless/cc-debian12:nonroot` (glibc,
   * libgcc, libssl; no shell): every crate works, C libraries and DNS names included.
   */
  DISTROLESS_CC = 'distroless-cc',
  /**
   * A static binary (glibc's `crt-static`) on `gcr.io/distroless/static-debian12:nonroot`: a
   * smaller base, but glibc cannot load its name-service modules in a static binary, so host
   * names other than IP addresses and /etc/hosts entries do not resolve, and crates that link a
   * shared C library fail to build.
   */
  DISTROLESS_STATIC = 'distroless-static',
}

/** Options of a {@link RustApp}. */
export interface RustAppOptions extends AppComponentOptions, AppMetadataOptions {
  /**
   * Rust version: Cargo.toml's `rust-version` and the builder image's tag (edition 2024 needs 1.85).
   * @default "1.85"
   * @pjnew "1.85"
   */
  readonly rustVersion?: string;

  /**
   * Name of the package and its binary (`src/main.rs`): the image's ENTRYPOINT.
   * @default - the project name
   * @featured
   */
  readonly binaryName?: string;

  /**
   * Dependencies, `name@requirement` (e.g. "cfg-if@1.0"), written to `[dependencies]`. More can be added with
   * `addDependency`, and for the app at the project's root with `project.deps.addDependency(spec, DependencyType.RUNTIME)`.
   * @default - none
   * @featured
   */
  readonly deps?: string[];

  /**
   * How the binary is linked and what it runs on. The default links glibc dynamically on
   * distroless cc, because that is what the builder's only standard library
   * (x86_64-unknown-linux-gnu: the official image's and Debian's rustc ship no musl one) builds
   * for every crate; `RustRuntime.DISTROLESS_STATIC` trades name resolution and C libraries for a
   * base about 20 MB smaller.
   * @default RustRuntime.DISTROLESS_CC
   */
  readonly runtime?: RustRuntime;

  /**
   * A sparse crate registry that replaces crates.io, e.g. an org's mirror
   * (`https://crates.example.com/index/`). Written as cargo source replacement in
   * `.cargo/config.toml`, which cargo reads on the developer's machine and in the builder;
   * Cargo.lock keeps naming crates.io, so the lock does not change with the mirror.
   * @default - crates.io
   * @featured
   */
  readonly crateRegistry?: string;

  /**
   * Debian release of the official Rust image for the builder: "bookworm" or "trixie". The default
   * is the runtime's release (distroless `-debian12`): a glibc binary needs the runtime's glibc to
   * be at least as new as the builder's.
   * @default "bookworm"
   */
  readonly builderImageVariant?: string;
}

const OWNER = 'RustApp';
const MIN_RUST_MINOR = 85;
const MAX_RUST_MINOR = 97;
/** Cargo's package names: ASCII letters, digits, `-` and `_`, not starting with a digit. */
const CRATE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** A cargo version requirement: comma-separated comparators such as `1.0`, `^1.2.3`, `>=0.4, <0.6`, `=1.0.0-rc.1`. */
const VERSION_REQ = /^(?:[=^~]|[<>]=?)?\s*\d+(?:\.(?:\d+|\*))?(?:\.(?:\d+|\*))?(?:-[0-9A-Za-z.-]+)?(?:\s*,\s*(?:[=^~]|[<>]=?)?\s*\d+(?:\.(?:\d+|\*))?(?:\.(?:\d+|\*))?(?:-[0-9A-Za-z.-]+)?)*$|^\*$/;
const VARIANT = /^(?:bookworm|trixie)$/;
const CARGO_HOME = '/usr/local/cargo';
const SRC = '/src';
const BIN_DIR = '/app';
const REGISTRY_SOURCE = 'crate-mirror';

/**
 * A Rust binary, built by cargo in the official Rust image and packaged on distroless.
 *
 * The Rust version drives Cargo.toml's `rust-version` and the builder's tag;
 * the dependency layer is built from Cargo.toml and Cargo.lock alone (the
 * "dummy main" recipe with plain cargo), so a source edit rebuilds only the
 * app's crate; the cargo registry and `target/` are cache mounts, and the
 * binary is copied out of `target/` in the step that builds it. The runtime
 * is distroless cc (or static) as non-root, the binary its ENTRYPOINT.
 *
 * Builder instruction ids: `env`, `workdir`, `copy-cargo-config` (with
 * `crateRegistry`), `copy-manifest`, `check-lock`, `build-deps`,
 * `copy-sources`, `build`; with a port also `copy-probe`, `build-probe`.
 * Runtime: see {@link ContainerImage}.
 */
export class RustApp extends AppComponent {
  /** Package and binary name. */
  public readonly binaryName: string;
  /** Rust version. */
  public readonly rustVersion: string;
  /** How the binary is linked and what it runs on. */
  public readonly runtime: RustRuntime;
  /** The crate registry that replaces crates.io, if one is set. */
  public readonly crateRegistry?: string;
  /** Cargo.toml. */
  public readonly cargoToml: TomlFile;
  /** `.cargo/config.toml`, with `crateRegistry`. */
  public readonly cargoConfig?: TomlFile;
  /** The builder stage. */
  public readonly builderStage: DockerfileStage;

  /**
   * @param project the project the app is part of
   * @param id the app's id: its folder's default name (`apps/<id>`) and its tasks' prefix
   * @param options the app's options
   */
  constructor(project: Project, id: string, options: RustAppOptions = {}) {
    super(project, id, { owner: OWNER, options, projectKind: AppProjectKind.NON_NODE, subprojectType: 'RustAppProject' });
    const name = this.name;
    const home = this.homeProject;
    this.binaryName = options.binaryName ?? name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z_]+/, '');
    const binaryOption = options.binaryName !== undefined ? 'binaryName' : `binaryName (derived from name ${JSON.stringify(name)})`;
    assertMatches(this.owner, binaryOption, this.binaryName, CRATE_NAME, 'Expected a cargo package name: ASCII letters, digits, "_" and "-", not starting with a digit.');
    assertMaxLength(this.owner, binaryOption, this.binaryName, 64);

    this.rustVersion = options.rustVersion ?? '1.85';
    const rustRule = `Expected a Rust version "1.N" or "1.N.P" with N from ${MIN_RUST_MINOR} (edition 2024) to ${MAX_RUST_MINOR}.`;
    if (!/^1\.\d+(?:\.\d+)?$/.test(this.rustVersion)) {
      throw invalidOption(this.owner, 'rustVersion', this.rustVersion, rustRule);
    }
    const rustVersion = LanguageVersion.parse(this.owner, 'rustVersion', this.rustVersion);
    if (rustVersion.parts[1] < MIN_RUST_MINOR || rustVersion.parts[1] > MAX_RUST_MINOR) {
      throw invalidOption(this.owner, 'rustVersion', this.rustVersion, rustRule);
    }

    this.runtime = options.runtime ?? RustRuntime.DISTROLESS_CC;
    if (!Object.values(RustRuntime).includes(this.runtime)) {
      throw invalidOption(this.owner, 'runtime', this.runtime, `Expected one of ${Object.values(RustRuntime).join(', ')}.`);
    }
    const variant = options.builderImageVariant ?? 'bookworm';
    assertMatches(this.owner, 'builderImageVariant', variant, VARIANT, 'Expected "bookworm" or "trixie".');
    if (options.crateRegistry !== undefined) {
      assertUrl(this.owner, 'crateRegistry', options.crateRegistry, 'Give the registry URL alone; cargo reads a token from its credentials file or CARGO_REGISTRIES_<NAME>_TOKEN.');
      this.crateRegistry = options.crateRegistry.endsWith('/') ? options.crateRegistry : `${options.crateRegistry}/`;
    }
    this.declareDependencies(options.deps);

    const metadata = resolveMetadata(this.owner, name, options, {
      description: `${name}: a Rust binary built by stagecraft`,
      versionPattern: SEMVER,
      versionRule: 'Expected a semantic version such as "0.1.0" or "1.2.0-rc.1".',
    });

    // --- Cargo.toml: lazy, so dependencies added later still land in it.
    this.cargoToml = new TomlFile(home, this.filePath('Cargo.toml'), {
      omitEmpty: true,
      obj: () => ({
        package: {
          'name': this.binaryName,
          'version': metadata.version,
          'edition': '2024',
          'rust-version': this.rustVersion,
          'description': metadata.description,
          'license': metadata.licenses,
          'repository': metadata.source,
          'publish': false,
        },
        dependencies: Object.fromEntries(this.dependencies().map((d) => [d.name, d.requirement])),
        // Smaller binary: symbols and debug info never reach the image.
        profile: { release: { strip: true } },
      }),
    });
    if (this.crateRegistry) {
      this.cargoConfig = new TomlFile(home, this.filePath('.cargo/config.toml'), {
        obj: {
          source: {
            'crates-io': { 'replace-with': REGISTRY_SOURCE },
            [REGISTRY_SOURCE]: { registry: `sparse+${this.crateRegistry}` },
          },
        },
      });
    }

    // --- Builder: the official Rust image, on the runtime's Debian release (glibc) by default.
    const builder = new DockerfileStage('builder', {
      from: ContainerImage.baseImage(options, `rust:${rustVersion.minor}-slim-${variant}`),
    });
    // Set here, not taken from the image: the cache mounts below are at fixed paths.
    builder.addInstruction(Instruction.env({ CARGO_HOME, CARGO_TERM_COLOR: 'never' }), 'env');
    builder.addInstruction(Instruction.workdir(SRC), 'workdir');
    const caches = [RunMount.cache({ target: `${CARGO_HOME}/registry` }), RunMount.cache({ target: `${SRC}/target` })];
    // A service (one with a port) gets stagecraft's probe: built here, copied to the runtime, sent in the context.
    const probe = this.port !== undefined;
    if (probe) {
      new ProbeSourceFile(home, this.filePath(HEALTH_PROBE_SOURCE), HEALTH_PROBE);
      builder.addInstruction(Instruction.copy([HEALTH_PROBE_SOURCE], '/healthprobe/main.rs'), 'copy-probe');
      builder.addInstruction(
        Instruction.run(['mkdir -p /out', `rustc --edition 2021 -C opt-level=s -C strip=symbols ${this.runtime === RustRuntime.DISTROLESS_STATIC ? '-C target-feature=+crt-static ' : ''}-o ${COMPILED_PROBE.built} /healthprobe/main.rs`]),
        'build-probe',
      );
    }
    if (this.crateRegistry) {
      builder.addInstruction(Instruction.copy(['.cargo/config.toml'], './.cargo/'), 'copy-cargo-config');
    }
    // The dependency layer depends on Cargo.toml and Cargo.lock alone: a source edit reuses it.
    builder.addInstruction(Instruction.copy(['Cargo.toml', 'Cargo.lock*'], './'), 'copy-manifest');
    builder.addInstruction(
      Instruction.run([`test -f Cargo.lock || { echo "Cargo.lock is missing: run 'npx projen ${this.taskName('lock')}' and commit Cargo.lock" >&2; exit 1; }`]),
      'check-lock',
    );
    // static: crt-static for the target only (`--target`), so build scripts and proc macros stay dynamic, as they must.
    const isStatic = this.runtime === RustRuntime.DISTROLESS_STATIC;
    const cargoBuild = isStatic
      ? 'RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target "$(rustc -vV | sed -n \'s/^host: //p\')"'
      : 'cargo build --release --locked';
    // "Dummy main": compiles every dependency with a placeholder main.rs; --locked fails on a stale Cargo.lock.
    builder.addInstruction(
      Instruction.run(['mkdir -p src', 'echo "fn main() {}" > src/main.rs', cargoBuild, 'rm -rf src'], { mounts: caches }),
      'build-deps',
    );
    builder.addInstruction(Instruction.copy(['src'], './src'), 'copy-sources');
    const out = `/out/${this.binaryName}`;
    const built = isStatic ? `target/*/release/${this.binaryName}` : `target/release/${this.binaryName}`;
    const buildSteps = [
      // COPY keeps the context's modification times, which can be older than the placeholder's build.
      'touch src/main.rs',
      cargoBuild,
      // target/ is a cache mount, not part of the layer: the binary leaves it in this step.
      'mkdir -p /out',
      `cp ${built} ${out}`,
    ];
    if (isStatic) {
      buildSteps.push(
        ...staticBinaryCheck(out, `${out} is dynamically linked; distroless static has no C library. Use RustRuntime.DISTROLESS_CC.`),
      );
    }
    builder.addInstruction(Instruction.run(buildSteps, { mounts: caches }), 'build');
    this.builderStage = builder;

    const copies: RuntimeCopy[] = [];
    const compiled = compiledProbe();
    if (probe) {
      copies.push(compiled.copy);
    }
    copies.push({ fromStage: 'builder', source: out, destination: `${BIN_DIR}/${this.binaryName}`, id: 'binary' });
    const runtimeImage = isStatic ? DISTROLESS_STATIC_IMAGE : 'gcr.io/distroless/cc-debian12:nonroot';

    this.createImage({
      ecosystem: 'rust',
      languageVersion: rustVersion,
      metadata,
      packageSource: { url: this.crateRegistry, publicIndex: 'crates.io', file: '.cargo/config.toml' },
      buildStages: [builder],
      payload: {
        image: ContainerImage.baseImage(options, runtimeImage),
        user: RuntimeUser.existing(options.runtimeUid ?? RuntimeUser.DISTROLESS_NONROOT_UID),
        copies,
        entrypoint: [`${BIN_DIR}/${this.binaryName}`],
        buildOnlyTools: ['cargo', 'rustc'],
        workdir: BIN_DIR,
      },
      defaultSizeBudgetMb: 100,
      // No shell or curl in the image: stagecraft's own probe.
      healthProbe: compiled.healthProbe,
      context: [
        'Cargo.toml',
        'Cargo.lock',
        'src/',
        ...(this.crateRegistry ? ['.cargo/config.toml'] : []),
        ...(probe ? [HEALTH_PROBE_SOURCE] : []),
      ],
      contextExcludes: ['**/target'],
    });

    // --- Tasks: cargo does the work.
    this.addAppTask('lock', { description: 'Resolve dependencies into Cargo.lock (commit it)', exec: 'cargo generate-lockfile' });
    this.addAppTask('install', { description: 'Download the crates Cargo.lock names', exec: 'cargo fetch --locked' });
    this.lifecycleTask('compile').exec('cargo build --locked');
    this.lifecycleTask('test').exec('cargo test --locked');
    this.addGitIgnore('/target/');

    if (this.sampleCode) {
      const context = { ...this.stubContext(), binaryName: this.binaryName, version: metadata.version };
      new StubFile(home, this.filePath('src/main.rs'), 'rust/main.rs.hbs', context, this.stubId('rust:main'));
      new StubFile(home, this.filePath('README.md'), 'rust/README.md.hbs', context, this.stubId('readme'));
      // Without dependencies the lock is known now: a new project builds its image before cargo ever runs.
      if (this.dependencies().length === 0) {
        new StubFile(home, this.filePath('Cargo.lock'), 'rust/Cargo.lock.hbs', context, this.stubId('rust:lock'));
      }
    }
  }

  protected checkDependencies(): void {
    this.dependencies();
  }

  /** Runtime dependencies, parsed and validated, sorted by name. */
  private dependencies(): Array<{ name: string; requirement: string }> {
    return this.declaredDependencies
      .filter((d) => d.type === DependencyType.RUNTIME)
      .map((d) => {
        assertMatches(this.owner, 'dependency name', d.name, CRATE_NAME, 'Expected a crate name: ASCII letters, digits, "_" and "-".');
        assertMaxLength(this.owner, 'dependency name', d.name, 64);
        if (d.version === undefined || !VERSION_REQ.test(d.version)) {
          throw invalidOption(this.owner, `version requirement of ${d.name}`, d.version, 'Expected a cargo version requirement such as "1.0", "^1.2.3" or ">=0.4, <0.6" (name@requirement).');
        }
        return { name: d.name, requirement: d.version };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
