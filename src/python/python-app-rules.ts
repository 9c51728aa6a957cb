import { PythonImage, assertVariant, assertVenvCompatible, explicitPythonImage, officialPythonImage } from './python-images';
import { PythonVersion, parsePythonVersion } from './python-version';
import { STDLIB_MODULES } from './stdlib-modules';
import { ContainerOptions } from '../image';
import { assertMatches, assertMaxLength, invalidOption, userError } from '../validation';

/**
 * The rules every Python app shares, whatever builds it (Poetry, pip): the
 * package, the console script and its target, and the builder and runtime
 * images. Each function names the owner the user configures.
 */

/** Where the venv lives, in the builder and in the runtime alike. */
export const PYTHON_VENV = '/app/.venv';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
const SCRIPT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** What `python -m venv` puts in the venv's bin/ (pip and activate scripts included, for a venv made with pip). */
const VENV_ENTRIES = /^(?:python|pip)(?:3(?:\.\d+)?)?$|^(?:activate|Activate\.ps1|activate\.(?:csh|fish|nu|bat))$/;

/** The options that name the app's package and its console script. */
export interface PythonEntryOptions {
  readonly moduleName?: string;
  readonly scriptName?: string;
  readonly scriptTarget?: string;
}

/** The app's package, its console script and what the script runs. */
export interface PythonEntry {
  readonly moduleName: string;
  readonly scriptName: string;
  readonly scriptTarget: string;
  /** The module of scriptTarget, e.g. `my_app.app`. */
  readonly module: string;
  /** The function of scriptTarget, e.g. `main`. */
  readonly func: string;
}

/** The package, script and target from the options, with the project name's defaults; each checked. */
export function resolvePythonEntry(owner: string, name: string, options: PythonEntryOptions): PythonEntry {
  const moduleName = options.moduleName ?? name.toLowerCase().replace(/[-.]+/g, '_');
  // A derived module name is named with where it came from: the user fixes it by setting moduleName.
  const moduleOption = options.moduleName !== undefined ? 'moduleName' : `moduleName (derived from name ${JSON.stringify(name)})`;
  if (!IDENTIFIER.test(moduleName) || PYTHON_KEYWORDS.has(moduleName)) {
    throw invalidOption(owner, moduleOption, moduleName, 'Expected a Python identifier that is not a keyword, e.g. "my_app".');
  }
  if (STDLIB_MODULES.has(moduleName)) {
    throw invalidOption(owner, moduleOption, moduleName, `It is a module of Python's standard library, which is found first: the image would fail with "No module named '${moduleName}.app'". Set moduleName to another name, e.g. "${moduleName}_app".`);
  }
  assertMaxLength(owner, moduleOption, moduleName, 128);
  const scriptName = options.scriptName ?? name;
  const scriptOption = options.scriptName !== undefined ? 'scriptName' : `scriptName (derived from name ${JSON.stringify(name)})`;
  assertMatches(owner, scriptOption, scriptName, SCRIPT_NAME, 'Expected a command name: letters, digits, ".", "_" and "-", starting with a letter or digit.');
  assertMaxLength(owner, scriptOption, scriptName, 128);
  if (VENV_ENTRIES.test(scriptName)) {
    throw invalidOption(owner, scriptOption, scriptName, `The script is installed into ${PYTHON_VENV}/bin, where the venv's own interpreter, pip and activate scripts live: it would replace one of them. Choose another name.`);
  }
  const scriptTarget = options.scriptTarget ?? `${moduleName}.app:main`;
  const { module, func } = parseScriptTarget(owner, scriptTarget, moduleName);
  return { moduleName, scriptName, scriptTarget, module, func };
}

function parseScriptTarget(owner: string, value: string, moduleName: string): { module: string; func: string } {
  const m = typeof value === 'string' ? /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*):([A-Za-z_][A-Za-z0-9_]*)$/.exec(value) : null;
  if (!m) {
    throw invalidOption(owner, 'scriptTarget', value, 'Expected "module:function", e.g. "my_app.app:main".');
  }
  const [, module, func] = m;
  if (module.split('.')[0] !== moduleName) {
    throw invalidOption(
      owner,
      'scriptTarget',
      value,
      `The module must be the package "${moduleName}" or inside it (e.g. "${moduleName}.app:main"): only that package is installed into the image.`,
    );
  }
  if ([...module.split('.'), func].some((part) => PYTHON_KEYWORDS.has(part))) {
    throw invalidOption(owner, 'scriptTarget', value, 'Module and function names must not be Python keywords.');
  }
  return { module, func };
}

/** The options that pick the builder and runtime images of a Python app. */
export interface PythonImageOptions extends ContainerOptions {
  readonly pythonVersion?: string;
  readonly builderImageVariant?: string;
  readonly runtimeImageVariant?: string;
  readonly builderImage?: string;
  readonly runtimeImage?: string;
}

/** Builder and runtime images from the options, with every rule between them checked. */
export function resolvePythonImages(
  owner: string,
  options: PythonImageOptions,
): { version: PythonVersion; builder: PythonImage; runtime: PythonImage } {
  const builderVariant = options.builderImageVariant ?? 'slim';
  assertVariant(owner, 'builderImageVariant', builderVariant);
  let version: PythonVersion;
  let builder: PythonImage;
  if (options.builderImage !== undefined) {
    builder = explicitPythonImage(options.builderImage, owner, 'builderImage');
    if (options.pythonVersion !== undefined) {
      const wanted = parsePythonVersion(owner, 'pythonVersion', options.pythonVersion);
      if (wanted.tag !== builder.version.tag) {
        throw userError(`${owner}: pythonVersion "${wanted.tag}" contradicts builderImage "${options.builderImage}" (Python ${builder.version.tag}). Set one of them, or make them agree.`);
      }
    }
    version = builder.version;
  } else {
    version = parsePythonVersion(owner, 'pythonVersion', options.pythonVersion ?? '3.13');
    builder = officialPythonImage(options, version, builderVariant, owner, 'builderImageVariant');
  }
  let runtime: PythonImage;
  let runtimeOption: string;
  if (options.runtimeImage !== undefined) {
    runtime = explicitPythonImage(options.runtimeImage, owner, 'runtimeImage');
    runtimeOption = 'runtimeImage';
    if (options.pythonVersion !== undefined && runtime.version.tag !== version.tag) {
      throw userError(`${owner}: pythonVersion "${version.tag}" contradicts runtimeImage "${options.runtimeImage}" (Python ${runtime.version.tag}). Set one of them, or make them agree.`);
    }
  } else {
    const variant = options.runtimeImageVariant ?? slimmed(builder.variant);
    runtimeOption = options.runtimeImageVariant !== undefined ? 'runtimeImageVariant' : 'the default runtime variant';
    runtime = officialPythonImage(options, version, variant, owner, 'runtimeImageVariant');
  }
  const builderOption = options.builderImage !== undefined ? 'builderImage' : 'builderImageVariant';
  assertVenvCompatible(owner, builder, builderOption, runtime, runtimeOption);
  return { version, builder, runtime };
}

/** The runtime counterpart of a builder variant: the slim image of the same release. */
function slimmed(variant: string): string {
  return /^(bookworm|trixie|bullseye)$/.test(variant) ? `slim-${variant}` : variant;
}

/** The health probe of a Python service: the image's own Python, no curl needed. */
export const PYTHON_HEALTH_PROBE: string[] = [
  'python',
  '-c',
  // One line for the health log, not a traceback, while the service is starting.
  // The URL is an argument, not part of the code: whatever the path holds, it is data.
  "import sys, urllib.request; sys.excepthook = lambda t, e, tb: print('unhealthy:', e, file=sys.stderr); " +
    'sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=4).status == 200 else 1)',
  'http://127.0.0.1:{port}{path}',
];
