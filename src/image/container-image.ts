import * as path from 'path';
import { Component } from 'projen/lib/component';
import { IgnoreFile } from 'projen/lib/ignore-file';
import { Project } from 'projen/lib/project';
import { Task } from 'projen/lib/task';
import { TaskShell } from 'projen/lib/task-shell';
import { YamlFile } from 'projen/lib/yaml';
import { DEFAULT_HEALTH_PATH, HEALTH_URL, assertContainerOptions, defaultImageName } from './app-options';
import { declaredVolumes, imageService } from './compose-service';
import { ImageVerification, VERIFY_START_SECONDS } from './image-verification';
import { RuntimeUser } from './runtime-user';
import { BaseImage, Dockerfile, DockerfileStage, HealthcheckOptions, Instruction } from '../dockerfile';
import { DEFAULT_FRONTEND } from '../dockerfile/frontend';
import { assertMatches, invalidOption } from '../validation';

/**
 * Container options every app type shares. Ecosystem option structs extend
 * this, so a port or an image name means the same for a Poetry, Node or Go app.
 */
export interface ContainerOptions {
  /**
   * TCP port the app listens on. Drives EXPOSE, the HEALTHCHECK and `docker:run`'s port mapping.
   * @default - the app type's: none for a Poetry, Go, Rust or Java app (a command-line app: no EXPOSE, no HEALTHCHECK), 3000 for a Node service, 8080 for a static site
   * @featured
   */
  readonly port?: number;

  /**
   * HTTP path the HEALTHCHECK requests when a port is set: an absolute URL path of letters, digits
   * and `- . _ ~ ! $ & ' ( ) * + , ; = : @ /`, at most 1024 characters. Probes, stubs and nginx.conf
   * take it as data, never as code.
   * @default "/healthz"
   */
  readonly healthCheckPath?: string;

  /**
   * Name of the image `docker:build` tags.
   * @default - the project name; for an app in a folder, "<project name>-<id>"
   */
  readonly imageName?: string;

  /**
   * Registry prefix for every base image stagecraft picks (an image named explicitly is used as
   * named), e.g. an internal mirror `mirror.example.com/dockerhub`.
   * @default - Docker Hub
   */
  readonly imageRegistry?: string;

  /**
   * The Dockerfile's `# syntax=` directive: the frontend image BuildKit pulls to build it, an image
   * like the base images. It needs a tag or a digest; a digest pins it
   * (`mirror.example.com/docker/dockerfile:1.17@sha256:...`). The default is under `imageRegistry`
   * as the base images are; an image named here is used as named. The org policies
   * `Policy.allowedRegistries` and `Policy.pinnedDigests` check it. An empty string leaves the
   * directive out, for a build host that cannot reach the image: BuildKit then builds with the
   * frontend built into the engine, which has everything the generated Dockerfile uses.
   * @default "docker/dockerfile:1", under `imageRegistry` when that is set
   */
  readonly dockerfileSyntax?: string;

  /**
   * Extra labels on the image, beside the OCI labels read from the manifest.
   * @default - none
   */
  readonly imageLabels?: { [key: string]: string };

  /**
   * Numeric uid (and gid) of the non-root user the runtime stage runs as.
   * @default 10001, or the base image's own unprivileged user where it has one
   */
  readonly runtimeUid?: number;

  /**
   * Environment variables the app runs with: the runtime stage's ENV (values taken literally, `$`
   * included) and the compose service's `environment`. With a port, `PORT` is set from it: set
   * `port`, not `environment.PORT`. Credentials do not belong here (they would stay in the image):
   * pass them at run time.
   * @default - none beyond `PORT` and what the ecosystem sets
   */
  readonly environment?: { [name: string]: string };

  /**
   * Folders the app writes to at run time (absolute paths in the image, e.g. "/app/var" or
   * "/var/lib/my-app"): created empty and owned by the runtime user, and a named volume each in
   * the compose file, so data outlives the container. Everything else stays root-owned and
   * read-only to the app, the venv and node_modules included: point the app's data here.
   * @default - none: the app can write only to /tmp
   */
  readonly writablePaths?: string[];

  /**
   * Default arguments the app starts with: appended to the image's CMD (after a Go binary's
   * ENTRYPOINT, they are the CMD). `docker run IMAGE ARGS...` replaces them.
   * @default - none
   */
  readonly commandArgs?: string[];

  /**
   * Largest size of the built image that `npx projen verify` accepts, in MB of 10^6 bytes (as
   * `docker images` counts them, uncompressed): a whole number from 1 to 100000.
   * @default - the app type's: 400 for a Poetry app, 500 for a Node service, 300 for a static site, 100 for a Go or Rust app, 350 for a Java app
   */
  readonly imageSizeBudgetMb?: number;
}

/** A path the runtime stage copies from a build stage. */
export interface RuntimeCopy {
  /** The build stage to copy from. */
  readonly fromStage: string;
  /** Path in that stage. */
  readonly source: string;
  /**
   * Path in the runtime stage.
   * @default - the same as `source`
   */
  readonly destination?: string;
  /**
   * Id of the COPY instruction, for escape hatches.
   * @default - "copy-<n>"
   */
  readonly id?: string;
}

/** What an app says about itself: its manifest and its image's OCI labels both read it. */
export interface AppMetadataOptions {
  /**
   * Version of the app: the manifest's version and the image's version label and tag.
   * @default "0.1.0"
   */
  readonly version?: string;

  /**
   * One-line description, at most 512 characters (PyPI's limit): the manifest, the image's
   * description label, and the stubs' docstrings and comments (escaped for each language).
   * @default - a sentence naming the app
   */
  readonly description?: string;

  /**
   * License, an SPDX expression: the manifest and the image's licenses label.
   * @default - none
   */
  readonly license?: string;

  /**
   * Repository URL: the manifest and the image's source label. A URL with credentials
   * (`user:password@`, or a query such as `?token=...`) is refused.
   * @default - none
   */
  readonly repositoryUrl?: string;
}

/** Facts about the app that become OCI image labels. */
export interface ImageMetadata {
  /** `org.opencontainers.image.title`. */
  readonly title: string;
  /** `org.opencontainers.image.version`. */
  readonly version: string;
  /**
   * `org.opencontainers.image.description`.
   * @default - no label
   */
  readonly description?: string;
  /**
   * `org.opencontainers.image.source`: the repository URL.
   * @default - no label
   */
  readonly source?: string;
  /**
   * `org.opencontainers.image.licenses`: an SPDX expression.
   * @default - no label
   */
  readonly licenses?: string;
}

/** What an ecosystem construct supplies to {@link ContainerImage}. */
export interface ContainerImageProps extends ContainerOptions {
  /**
   * What the user configures, named in error messages (e.g. `PoetryApp`).
   * @default "ContainerImage"
   */
  readonly owner?: string;
  /** The ecosystem, e.g. `python`: what org policies select on. */
  readonly ecosystem: string;
  /** The language version the app targets (Python, Node, Go version). */
  readonly languageVersion: string;
  /**
   * The package index the app installs from.
   * @default - the ecosystem's public registry
   * @deprecated set `packageSource`, which also says which file names the index
   */
  readonly packageIndex?: string;
  /**
   * Where the app installs its packages from, for an ecosystem that can be pointed at a package
   * index: what `Policy.packageIndex` checks.
   * @default - none: the app cannot be pointed at an index, and `Policy.packageIndex` has nothing to judge
   */
  readonly packageSource?: PackageSource;
  /** Build stages, in order, before the runtime stage. */
  readonly buildStages: DockerfileStage[];
  /** Image of the runtime stage. */
  readonly runtimeImage: BaseImage;
  /** User of the runtime stage. */
  readonly runtimeUser: RuntimeUser;
  /** Paths copied from build stages into the runtime stage: nothing else reaches it. */
  readonly copies: RuntimeCopy[];
  /**
   * Environment of the runtime stage, one ENV instruction. `$NAME` references are expanded by Docker.
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
   * Exec-form probe the HEALTHCHECK runs when `port` is set; it gets the URL
   * through a `{url}` argument (`http://127.0.0.1:<port><path>`), or the port
   * and path through `{port}` and `{path}` placeholders. Put them in an
   * argument of their own (the URL), never inside code such as `python -c`:
   * an argument is data, whatever the path holds.
   * @default - no HEALTHCHECK
   */
  readonly healthCheckCommand?: string[];
  /**
   * Timing of the HEALTHCHECK.
   * @default { interval: "30s", timeout: "5s", startPeriod: "10s", retries: 3 }
   */
  readonly healthCheckOptions?: HealthcheckOptions;
  /** Labels read from the manifest. */
  readonly metadata: ImageMetadata;
  /**
   * Tag `docker:build` gives the image.
   * @default - `metadata.version`
   */
  readonly imageTag?: string;
  /**
   * Working directory of the runtime stage.
   * @default "/app"
   */
  readonly workdir?: string;
  /** Paths (relative to the project) the build context holds; everything else is in `.dockerignore`. */
  readonly context: string[];
  /**
   * Patterns excluded even inside `context` (caches, bytecode).
   * @default - none
   */
  readonly contextExcludes?: string[];
  /**
   * Name of the runtime stage.
   * @default "runtime"
   */
  readonly runtimeStageName?: string;
  /**
   * Programs the build stages need and the runtime must not hold, e.g. `poetry` or `go`: what
   * `npx projen verify` looks for in the image, beside the C compilers it always looks for.
   * Leave out what the runtime's base image ships (a Node image's npm).
   * @default - the C compilers only
   */
  readonly buildOnlyTools?: string[];
  /**
   * Flags `docker:build` passes to the engine, e.g. `--secret id=npmrc,src=$HOME/.npmrc`; more
   * can be added with `addBuildFlag`.
   * @default - none
   */
  readonly buildFlags?: string[];
  /**
   * The app's folder, relative to the project (posix): the Dockerfile, .dockerignore and `.stagecraft/` files are written there, and it is the build context and the tasks' working directory.
   * @default "."
   */
  readonly folder?: string;
  /**
   * What the tasks are named after: `<taskPrefix>:docker:build`, `<taskPrefix>:verify`, ...
   * @default - no prefix: `docker:build`
   */
  readonly taskPrefix?: string;
  /**
   * Write `docker-compose.yml` for an app with a port (an app of several is in the project's own compose file instead).
   * @default true
   */
  readonly compose?: boolean;
}

/** Where an app installs its packages from: an index it can be pointed at, or the ecosystem's public one. */
export interface PackageSource {
  /**
   * URL of the index the app installs from.
   * @default - the public index, `publicIndex`
   */
  readonly url?: string;
  /** Name of the ecosystem's public index, e.g. "PyPI": what the app installs from without `url`. */
  readonly publicIndex: string;
  /** The generated file that names the index, e.g. "pyproject.toml". */
  readonly file: string;
}

/** C compilers: no runtime image needs one, whatever built it. */
const C_COMPILERS = ['gcc', 'g++', 'cc', 'c++', 'clang'];
/** `imageSizeBudgetMb` for a direct user of ContainerImage; each app type sets its own. */
const DEFAULT_SIZE_BUDGET_MB = 500;

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PROGRAM_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/**
 * The container image of an app: its Dockerfile, `.dockerignore`, the
 * runtime stage every app shares and the `docker:build`/`docker:run`/`verify` tasks.
 *
 * The runtime stage always has the same shape: a non-root user, a working
 * directory, only the listed paths copied from build stages, the app's
 * environment, EXPOSE and HEALTHCHECK when there is a port, OCI labels and
 * an exec-form CMD/ENTRYPOINT. Ecosystems supply only what differs.
 *
 * Instruction ids in the runtime stage: `user-setup`, `workdir`, `env`,
 * `user`, `expose`, `healthcheck`, `labels`, `entrypoint`, `cmd`, then the copy ids.
 */
export class ContainerImage extends Component {
  /** The project's container image, if it has one. */
  public static of(project: Project): ContainerImage | undefined {
    return project.components.find((c): c is ContainerImage => c instanceof ContainerImage);
  }

  /**
   * A base image under the options' registry prefix: how every ecosystem
   * turns an image name into the reference it writes after FROM.
   */
  public static baseImage(options: ContainerOptions, reference: string): BaseImage {
    const image = BaseImage.of(reference);
    return options.imageRegistry ? image.withRegistryPrefix(options.imageRegistry) : image;
  }

  /** The Dockerfile model. */
  public readonly dockerfile: Dockerfile;
  /** The `.dockerignore` file. */
  public readonly dockerignore: IgnoreFile;
  /** The runtime stage: the image that ships. */
  public readonly runtimeStage: DockerfileStage;
  /** `name:tag` that `docker:build` produces. */
  public readonly imageReference: string;
  /** Name of the image `docker:build` tags. */
  public readonly imageName: string;
  /** Tag `docker:build` gives the image. */
  public readonly imageTag: string;
  /** TCP port the app listens on; undefined for a command-line app. */
  public readonly port?: number;
  /** HTTP path the HEALTHCHECK requests when there is a port. */
  public readonly healthCheckPath: string;
  /** The non-root user the runtime stage is set up to run as. */
  public readonly runtimeUser: RuntimeUser;
  /** Where the app installs its packages from, when its ecosystem can be pointed at an index. */
  public readonly packageSource?: PackageSource;
  private readonly buildFlags: string[];
  private buildCommand: string;

  /** The `docker:build` task. */
  public readonly buildTask: Task;
  /** The `docker:run` task. */
  public readonly runTask: Task;
  /** The `verify` task: builds the image, then checks the image against the model's facts and prints a report. */
  public readonly verifyTask: Task;
  /** The ecosystem, e.g. `python`. */
  public readonly ecosystem: string;
  /** The language version the app targets. */
  public readonly languageVersion: string;
  /** The package index the app installs from, if it names one. */
  public readonly packageIndex?: string;
  /** The app's folder, relative to the project that holds the image (posix): the build context. */
  public readonly folder: string;
  /** `docker-compose.yml`, for an app with a port: its service is the one a workspace's `compose.yaml` has. */
  public readonly compose?: YamlFile;
  /** Folders the app writes to at run time (`writablePaths`): owned by the runtime user, a named volume each in compose. */
  public readonly writablePaths: string[];
  /** The OCI labels the image carries. */
  public readonly labels: { [key: string]: string };
  /** The app's own environment (`PORT` and the `environment` option): the runtime stage's ENV and compose's `environment`. */
  public readonly environment: { [name: string]: string };

  constructor(project: Project, props: ContainerImageProps) {
    super(project, props.folder && props.folder !== '.' ? `ContainerImage@${props.folder}` : 'ContainerImage');
    const owner = props.owner ?? 'ContainerImage';
    assertContainerOptions(owner, props);
    const healthPath = props.healthCheckPath ?? DEFAULT_HEALTH_PATH;
    const imageName = props.imageName ?? defaultImageName(project.name);
    this.imageName = imageName;
    this.imageTag = props.imageTag ?? props.metadata.version;
    this.port = props.port;
    this.healthCheckPath = healthPath;
    this.runtimeUser = props.runtimeUser;
    const imageTag = this.imageTag;
    assertMatches(owner, 'imageTag', imageTag, IMAGE_TAG, 'Expected a tag of letters, digits, "_", "." and "-" (at most 128).');
    const buildOnlyTools = props.buildOnlyTools ?? [];
    buildOnlyTools.forEach((tool, i) => assertMatches(owner, `buildOnlyTools[${i}]`, tool, PROGRAM_NAME, 'Expected a program name such as "poetry" or "g++".'));
    if (!props.command && !props.entrypoint) {
      throw invalidOption(owner, 'command', undefined, 'A runtime stage needs a command or an entrypoint.');
    }
    this.imageReference = `${imageName}:${imageTag}`;
    for (const name of Object.keys(props.environment ?? {})) {
      if (name in (props.env ?? {}) || (name === 'PORT' && props.port !== undefined)) {
        throw invalidOption(owner, 'environment', name, `${name} is set by stagecraft${name === 'PORT' ? ' from port' : ''}: ${name === 'PORT' ? 'set port instead' : 'the image needs its value'}.`);
      }
    }
    this.environment = { ...(props.port !== undefined ? { PORT: String(props.port) } : {}), ...props.environment };
    this.ecosystem = props.ecosystem;
    this.languageVersion = props.languageVersion;
    this.packageSource = props.packageSource;
    this.packageIndex = props.packageSource ? props.packageSource.url : props.packageIndex;

    const folder = props.folder ?? '.';
    this.folder = folder;
    const inFolder = (file: string) => (folder === '.' ? file : path.posix.join(folder, file));
    const taskName = (name: string) => (props.taskPrefix ? `${props.taskPrefix}:${name}` : name);
    const cwd = folder === '.' ? {} : { cwd: folder };
    this.dockerfile = new Dockerfile(project, { fileName: inFolder('Dockerfile'), syntax: props.dockerfileSyntax ?? ContainerImage.baseImage(props, DEFAULT_FRONTEND).reference });
    for (const stage of props.buildStages) {
      this.dockerfile.addStage(stage);
    }

    const stage = new DockerfileStage(props.runtimeStageName ?? 'runtime', { from: props.runtimeImage });
    const setup = props.runtimeUser.setupInstruction();
    if (setup) {
      stage.addInstruction(setup, 'user-setup');
    }
    stage.addInstruction(Instruction.workdir(props.workdir ?? '/app'), 'workdir');
    // The ecosystem's variables may expand ($PATH); the user's are taken literally.
    const env = { ...props.env, ...this.environment };
    if (Object.keys(env).length > 0) {
      stage.addInstruction(Instruction.env(env, { expand: Object.keys(props.env ?? {}) }), 'env');
    }
    stage.addInstruction(props.runtimeUser.userInstruction(), 'user');
    const probe = props.port !== undefined && props.healthCheckCommand
      ? props.healthCheckCommand.map((a) => a.split(HEALTH_URL).join('http://127.0.0.1:{port}{path}').split('{port}').join(String(props.port)).split('{path}').join(healthPath))
      : undefined;
    if (props.port !== undefined) {
      stage.addInstruction(Instruction.expose(props.port), 'expose');
      if (probe) {
        stage.addInstruction(
          Instruction.healthcheck(probe, {
            interval: '30s',
            timeout: '5s',
            startPeriod: '10s',
            retries: 3,
            ...props.healthCheckOptions,
          }),
          'healthcheck',
        );
      }
    }
    this.labels = { ...ociLabels(props.metadata, props.runtimeImage), ...props.imageLabels };
    stage.addInstruction(Instruction.label(this.labels), 'labels');
    if (props.entrypoint) {
      stage.addInstruction(Instruction.entrypoint(props.entrypoint), 'entrypoint');
    }
    const args = props.commandArgs ?? [];
    const cmd = props.command || args.length > 0 ? [...props.command ?? [], ...args] : undefined;
    if (cmd) {
      stage.addInstruction(Instruction.cmd(cmd), 'cmd');
    }
    // Writable folders: made in a stage of their own (the runtime may have no shell) and copied as the
    // runtime user's. COPY --chown also gives the user the parents it creates, and an existing folder it
    // copies into: the parents come first, root's, then each folder alone, the user's.
    const writable = props.writablePaths ?? [];
    this.writablePaths = [...writable];
    if (writable.length > 0) {
      const parents = [...new Set(writable.map((p) => path.posix.dirname(p)).filter((d) => d !== '/'))];
      const maker = new DockerfileStage('writable', { from: props.buildStages[0]?.from ?? props.runtimeImage });
      const dirs = [...parents.map((d) => `/writable/parents${d}`), ...writable.map((_p, i) => `/writable/${i + 1}`)];
      maker.addInstruction(Instruction.run([`mkdir -p ${dirs.join(' ')}`]), 'mkdir');
      this.dockerfile.addStage(maker);
      if (parents.length > 0) {
        stage.addInstruction(Instruction.copy(['/writable/parents/'], '/', { from: 'writable' }), 'writable-parents');
      }
      writable.forEach((p, i) => {
        stage.addInstruction(Instruction.copy([`/writable/${i + 1}`], p, { from: 'writable', chown: `${props.runtimeUser.uid}:${props.runtimeUser.gid}` }), `writable-${i + 1}`);
      });
    }
    // What the build produced comes last: a new build of the app re-does only these layers,
    // and the metadata above stays cached. COPY ignores USER: the files stay root-owned, read-only to the app.
    props.copies.forEach((copy, i) => {
      stage.addInstruction(
        Instruction.copy([copy.source], copy.destination ?? copy.source, { from: copy.fromStage }),
        copy.id ?? `copy-${i + 1}`,
      );
    });
    this.dockerfile.addStage(stage);
    this.runtimeStage = stage;

    // An allowlist: the context holds what the build reads and nothing else.
    this.dockerignore = new IgnoreFile(project, inFolder('.dockerignore'));
    this.dockerignore.addPatterns('*');
    for (const entry of props.context) {
      this.dockerignore.addPatterns(`!${entry}`);
    }
    this.dockerignore.addPatterns(...(props.contextExcludes ?? []));

    // A service gets a compose file to run it locally; a command-line app does not.
    const serviceName = imageName.split('/').pop()!;
    if (props.port !== undefined && (props.compose ?? true)) {
      this.compose = new YamlFile(project, 'docker-compose.yml', {
        obj: () => {
          const { service, volumes } = imageService(this, { name: serviceName, folder, publish: true });
          return { services: { [serviceName]: service }, volumes: declaredVolumes(volumes) };
        },
      });
    }

    this.buildTask = project.addTask(taskName('docker:build'), {
      ...cwd,
      description: `Build the ${this.imageReference} image (engine: $CONTAINER_ENGINE, default docker, docker format on podman and buildah; extra flags: $CONTAINER_BUILD_FLAGS)`,
      // POSIX parameter expansion: projen's built-in shell does not do ${VAR:-default}.
      shell: TaskShell.sh(),
    });
    this.buildFlags = [];
    (props.buildFlags ?? []).forEach((flag, i) => this.buildFlags.push(checkedBuildFlag(owner, `buildFlags[${i}]`, flag)));
    this.buildCommand = this.renderBuildCommand();
    this.buildTask.exec(this.buildCommand);
    const engine = '${CONTAINER_ENGINE:-docker}';
    const publish = props.port !== undefined ? ` --publish ${props.port}:${props.port}` : '';
    this.runTask = project.addTask(taskName('docker:run'), {
      ...cwd,
      description: `Run the ${this.imageReference} image`,
      exec: `${engine} run --rm${publish} ${this.imageReference}`,
      shell: TaskShell.sh(),
    });

    this.verifyTask = new ImageVerification(project, {
      buildTask: this.buildTask,
      folder,
      taskName: taskName('verify'),
      expectations: {
        image: this.imageReference,
        user: props.runtimeUser.spec,
        command: [...props.entrypoint ?? [], ...cmd ?? []],
        service: props.port !== undefined ? { port: props.port, healthCheck: probe } : undefined,
        buildOnlyTools: [...C_COMPILERS, ...buildOnlyTools.filter((t) => !C_COMPILERS.includes(t))],
        sizeBudgetMb: props.imageSizeBudgetMb ?? DEFAULT_SIZE_BUDGET_MB,
        startSeconds: VERIFY_START_SECONDS,
      },
    }).task;
  }

  /** Adds a flag to `docker:build`'s command, e.g. `--secret id=npmrc,src=$HOME/.npmrc`. */
  public addBuildFlag(flag: string): void {
    this.buildFlags.push(checkedBuildFlag('ContainerImage', 'build flag', flag));
    // The step this image wrote, found by its own value: steps others add around it stay as they are.
    const index = this.buildTask.steps.findIndex((step) => step.exec === this.buildCommand);
    this.buildCommand = this.renderBuildCommand();
    if (index >= 0) {
      this.buildTask.updateStep(index, { ...this.buildTask.steps[index], exec: this.buildCommand });
    }
  }

  /**
   * The user the shipped image runs as: the runtime stage's last USER, escape hatches included;
   * undefined when it has none.
   */
  public get runtimeUserSpec(): string | undefined {
    const users = this.runtimeStage.instructions.filter((i) => i._facts.user !== undefined);
    const last = users.length > 0 ? users[users.length - 1]._facts : undefined;
    return last === undefined ? undefined : [last.user, last.group].filter((part) => part !== undefined).join(':');
  }

  /** The HEALTHCHECK's probe command, escape hatches included; undefined when the image has none (or `HEALTHCHECK NONE`). */
  public get healthCheck(): string[] | undefined {
    const checks = this.runtimeStage.instructions.filter((i) => i.keyword === 'HEALTHCHECK');
    return checks.length > 0 ? checks[checks.length - 1]._facts.exec : undefined;
  }

  /**
   * The HEALTHCHECK's timings as its instruction writes them, escape hatches included (an unset
   * field is Docker's default); undefined when the image has no probe.
   */
  public get healthCheckTimings(): HealthcheckOptions | undefined {
    const checks = this.runtimeStage.instructions.filter((i) => i.keyword === 'HEALTHCHECK');
    const last = checks.length > 0 ? checks[checks.length - 1]._facts : undefined;
    return last?.exec ? { ...last.healthcheck } : undefined;
  }

  private renderBuildCommand(): string {
    const flags = ['${CONTAINER_BUILD_FLAGS:-}', ...this.buildFlags].join(' ');
    // podman and buildah build OCI images by default, which drop HEALTHCHECK with nothing but a
    // warning: never ship an image without the probe its Dockerfile declares. buildah (unlike
    // podman) also keeps no layer cache unless told: every build would be a cold one.
    const format = 'case "${CONTAINER_ENGINE:-docker}" in *buildah) format="--format docker --layers" ;; *podman) format="--format docker" ;; *) format="" ;; esac';
    // Run in the app's folder, the build context, where the Dockerfile is.
    return `${format}; \${CONTAINER_ENGINE:-docker} build $format ${flags} --file ${path.posix.basename(this.dockerfile.path)} --tag ${this.imageReference} .`;
  }
}

function checkedBuildFlag(owner: string, option: string, flag: string): string {
  if (typeof flag !== 'string' || /[\r\n;&|`]/.test(flag)) {
    throw invalidOption(owner, option, flag, 'Expected one flag, without command separators.');
  }
  return flag;
}

function ociLabels(metadata: ImageMetadata, base: BaseImage): { [key: string]: string } {
  const labels: { [key: string]: string } = {
    'org.opencontainers.image.title': metadata.title,
    'org.opencontainers.image.version': metadata.version,
  };
  if (metadata.description) {
    labels['org.opencontainers.image.description'] = metadata.description;
  }
  if (metadata.source) {
    labels['org.opencontainers.image.source'] = metadata.source;
  }
  if (metadata.licenses) {
    labels['org.opencontainers.image.licenses'] = metadata.licenses;
  }
  labels['org.opencontainers.image.base.name'] = base.reference;
  return labels;
}
