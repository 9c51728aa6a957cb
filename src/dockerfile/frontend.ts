/**
 * The parser directives every generated Dockerfile starts with: which
 * Dockerfile frontend BuildKit builds it with (`# syntax=`), and that
 * BuildKit's build checks fail the build (`# check=`).
 */
import { BaseImage } from './base-image';
import { invalidOption, show } from '../validation';

/** The frontend image stagecraft names unless told otherwise: Docker's, latest 1.x. */
export const DEFAULT_FRONTEND = 'docker/dockerfile:1';

/**
 * The `# check=` directive: a warning of BuildKit's build checks fails the
 * build (`error=true`), so a user's Docker refuses what stagecraft's lint gate
 * refuses; engines without build checks (buildah, podman) read it as a comment.
 * CopyIgnoredFile is skipped: BuildKit 0.27 made it a default rule that flags
 * `COPY . ./` and `COPY go.sum* ./` under an allowlist .dockerignore (`*`, then
 * `!path`), which copies what they name; BuildKit 0.28 skips the rule itself
 * for any .dockerignore with `!` patterns, as stagecraft's always has.
 */
export const CHECK_DIRECTIVE = 'check=skip=CopyIgnoredFile;error=true';

/** Digest algorithms OCI registers, with the length of their hex encoding. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };

/**
 * The frontend image of a `# syntax=` directive, checked; undefined for ""
 * (no directive: BuildKit builds with the frontend built into the engine).
 * A reference with a tag or a digest, without variables (directives expand
 * none); a digest is an OCI-registered algorithm with its full length of
 * lowercase hex digits, as a pin that BuildKit can verify must be.
 */
export function frontendImage(owner: string, option: string, value: string): BaseImage | undefined {
  if (value === '') {
    return undefined;
  }
  const allowed = 'Expected a frontend image reference with a tag or a digest, such as "docker/dockerfile:1" or ' +
    '"mirror.example.com/docker/dockerfile:1.17@sha256:<64 hex digits>", or "" for no directive (the engine\'s built-in frontend).';
  let image: BaseImage;
  try {
    image = BaseImage.of(value);
  } catch {
    throw invalidOption(owner, option, value, allowed);
  }
  if (image.variables.length > 0) {
    throw invalidOption(owner, option, value, `A parser directive expands no variables. ${allowed}`);
  }
  if (!image.tag && !image.digest) {
    throw invalidOption(owner, option, value, `Without a tag, BuildKit would fetch whatever "latest" is. ${allowed}`);
  }
  if (image.digest) {
    const [algorithm, hex] = image.digest.split(':');
    const length = DIGEST_HEX_LENGTH[algorithm];
    if (length === undefined || hex.length !== length || !/^[0-9a-f]+$/.test(hex)) {
      throw invalidOption(owner, option, value,
        `The digest ${show(image.digest)} is not a pin BuildKit can verify: expected "sha256:" and 64 lowercase hex digits (or "sha512:" and 128).`);
    }
  }
  return image;
}
