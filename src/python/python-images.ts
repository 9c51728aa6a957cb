import { PythonVersion, parsePythonVersion } from './python-version';
import { BaseImage } from '../dockerfile';
import { ContainerImage, ContainerOptions } from '../image';
import { invalidOption, userError } from '../validation';

/** C library family of an image: a venv and its compiled wheels only move within one. */
type Libc = 'glibc' | 'musl';

export interface PythonImage {
  readonly image: BaseImage;
  readonly version: PythonVersion;
  readonly variant: string;
  readonly libc: Libc;
  /** Debian release named by the tag, if any (bookworm, trixie); undefined means the image's default. */
  readonly release?: string;
}

const VARIANT = /^(?:(slim)(?:-(bookworm|trixie|bullseye))?|(bookworm|trixie|bullseye)|(alpine)(\d+\.\d+)?)$/;

export function assertVariant(owner: string, option: string, variant: string): void {
  if (typeof variant !== 'string' || !VARIANT.test(variant)) {
    throw invalidOption(
      owner,
      option,
      variant,
      'Expected an official Python image variant: "slim", "slim-bookworm", "slim-trixie", "bookworm", "trixie", "alpine" or "alpine3.N".',
    );
  }
}

/** The official `python:<version>-<variant>` image, under the options' registry prefix. */
export function officialPythonImage(options: ContainerOptions, version: PythonVersion, variant: string, owner: string, option: string): PythonImage {
  assertVariant(owner, option, variant);
  return describe(ContainerImage.baseImage(options, `python:${version.tag}-${variant}`), owner, option);
}

/** Reads the Python version and variant from an explicit image's tag; the image is used as named, without the registry prefix. */
export function explicitPythonImage(reference: string, owner: string, option: string): PythonImage {
  let image: BaseImage;
  try {
    image = BaseImage.of(reference);
  } catch (e) {
    throw invalidOption(owner, option, reference, `Expected an image reference such as "python:3.13-slim". ${(e as Error).message}`);
  }
  return describe(image, owner, option);
}

function describe(image: BaseImage, owner: string, option: string): PythonImage {
  const m = /^(\d+\.\d+(?:\.\d+)?)-(.+)$/.exec(image.tag ?? '');
  if (!m || !VARIANT.test(m[2])) {
    throw invalidOption(
      owner,
      option,
      image.reference,
      'Cannot tell its Python version and variant: use a tag of the official form "<python version>-<variant>", e.g. "3.13-slim" or "3.13-slim-bookworm".',
    );
  }
  const version = parsePythonVersion(owner, `${option} (Python version in its tag)`, m[1]);
  const v = VARIANT.exec(m[2])!;
  const alpine = v[4] !== undefined;
  return { image, version, variant: m[2], libc: alpine ? 'musl' : 'glibc', release: v[2] ?? v[3] };
}

/**
 * A venv copied from builder to runtime works only between identical
 * interpreters on the same C library: same Python minor (and patch if
 * pinned), same libc family, same Debian release.
 */
export function assertVenvCompatible(owner: string, builder: PythonImage, builderOption: string, runtime: PythonImage, runtimeOption: string): void {
  const pair = `${builderOption} "${builder.image.reference}" and ${runtimeOption} "${runtime.image.reference}"`;
  if (builder.libc !== runtime.libc) {
    throw userError(
      `${owner}: ${pair} use different C libraries (${builder.libc} and ${runtime.libc}). ` +
        'The venv built in the builder, with its compiled wheels, only runs on the same C library: a glibc (Debian) builder with an Alpine (musl) runtime ships an image whose dependencies fail to load. Use the same image family for both.',
    );
  }
  if (builder.version.tag !== runtime.version.tag) {
    throw userError(
      `${owner}: ${pair} have different Python versions (${builder.version.tag} and ${runtime.version.tag}). ` +
        'A venv only runs on the interpreter it was created with: use the same Python version in both.',
    );
  }
  if (builder.libc === 'glibc' && builder.release !== runtime.release) {
    const b = builder.release ?? 'the default release';
    const r = runtime.release ?? 'the default release';
    throw userError(
      `${owner}: ${pair} may be different Debian releases (${b} and ${r}). ` +
        'Wheels built against a newer glibc do not load on an older one: name the same release in both (e.g. "bookworm" and "slim-bookworm").',
    );
  }
  if (builder.libc === 'musl' && builder.variant !== runtime.variant) {
    throw userError(`${owner}: ${pair} are different Alpine variants; use the same one in both.`);
  }
}
