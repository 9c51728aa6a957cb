import { variableRefs } from './syntax';
import { invalidOption } from '../validation';

// docker/distribution reference grammar, with `${NAME}` allowed where an ARG may stand.
const VAR = '\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}';
const DOMAIN = `(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?|${VAR})(?:\\.(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?|${VAR}))*(?::[0-9]+)?)`;
const COMPONENT = `(?:(?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)|${VAR})+`;
const TAG = `(?:[A-Za-z0-9_]|${VAR})(?:[A-Za-z0-9_.-]|${VAR}){0,127}`;
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** Parts of an image reference, for {@link BaseImage.fromParts}. */
export interface BaseImageParts {
  /**
   * Registry host (and optional port or path prefix is not allowed here: use `repository`).
   * @default - Docker Hub
   */
  readonly registry?: string;
  /** Repository path, e.g. `library/python` or `python`. */
  readonly repository: string;
  /**
   * Tag, e.g. `3.13-slim`.
   * @default - no tag (the linter reports an untagged image)
   */
  readonly tag?: string;
  /**
   * Content digest, e.g. `sha256:...`; pins the image exactly.
   * @default - not pinned by digest
   */
  readonly digest?: string;
}

/**
 * An image a stage starts FROM, as a validated reference. Immutable: the
 * `with*` methods return a new image.
 */
export class BaseImage {
  /**
   * Parses an image reference such as `python:3.13-slim`,
   * `registry.example.com/team/python:3.13-slim@sha256:...` or
   * `${BASE_IMAGE}` (an ARG declared before the first FROM).
   */
  public static of(reference: string): BaseImage {
    if (typeof reference !== 'string') {
      throw invalidOption('BaseImage', 'reference', reference, 'Expected an image reference such as "python:3.13-slim".');
    }
    const m = REFERENCE.exec(reference);
    if (!m) {
      throw invalidOption(
        'BaseImage',
        'reference',
        reference,
        'Expected an image reference "[registry/]repository[:tag][@sha256:digest]" in lowercase, e.g. "python:3.13-slim".',
      );
    }
    let [, registry, repository, tag, digest] = m;
    // A first path component without a dot, colon or "localhost" is a Docker Hub namespace, not a registry.
    if (registry && !/[.:]|^localhost$|\$\{/.test(registry)) {
      repository = `${registry}/${repository}`;
      registry = undefined as any;
    }
    return new BaseImage({ registry, repository, tag, digest });
  }

  /** Builds a reference from its parts (each validated as in {@link BaseImage.of}). */
  public static fromParts(parts: BaseImageParts): BaseImage {
    const ref =
      (parts.registry ? `${parts.registry}/` : '') +
      parts.repository +
      (parts.tag ? `:${parts.tag}` : '') +
      (parts.digest ? `@${parts.digest}` : '');
    return BaseImage.of(ref);
  }

  /** Registry host, if not Docker Hub. */
  public readonly registry?: string;
  /** Repository path. */
  public readonly repository: string;
  /** Tag, if any. */
  public readonly tag?: string;
  /** Digest, if pinned. */
  public readonly digest?: string;

  private constructor(parts: BaseImageParts) {
    this.registry = parts.registry;
    this.repository = parts.repository;
    this.tag = parts.tag;
    this.digest = parts.digest;
  }

  /** The reference as written after FROM. */
  public get reference(): string {
    return (
      (this.registry ? `${this.registry}/` : '') +
      this.repository +
      (this.tag ? `:${this.tag}` : '') +
      (this.digest ? `@${this.digest}` : '')
    );
  }

  /** The last path component of the repository, e.g. `python` for `mirror.example/library/python`. */
  public get shortName(): string {
    const parts = this.repository.split('/');
    return parts[parts.length - 1];
  }

  /** `scratch`: Docker's empty image, which the build creates and never pulls (no registry, no tag, no digest to pin). */
  public get isScratch(): boolean {
    return this.reference === 'scratch';
  }

  /** Variables (ARGs) the reference uses. */
  public get variables(): string[] {
    return variableRefs(this.reference);
  }

  /** The same image pinned to a digest. */
  public withDigest(digest: string): BaseImage {
    return BaseImage.fromParts({ registry: this.registry, repository: this.repository, tag: this.tag, digest });
  }

  /**
   * The same repository and tag under a registry prefix, e.g. an internal
   * mirror `mirror.example.com/dockerhub`: `python:3.13-slim` becomes
   * `mirror.example.com/dockerhub/python:3.13-slim`.
   */
  public withRegistryPrefix(prefix: string): BaseImage {
    const clean = prefix.replace(/\/+$/, '');
    if (!clean) {
      return this;
    }
    const current = this.registry ? `${this.registry}/${this.repository}` : this.repository;
    return BaseImage.of(`${clean}/${current}` + (this.tag ? `:${this.tag}` : '') + (this.digest ? `@${this.digest}` : ''));
  }

  public toString(): string {
    return this.reference;
  }
}
