import * as path from 'path';
import type { ContainerImage } from './container-image';

/** Compose interpolates `$`: a literal one is written `$$`. */
export function composeLiteral(value: string): string {
  return value.split('$').join('$$');
}

/** A compose service of one image, and the named volumes it mounts (the file declares them). */
export interface ComposeServiceParts {
  readonly service: { [key: string]: any };
  readonly volumes: string[];
}

/** Where a compose file's service of an image sits. */
export interface ImageServiceOptions {
  /** The service's name, which its volumes' names start with. */
  readonly name: string;
  /** The app's folder (the build context, where its Dockerfile is), relative to the compose file's folder. */
  readonly folder: string;
  /** Publish the port on the host at the same number. */
  readonly publish: boolean;
}

/**
 * The compose service that builds and runs an image, from the image's own facts, for a project
 * type's `docker-compose.yml` and a workspace's `compose.yaml` alike:
 * - `build`: the app's folder as the context, its Dockerfile;
 * - `image`: the reference `docker:build` tags;
 * - `ports`: the port published at the same number, unless `publish` is false;
 * - `environment`: the runtime stage's own variables, taken literally as ENV takes them;
 * - `volumes`: a named volume (`<service>-<path>`) on each writable folder;
 * - `healthcheck`: the command and timings of the image's HEALTHCHECK, escape hatches included.
 *
 * Read at synthesis: the HEALTHCHECK is the one the Dockerfile ends up with.
 */
export function imageService(image: ContainerImage, { name, folder, publish }: ImageServiceOptions): ComposeServiceParts {
  const environment = Object.fromEntries(Object.entries(image.environment).map(([k, v]) => [k, composeLiteral(v)]));
  const mounts = image.writablePaths.map((target) => ({
    type: 'volume',
    source: `${name}-${target.replace(/^\//, '').replace(/[^A-Za-z0-9]+/g, '-')}`,
    target,
  }));
  const probe = image.healthCheck;
  const timings = image.healthCheckTimings;
  const service = {
    build: {
      context: folder === '.' ? '.' : `./${folder}`,
      dockerfile: path.posix.basename(image.dockerfile.path),
    },
    image: image.imageReference,
    ports: publish && image.port !== undefined ? [`${image.port}:${image.port}`] : undefined,
    environment: Object.keys(environment).length > 0 ? environment : undefined,
    volumes: mounts.length > 0 ? mounts : undefined,
    healthcheck: probe && timings ? {
      test: ['CMD', ...probe.map(composeLiteral)],
      interval: timings.interval,
      timeout: timings.timeout,
      start_period: timings.startPeriod,
      retries: timings.retries,
    } : undefined,
  };
  return { service, volumes: mounts.map((m) => m.source) };
}

/** The top-level `volumes` of a compose file: each named volume its services mount, with the engine's defaults. */
export function declaredVolumes(names: string[]): { [name: string]: {} } | undefined {
  return names.length > 0 ? Object.fromEntries(names.map((n) => [n, {}])) : undefined;
}
