import * as path from 'path';
import { FileBase, IResolver } from 'projen/lib/file';
import { Project } from 'projen/lib/project';
import { AppComponent } from '../image';
import { assertMatches, invalidOption } from '../validation';

/** Options of a {@link BakeFile}. */
export interface BakeFileOptions {
  /**
   * Platforms each target builds for: the default of the `PLATFORMS` variable (comma-separated
   * at build time). Several need a builder that can export them (a docker-container or remote
   * builder, or Docker's containerd image store).
   * @default ["linux/amd64"]
   */
  readonly platforms?: string[];

  /**
   * Attach SBOM and provenance attestations to every image: the default of the `ATTESTATIONS`
   * variable. They need a builder that can export them (not the plain `docker` driver).
   * @default false
   */
  readonly attestations?: boolean;

  /**
   * Where `CACHE_TYPE=local` keeps each target's cache (a folder per target): the default of the
   * `CACHE_DIR` variable.
   * @default ".buildx-cache"
   */
  readonly localCacheDir?: string;
}

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const CACHE_DIR = /^[A-Za-z0-9._][A-Za-z0-9._\/-]*$/;

/** The cache backends `CACHE_TYPE` chooses from; empty: no cache export (the engine's own cache). */
export const BAKE_CACHE_TYPES = ['registry', 'gha', 'local'];

/**
 * `docker-bake.hcl` at the project root: a target per app component (its
 * folder as the context, each library it uses as a named context, its
 * Dockerfile, its image name and version as the tag, the platforms), a `default` group of them all, and variables for what
 * changes between a laptop, CI and remote builders: `REGISTRY` and `TAG`
 * (the tag's prefix and, when set, the tag in place of each version),
 * `CACHE_TYPE` (`registry`, `gha` or `local` cache-from/cache-to, empty for
 * none), `CACHE_DIR`, `PLATFORMS` and `ATTESTATIONS` (SBOM and provenance).
 * Read from the components' facts at synthesis.
 */
export class BakeFile extends FileBase {
  /** The project's bake file, if it has one. */
  public static of(project: Project): BakeFile | undefined {
    return project.components.find((c): c is BakeFile => c instanceof BakeFile);
  }

  /** Platforms of every target (the `PLATFORMS` variable's default). */
  public readonly platforms: string[];
  /** Whether images carry SBOM and provenance attestations (the `ATTESTATIONS` variable's default). */
  public readonly attestations: boolean;
  /** The `CACHE_DIR` variable's default. */
  public readonly localCacheDir: string;

  constructor(project: Project, options: BakeFileOptions = {}) {
    super(project, 'docker-bake.hcl', { marker: true, readonly: true });
    const owner = 'BakeFile';
    this.platforms = options.platforms ?? ['linux/amd64'];
    if (!Array.isArray(this.platforms) || this.platforms.length === 0) {
      throw invalidOption(owner, 'platforms', this.platforms, 'Expected at least one platform such as "linux/amd64".');
    }
    this.platforms.forEach((p, i) => assertMatches(owner, `platforms[${i}]`, p, PLATFORM, 'Expected os/arch[/variant] such as "linux/amd64" or "linux/arm/v7".'));
    this.attestations = options.attestations ?? false;
    this.localCacheDir = options.localCacheDir ?? '.buildx-cache';
    assertMatches(owner, 'localCacheDir', this.localCacheDir, CACHE_DIR, 'Expected a relative folder of letters, digits and . _ / - such as ".buildx-cache".');
    if (this.localCacheDir.split('/').includes('..')) {
      throw invalidOption(owner, 'localCacheDir', this.localCacheDir, 'Expected a folder inside the project, without "..".');
    }
    project.addGitIgnore(`/${this.localCacheDir.replace(/\/+$/, '')}/`);
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    const components = AppComponent.all(this.project);
    const lines: string[] = [];
    if (this.marker) {
      lines.push(`# ${this.marker}`);
    }
    lines.push(
      '# Build every image: docker buildx bake. Each variable can be set in the environment,',
      '# e.g. REGISTRY=ghcr.io/acme TAG=1.2.3 CACHE_TYPE=gha docker buildx bake',
      '',
      ...variable('REGISTRY', '', 'Registry and path the tags start with, e.g. ghcr.io/acme; empty: local names'),
      ...variable('TAG', '', 'Tag of every image; empty: each component\'s version'),
      ...variable('CACHE_TYPE', '', `Build cache: ${BAKE_CACHE_TYPES.join(', ')}; empty: none beyond the builder's own`, [
        `contains(${hclList(['', ...BAKE_CACHE_TYPES])}, CACHE_TYPE)`,
        `CACHE_TYPE must be one of ${BAKE_CACHE_TYPES.join(', ')} or empty.`,
      ]),
      ...variable('CACHE_DIR', this.localCacheDir, 'Folder of the local cache (CACHE_TYPE=local), a subfolder per target'),
      ...variable('PLATFORMS', this.platforms.join(','), 'Platforms of every image, comma-separated'),
      ...variable('ATTESTATIONS', this.attestations, 'Attach SBOM and provenance attestations'),
      'function "repository" {',
      '  params = [name]',
      '  result = notequal(REGISTRY, "") ? "${REGISTRY}/${name}" : name',
      '}',
      '',
      'function "image" {',
      '  params = [name, version]',
      '  result = "${repository(name)}:${notequal(TAG, "") ? TAG : version}"',
      '}',
      '',
      'function "cache_from" {',
      '  params = [target, name]',
      '  result = equal(CACHE_TYPE, "gha") ? ["type=gha,scope=${target}"] : equal(CACHE_TYPE, "registry") ? ["type=registry,ref=${repository(name)}:buildcache"] : equal(CACHE_TYPE, "local") ? ["type=local,src=${CACHE_DIR}/${target}"] : []',
      '}',
      '',
      'function "cache_to" {',
      '  params = [target, name]',
      '  result = equal(CACHE_TYPE, "gha") ? ["type=gha,scope=${target},mode=max"] : equal(CACHE_TYPE, "registry") ? ["type=registry,ref=${repository(name)}:buildcache,mode=max"] : equal(CACHE_TYPE, "local") ? ["type=local,dest=${CACHE_DIR}/${target},mode=max"] : []',
      '}',
      '',
      'group "default" {',
      `  targets = ${hclList(components.map((c) => c.appId))}`,
      '}',
    );
    for (const c of components) {
      lines.push(
        '',
        `target ${hclString(c.appId)} {`,
        `  context    = ${hclString(c.folder)}`,
        `  dockerfile = ${hclString(path.posix.relative(c.folder, c.dockerfilePath))}`,
        `  tags       = [image(${hclString(c.imageName)}, ${hclString(c.imageTag)})]`,
        // Each library the app uses, as the named context its Dockerfile copies from: its folder alone.
        ...(c.libraries.length > 0 ? [`  contexts   = { ${c.libraries.map((u) => `${hclString(u.contextName)} = ${hclString(u.library.folder)}`).join(', ')} }`] : []),
        '  platforms  = split(",", PLATFORMS)',
        `  cache-from = cache_from(${hclString(c.appId)}, ${hclString(c.imageName)})`,
        `  cache-to   = cache_to(${hclString(c.appId)}, ${hclString(c.imageName)})`,
        '  attest     = ATTESTATIONS ? ["type=sbom", "type=provenance,mode=max"] : []',
        '}',
      );
    }
    return `${lines.join('\n')}\n`;
  }
}

function variable(name: string, value: string | boolean, description: string, validation?: [condition: string, message: string]): string[] {
  const lines = [`variable ${hclString(name)} {`, `  description = ${hclString(description)}`, `  default     = ${typeof value === 'boolean' ? String(value) : hclString(value)}`];
  if (validation) {
    lines.push('  validation {', `    condition     = ${validation[0]}`, `    error_message = ${hclString(validation[1])}`, '  }');
  }
  return [...lines, '}', ''];
}

/** An HCL string literal: quotes and backslashes escaped, and `${` / `%{` written so HCL does not expand them. */
function hclString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\$\{/g, '$${')
    .replace(/%\{/g, '%%{');
  return `"${escaped}"`;
}

function hclList(values: string[]): string {
  return `[${values.map(hclString).join(', ')}]`;
}
