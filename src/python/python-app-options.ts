import { AppComponentOptions, AppMetadataOptions } from '../image';

/** Options every Python app has, whatever builds it: {@link PoetryAppOptions} and {@link PipAppOptions} add their tool's own. */
export interface PythonAppOptions extends AppComponentOptions, AppMetadataOptions {
  /**
   * Python version, `3.N` or `3.N.P`: the one source of requires-python, of the Python the lock is resolved for, and of every image tag.
   * @default - the version in `builderImage`'s tag if that is set, else "3.13"
   * @pjnew "3.13"
   */
  readonly pythonVersion?: string;

  /**
   * `requires-python`, a PEP 440 specifier set. The image's Python must satisfy it.
   * @default ">=<pythonVersion's 3.N>"
   * @featured
   */
  readonly requiresPython?: string;

  /**
   * Author name in pyproject.toml.
   * @default - no authors
   * @pjnew $GIT_USER_NAME
   */
  readonly authorName?: string;

  /**
   * Author email in pyproject.toml.
   * @default - no email
   * @pjnew $GIT_USER_EMAIL
   */
  readonly authorEmail?: string;

  /**
   * Import name of the package under `src/`. A module of Python's standard
   * library (`json`, `email`, ...) is refused: it would shadow the app's package.
   * @default - the project name with "-" and "." replaced by "_"
   */
  readonly moduleName?: string;

  /**
   * Name of the console script: `[project.scripts]` and the image's CMD. It
   * must not be a name the venv's bin/ already has (python, pip, activate).
   * @default - the project name
   * @featured
   */
  readonly scriptName?: string;

  /**
   * What the script runs, `module:function`, inside the package.
   * @default "<moduleName>.app:main"
   * @featured
   */
  readonly scriptTarget?: string;

  /**
   * Variant of the official Python image for the builder: "slim", "bookworm",
   * "slim-bookworm", "trixie", "slim-trixie", "alpine", "alpine3.N".
   * @default "slim"
   */
  readonly builderImageVariant?: string;

  /**
   * Variant of the official Python image for the runtime; must be the same
   * C library and Debian release as the builder.
   * @default - the builder's variant, slimmed: "bookworm" gives "slim-bookworm"
   */
  readonly runtimeImageVariant?: string;

  /**
   * Explicit builder image, e.g. an org's image with build tools, used as named
   * (`imageRegistry` does not apply); its tag must read "<python version>-<variant>".
   * @default - the official image for pythonVersion and builderImageVariant
   */
  readonly builderImage?: string;

  /**
   * Explicit runtime image; same rules as `builderImage`.
   * @default - the official image for pythonVersion and runtimeImageVariant
   */
  readonly runtimeImage?: string;

  /**
   * A PEP 503 package index that replaces PyPI, e.g. an org's mirror: the builder's pip gets it
   * as the `PIP_INDEX_URL` build ARG, and the lock task resolves against it (Poetry reads it
   * from `[[tool.poetry.source]]`). A URL with credentials (`user:password@`, or a query such
   * as `?token=...`) is refused: set `packageIndexSecret` instead.
   * @default - PyPI
   * @featured
   */
  readonly packageIndex?: string;

  /**
   * Id of a build secret holding a netrc file with the package index's
   * credentials. It is mounted at /root/.netrc (where pip and Poetry look) for
   * the steps that download, and never reaches a layer, an ARG or an ENV;
   * `docker:build` passes `--secret id=<id>,src=$STAGECRAFT_NETRC` (default ~/.netrc).
   * @default - no credentials
   */
  readonly packageIndexSecret?: string;
}
