import * as path from 'path';
import { Project } from 'projen/lib/project';
import { YamlFile } from 'projen/lib/yaml';
import { AppComponent } from '../image';
import { ComposeServiceParts, declaredVolumes, imageService } from '../image/compose-service';
import { invalidOption } from '../validation';

/** Options of a {@link ComposeFile}. */
export interface ComposeFileOptions {
  /**
   * Publish each service's port on the host at the same number (`"8000:8000"`).
   * @default true
   */
  readonly publishPorts?: boolean;

  /**
   * Add `develop.watch` to each service: `docker compose watch` rebuilds and replaces its
   * container when a file of its build context changes.
   * @default true
   */
  readonly watch?: boolean;

  /**
   * Compose profile of the command-line apps (no port): `docker compose up` starts the services
   * alone, so `up --wait` is not failed by a job that has done its work and exited;
   * `docker compose run --rm <id>` runs a job, `--profile <name>` starts them with the services.
   * An empty string puts them with the services.
   * @default "jobs"
   */
  readonly jobsProfile?: string;
}

/**
 * `compose.yaml` at the project root: a service for each app component of
 * the project, read from the components' typed facts at synthesis (so a
 * component added later in `.projenrc.ts` is included):
 * - the image's own service, as a project type's `docker-compose.yml` has it: `build` (context =
 *   the component's folder, its Dockerfile), `image`, `ports`, `environment`, a named volume on
 *   each writable folder, and `healthcheck` (the very command and timings of its HEALTHCHECK);
 * - each library it uses as a `build.additional_contexts` entry;
 * - one URL per {@link AppComponent.connectTo} in `environment`, and `depends_on` with
 *   `condition: service_healthy`;
 * - `develop.watch`: a rebuild when a file of the build context changes.
 *
 * A YamlFile, not projen's DockerCompose: that one has no `healthcheck`, no
 * `depends_on` condition and no `develop` section.
 */
export class ComposeFile extends YamlFile {
  /** The project's compose file, if it has one. */
  public static of(project: Project): ComposeFile | undefined {
    return project.components.find((c): c is ComposeFile => c instanceof ComposeFile);
  }

  constructor(project: Project, options: ComposeFileOptions = {}) {
    const publish = options.publishPorts ?? true;
    const watch = options.watch ?? true;
    const jobs = options.jobsProfile ?? 'jobs';
    if (jobs !== '' && !/^[a-z0-9][a-z0-9_.-]*$/.test(jobs)) {
      throw invalidOption('ComposeFile', 'jobsProfile', jobs, 'Expected a compose profile name: lowercase letters, digits and _ . -, starting with a letter or digit (or "" for none).');
    }
    super(project, 'compose.yaml', { obj: () => renderCompose(project, { publish, watch, jobs }) });
  }
}

interface RenderOptions {
  readonly publish: boolean;
  readonly watch: boolean;
  readonly jobs: string;
}

/** `compose.yaml`'s content, from the components' facts. */
function renderCompose(project: Project, options: RenderOptions): any {
  const services: { [name: string]: any } = {};
  const volumes: string[] = [];
  for (const c of AppComponent.all(project)) {
    const rendered = renderService(c, options);
    services[c.appId] = rendered.service;
    volumes.push(...rendered.volumes);
  }
  return { services, volumes: declaredVolumes(volumes) };
}

/** The image's own service (see {@link imageService}), with what the workspace adds: connections, libraries, watch and the jobs profile. */
function renderService(c: AppComponent, { publish, watch, jobs }: RenderOptions): ComposeServiceParts {
  const { service, volumes } = imageService(c.image, { name: c.appId, folder: c.folder, publish });
  const environment: { [name: string]: string } = { ...service.environment };
  for (const connection of c.connections) {
    environment[connection.env] = connection.url;
  }
  const dependsOn: { [name: string]: any } = {};
  for (const connection of c.connections) {
    dependsOn[connection.target.appId] = { condition: 'service_healthy' };
  }
  // Every image installs or compiles its sources (a wheel, a Go binary, tsc's output): a file synced into
  // the container would change nothing that runs, so a change to the build context rebuilds the image.
  // A library's build files (a pattern such as Go's "**/*.go": its whole folder), not its venv or caches.
  const libraryPaths = c.libraries.flatMap((u) => u.library.buildFiles.map((f) => `./${f.includes('*') ? u.library.folder : path.posix.join(u.library.folder, f)}`));
  const paths = [...new Set([...c.buildContext.map((entry) => `./${path.posix.join(c.folder, entry)}`), ...libraryPaths])];
  // Each library the app uses, as the named context its Dockerfile copies from (relative to the project, as `context` is).
  const contexts = Object.fromEntries(c.libraries.map((u) => [u.contextName, `./${u.library.folder}`]));
  return {
    service: {
      profiles: c.port === undefined && jobs !== '' ? [jobs] : undefined,
      ...service,
      build: { ...service.build, additional_contexts: c.libraries.length > 0 ? contexts : undefined },
      environment: Object.keys(environment).length > 0 ? environment : undefined,
      depends_on: Object.keys(dependsOn).length > 0 ? dependsOn : undefined,
      develop: watch && paths.length > 0 ? { watch: paths.map((p) => ({ action: 'rebuild', path: p.replace(/\/$/, '') })) } : undefined,
    },
    volumes,
  };
}
