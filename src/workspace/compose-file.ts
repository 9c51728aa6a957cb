import * as path from 'path';
import { Project } from 'projen/lib/project';
import { YamlFile } from 'projen/lib/yaml';
import { AppComponent } from '../image';
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
}

/** A compose service name that is also the host name other services reach it by: a DNS label. */
const SERVICE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * `compose.yaml` at the project root: a service for each app component of
 * the project, read from the components' typed facts at synthesis (so a
 * component added later in `.projenrc.ts` is included):
 * - `build` (context = the component's folder, its Dockerfile) and `image` (its reference);
 * - `ports`, `environment` (the image's own, plus one URL per {@link AppComponent.connectTo});
 * - `depends_on` with `condition: service_healthy` for each connection;
 * - `healthcheck`: the very command and timings of the image's HEALTHCHECK;
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
    super(project, 'compose.yaml', { obj: () => renderCompose(project, publish, watch) });
  }

  /** Checks every component before anything is written: service names, and host ports published twice. */
  public preSynthesize(): void {
    super.preSynthesize();
    assertServices(AppComponent.all(this.project));
  }
}

/** Refuses what compose (or the host) would refuse, naming the component. */
export function assertServices(components: AppComponent[]): void {
  const ports = new Map<number, AppComponent>();
  const ids = new Map<string, AppComponent>();
  for (const c of components) {
    const owner = `${c.constructor.name} "${c.appId}"`;
    if (!SERVICE_NAME.test(c.appId)) {
      throw invalidOption(owner, 'id', c.appId, 'A compose service and bake target is named after it, and other services reach it by that host name: expected lowercase letters, digits and "-" (at most 63, not starting or ending with "-").');
    }
    const same = ids.get(c.appId);
    if (same) {
      throw invalidOption(owner, 'id', c.appId, `${same.constructor.name} "${same.appId}" has it already: ids name compose services and bake targets, and must differ.`);
    }
    ids.set(c.appId, c);
    if (c.port !== undefined) {
      const other = ports.get(c.port);
      if (other) {
        throw invalidOption(owner, 'port', c.port, `${other.constructor.name} "${other.appId}" listens on it already: both are published on the host's port, so give each component a port of its own.`);
      }
      ports.set(c.port, c);
    }
  }
}

/** Compose interpolates `$`: a literal one is written `$$`. */
function literal(value: string): string {
  return value.split('$').join('$$');
}

/** `compose.yaml`'s content, from the components' facts. */
function renderCompose(project: Project, publish: boolean, watch: boolean): any {
  const services: { [name: string]: any } = {};
  for (const c of AppComponent.all(project)) {
    services[c.appId] = renderService(c, publish, watch);
  }
  return { services };
}

function renderService(c: AppComponent, publish: boolean, watch: boolean): any {
  const image = c.image;
  const dockerfile = path.posix.relative(c.folder, image.dockerfile.path);
  const environment: { [name: string]: string } = {};
  for (const [name, value] of Object.entries(image.environment)) {
    environment[name] = literal(value);
  }
  for (const connection of c.connections) {
    environment[connection.env] = connection.url;
  }
  const dependsOn: { [name: string]: any } = {};
  for (const connection of c.connections) {
    dependsOn[connection.target.appId] = { condition: 'service_healthy' };
  }
  const probe = image.healthCheck;
  const timings = image.healthCheckTimings;
  const healthcheck = probe && timings ? {
    test: ['CMD', ...probe.map(literal)],
    interval: timings.interval,
    timeout: timings.timeout,
    start_period: timings.startPeriod,
    retries: timings.retries,
  } : undefined;
  // Every image installs or compiles its sources (a wheel, a Go binary, tsc's output): a file synced into
  // the container would change nothing that runs, so a change to the build context rebuilds the image.
  const paths = c.buildContext.map((entry) => `./${path.posix.join(c.folder, entry)}`);
  return {
    build: { context: c.folder === '.' ? '.' : `./${c.folder}`, dockerfile },
    image: c.imageReference,
    ports: publish && c.port !== undefined ? [`${c.port}:${c.port}`] : undefined,
    environment: Object.keys(environment).length > 0 ? environment : undefined,
    depends_on: Object.keys(dependsOn).length > 0 ? dependsOn : undefined,
    healthcheck,
    develop: watch && paths.length > 0 ? { watch: paths.map((p) => ({ action: 'rebuild', path: p.replace(/\/$/, '') })) } : undefined,
  };
}
