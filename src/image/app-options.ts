import { AppMetadataOptions, ContainerOptions, ImageMetadata } from './container-image';
import { assertMatches, assertSingleLine, assertUrl } from '../validation';

const SPDX = /^[A-Za-z0-9.+() -]+$/;

/**
 * The metadata an app declares, validated once, for its manifest and its
 * image's OCI labels alike.
 *
 * @param owner what is being configured, for error messages
 * @param title the app's name
 * @param options what the user set
 * @param defaults the ecosystem's default description and version rule
 */
export function resolveMetadata(
  owner: string,
  title: string,
  options: AppMetadataOptions,
  defaults: { description: string; version: string; versionPattern: RegExp; versionRule: string },
): ImageMetadata {
  const version = options.version ?? defaults.version;
  assertMatches(owner, 'version', version, defaults.versionPattern, defaults.versionRule);
  const description = options.description ?? defaults.description;
  assertSingleLine(owner, 'description', description);
  if (options.license !== undefined) {
    assertMatches(owner, 'license', options.license, SPDX, 'Expected an SPDX license expression such as "MIT" or "Apache-2.0".');
  }
  if (options.repositoryUrl !== undefined) {
    assertUrl(owner, 'repositoryUrl', options.repositoryUrl);
  }
  return { title, version, description, source: options.repositoryUrl, licenses: options.license };
}

/**
 * The shared container options out of an ecosystem's options object, and
 * nothing else: an ecosystem's own fields (projen's `entrypoint`, say) must
 * not leak into the image's props.
 */
export function containerOptionsOf(options: ContainerOptions): ContainerOptions {
  return {
    port: options.port,
    healthCheckPath: options.healthCheckPath,
    imageName: options.imageName,
    imageRegistry: options.imageRegistry,
    dockerfileSyntax: options.dockerfileSyntax,
    imageLabels: options.imageLabels,
    runtimeUid: options.runtimeUid,
  };
}
