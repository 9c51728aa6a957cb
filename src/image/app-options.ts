import type { AppMetadataOptions, ContainerOptions, ImageMetadata } from './container-image';
import { assertNonRootId } from './runtime-user';
import { BaseImage, Instruction } from '../dockerfile';
import { frontendImage } from '../dockerfile/frontend';
import { assertVariableName } from '../dockerfile/syntax';
import { MAX_LINE, assertMatches, assertMaxLength, assertPort, assertSingleLine, assertUrl, invalidOption, show } from '../validation';

const SPDX = /^[A-Za-z0-9.+() -]+$/;

/** A component's id (an app's or a library's): a DNS label, so a folder name and a compose service (a host name on its network) alike. */
export const COMPONENT_ID = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A relative folder inside the project, of names that are not hidden and not "..". */
export const PROJECT_FOLDER = /^[A-Za-z0-9_][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

/** distroless's static image, as its own non-root user: CA certificates, tzdata, no shell, no C library (Go's and Rust's static binaries). */
export const DISTROLESS_STATIC_IMAGE = 'gcr.io/distroless/static-debian12:nonroot';

/** An app's or a library's version unless it sets one. */
export const DEFAULT_VERSION = '0.1.0';

/** A semantic version, with an optional pre-release (`1.2.0`, `1.2.0-rc.1`): Go, Rust and npm versions. */
export const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/**
 * The metadata an app declares, validated once, for its manifest and its
 * image's OCI labels alike.
 *
 * @param owner what is being configured, for error messages
 * @param title the app's name
 * @param options what the user set
 * @param defaults the ecosystem's default description and version rule, its default version where
 *   it is not {@link DEFAULT_VERSION}, and the name of its repository option where it is not
 *   `repositoryUrl`
 */
export function resolveMetadata(
  owner: string,
  title: string,
  options: AppMetadataOptions,
  defaults: { description: string; version?: string; versionPattern: RegExp; versionRule: string; repositoryOption?: string },
): ImageMetadata {
  const version = options.version ?? defaults.version ?? DEFAULT_VERSION;
  assertMatches(owner, 'version', version, defaults.versionPattern, defaults.versionRule);
  const description = options.description ?? defaults.description;
  // PyPI refuses a summary longer than 512 characters; the image label and package.json take the same.
  assertSingleLine(owner, 'description', description, 512);
  if (options.license !== undefined) {
    assertMatches(owner, 'license', options.license, SPDX, 'Expected an SPDX license expression such as "MIT" or "Apache-2.0".');
    assertMaxLength(owner, 'license', options.license, 256);
  }
  if (options.repositoryUrl !== undefined) {
    assertUrl(owner, defaults.repositoryOption ?? 'repositoryUrl', options.repositoryUrl);
  }
  return { title, version, description, source: options.repositoryUrl, licenses: options.license };
}

const IMAGE_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** An absolute URL path of RFC 3986 path characters: it reaches probes, stubs and nginx.conf as data, never as code. */
const HEALTH_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@\/-]*$/;

/**
 * The argument of a health probe's command that stands for the URL it requests: the app's port and
 * health path on the container's loopback (`http://127.0.0.1:<port><path>`), filled in by the image.
 */
export const HEALTH_URL = '{url}';

/** The default of `healthCheckPath`: the one place it is written. */
export const DEFAULT_HEALTH_PATH = '/healthz';

/**
 * Checks the options every app shares, naming the option as the user wrote
 * it and what it configures (`owner`): called by each ecosystem before it
 * uses any of them, and by {@link ContainerImage} for direct users.
 */
export function assertContainerOptions(owner: string, options: ContainerOptions): void {
  if (options.port !== undefined) {
    assertPort(owner, 'port', options.port);
  }
  const healthPath = options.healthCheckPath ?? DEFAULT_HEALTH_PATH;
  assertMatches(owner, 'healthCheckPath', healthPath, HEALTH_PATH, 'Expected an absolute URL path such as "/healthz": letters, digits and - . _ ~ ! $ & \' ( ) * + , ; = : @ /.');
  assertMaxLength(owner, 'healthCheckPath', healthPath, 1024);
  if (options.imageName !== undefined) {
    assertMatches(owner, 'imageName', options.imageName, IMAGE_NAME, 'Expected a lowercase image name such as "my-app" or "team/my-app".');
    // A reference is at most 255 characters (distribution's rule), the tag and registry included.
    assertMaxLength(owner, 'imageName', options.imageName, 128);
  }
  if (options.imageRegistry !== undefined) {
    let ok = typeof options.imageRegistry === 'string' && options.imageRegistry.length <= 128;
    try {
      ok = ok && BaseImage.of('python:3.13-slim').withRegistryPrefix(options.imageRegistry).reference.length > 0 && options.imageRegistry.trim() !== '';
    } catch {
      ok = false;
    }
    if (!ok) {
      throw invalidOption(owner, 'imageRegistry', options.imageRegistry, 'Expected a registry host with an optional path, in lowercase, e.g. "mirror.example.com/dockerhub" (at most 128 characters).');
    }
  }
  for (const [key, value] of Object.entries(options.imageLabels ?? {})) {
    const where = `imageLabels[${show(key)}]`;
    if (typeof value !== 'string') {
      throw invalidOption(owner, where, value, 'Expected a string value.');
    }
    assertMaxLength(owner, `${where} key`, key, 256);
    assertMaxLength(owner, where, value, MAX_LINE);
    try {
      Instruction.label({ [key]: value });
    } catch (e) {
      throw invalidOption(owner, 'imageLabels key', key, 'Expected letters, digits and . _ / - (e.g. "com.example.team").');
    }
  }
  for (const [name, value] of Object.entries(options.environment ?? {})) {
    assertVariableName(owner, 'environment', name, 'an environment variable name');
    if (typeof value !== 'string') {
      throw invalidOption(owner, `environment[${show(name)}]`, value, 'Expected a string value.');
    }
    assertSingleLine(owner, `environment[${show(name)}]`, value);
  }
  const writable = options.writablePaths ?? [];
  if (!Array.isArray(writable)) {
    throw invalidOption(owner, 'writablePaths', writable, 'Expected an array of absolute folders.');
  }
  writable.forEach((p, i) => {
    assertMatches(owner, `writablePaths[${i}]`, p, /^(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/, 'Expected an absolute folder of letters, digits and . _ - such as "/app/var" (not "/", no "..").');
    assertMaxLength(owner, `writablePaths[${i}]`, p, 256);
    if (['/bin', '/dev', '/etc', '/lib', '/proc', '/sbin', '/sys', '/usr'].some((system) => p === system || p.startsWith(`${system}/`))) {
      throw invalidOption(owner, `writablePaths[${i}]`, p, 'A system folder must not be writable by the app: use a folder of its own such as "/var/lib/my-app".');
    }
    const other = writable.findIndex((q, j) => j !== i && (q === p || p.startsWith(`${q}/`)));
    if (other >= 0) {
      throw invalidOption(owner, `writablePaths[${i}]`, p, `It is ${writable[other] === p ? 'listed twice' : `inside writablePaths[${other}] "${writable[other]}", which is writable already`}.`);
    }
  });
  if (options.commandArgs !== undefined) {
    if (!Array.isArray(options.commandArgs)) {
      throw invalidOption(owner, 'commandArgs', options.commandArgs, 'Expected an array of arguments.');
    }
    options.commandArgs.forEach((arg, i) => {
      if (typeof arg !== 'string') {
        throw invalidOption(owner, `commandArgs[${i}]`, arg, 'Expected a string.');
      }
      assertSingleLine(owner, `commandArgs[${i}]`, arg);
    });
  }
  if (options.runtimeUid !== undefined) {
    assertNonRootId(owner, 'runtimeUid', options.runtimeUid);
  }
  if (options.dockerfileSyntax !== undefined) {
    frontendImage(owner, 'dockerfileSyntax', options.dockerfileSyntax);
  }
  const budget = options.imageSizeBudgetMb;
  if (budget !== undefined && (!Number.isInteger(budget) || budget < 1 || budget > 100000)) {
    throw invalidOption(owner, 'imageSizeBudgetMb', budget, 'Expected a whole number of MB (10^6 bytes, as "docker images" counts them) from 1 to 100000.');
  }
}

/**
 * The shared container options out of an ecosystem's options object, checked
 * and named for `owner`, and nothing else: an ecosystem's own fields
 * (projen's `entrypoint`, say) must not leak into the image's props.
 */
export function containerOptionsOf(owner: string, options: ContainerOptions): ContainerOptions {
  assertContainerOptions(owner, options);
  return {
    port: options.port,
    healthCheckPath: options.healthCheckPath,
    imageName: options.imageName,
    imageRegistry: options.imageRegistry,
    dockerfileSyntax: options.dockerfileSyntax,
    imageLabels: options.imageLabels,
    runtimeUid: options.runtimeUid,
    environment: options.environment,
    commandArgs: options.commandArgs,
    writablePaths: options.writablePaths,
    imageSizeBudgetMb: options.imageSizeBudgetMb,
  };
}

/** A valid image name from a project name: lowercase, other characters become "-". */
export function defaultImageName(projectName: string): string {
  const name = projectName
    .toLowerCase()
    .replace(/[^a-z0-9._\/-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return name || 'app';
}
