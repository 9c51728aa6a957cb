import { DependencyType } from 'projen/lib/dependencies';
import { Project } from 'projen/lib/project';
import { PACKAGE_NAME, PythonDependency, parseDependency } from './dependency-spec';
import { PythonAppOptions } from './python-app-options';
import { PythonImage, assertVariant, assertVenvCompatible, explicitPythonImage, officialPythonImage } from './python-images';
import { PythonVersion, assertSatisfies, defaultRequiresPython, parsePythonVersion } from './python-version';
import { STDLIB_MODULES } from './stdlib-modules';
import { DockerfileStage, RunMount } from '../dockerfile';
import { AppDependency, AppImageSpec, ContainerOptions, ImageMetadata, LanguageVersion, RuntimeUser } from '../image';
import { HEALTH_URL, resolveMetadata } from '../image/app-options';
import { StubFile } from '../stubs';
import { assertMatches, assertMaxLength, assertSingleLine, assertUrl, invalidOption, userError } from '../validation';

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
/** A PEP 440 release version, as `version` takes it. */
export const PEP440_RELEASE = /^\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?$/;
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

/** The Python version of an app and its builder and runtime images. */
export interface PythonImages {
  readonly version: PythonVersion;
  readonly builder: PythonImage;
  readonly runtime: PythonImage;
}

/** Builder and runtime images from the options, with every rule between them checked. */
export function resolvePythonImages(owner: string, options: PythonImageOptions): PythonImages {
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
  HEALTH_URL,
];

/** What a Python app derives from the options every Python app has, whatever builds it; each checked, naming the option. */
export interface PythonAppBasis {
  readonly metadata: ImageMetadata;
  readonly entry: PythonEntry;
  readonly images: PythonImages;
  /** `requires-python`, which the images' Python satisfies. */
  readonly requiresPython: string;
  readonly packageIndex?: string;
  /** The netrc secret (packageIndexSecret) of the steps that download; none without one. */
  readonly downloadMounts: RunMount[];
}

/**
 * Validates and derives the {@link PythonAppOptions} of an app that `tool` builds: name, metadata,
 * authors, package and script, images and requires-python, the package index and its secret.
 * `indexCredentials` ends the packageIndex message: where the tool itself reads credentials.
 */
export function resolvePythonApp(owner: string, name: string, options: PythonAppOptions, tool: string, indexCredentials = ''): PythonAppBasis {
  assertMatches(owner, 'name', name, PACKAGE_NAME, 'Expected a PEP 508 project name: letters, digits, ".", "_" and "-", starting and ending with a letter or digit.');
  assertMaxLength(owner, 'name', name, 128);
  const metadata = resolveMetadata(owner, name, options, {
    description: `${name}: a ${tool} app built by stagecraft`,
    versionPattern: PEP440_RELEASE,
    versionRule: 'Expected a PEP 440 release version such as "0.1.0" or "1.2.0rc1".',
  });
  if (options.authorName !== undefined) {
    assertSingleLine(owner, 'authorName', options.authorName, 256);
  }
  if (options.authorEmail !== undefined) {
    assertMatches(owner, 'authorEmail', options.authorEmail, /^[^\s@<>",]+@[^\s@<>",]+$/, 'Expected an email address such as "dev@example.com".');
    assertMaxLength(owner, 'authorEmail', options.authorEmail, 254);
  }
  const entry = resolvePythonEntry(owner, name, options);
  if (options.packageIndex !== undefined) {
    assertUrl(owner, 'packageIndex', options.packageIndex, `Give the index URL alone and its credentials as a build secret: set packageIndexSecret (a netrc file mounted only while downloading)${indexCredentials}.`);
  }
  if (options.packageIndexSecret !== undefined) {
    assertMatches(owner, 'packageIndexSecret', options.packageIndexSecret, /^[a-z0-9][a-z0-9_.-]{0,62}$/, 'Expected a build secret id: lowercase letters, digits, ".", "_" and "-".');
  }
  const downloadMounts = options.packageIndexSecret !== undefined
    ? [RunMount.secret({ id: options.packageIndexSecret, target: '/root/.netrc', required: true })]
    : [];
  const images = resolvePythonImages(owner, options);
  const requiresPython = options.requiresPython ?? defaultRequiresPython(images.version);
  assertSatisfies(owner, images.version, options.pythonVersion !== undefined ? 'pythonVersion' : 'the Python version of the builder image', requiresPython, 'requiresPython');
  return { metadata, entry, images, requiresPython, packageIndex: options.packageIndex, downloadMounts };
}


/** What differs between the images of Python apps: how the builder made the venv, and what it read. */
export interface PythonImageParts {
  readonly builder: DockerfileStage;
  /** The file that pins the dependencies, which an org policy on the package source names. */
  readonly lockFile: string;
  readonly context: string[];
  readonly contextExcludes: string[];
  readonly buildOnlyTools?: string[];
}

/** The image of a Python app: the venv alone on the runtime image, the console script as CMD, the shared probe. */
export function pythonImageSpec(owner: string, basis: PythonAppBasis, options: PythonAppOptions, parts: PythonImageParts): AppImageSpec {
  const uid = options.runtimeUid ?? RuntimeUser.DEFAULT_UID;
  const runtime = basis.images.runtime;
  return {
    ecosystem: 'python',
    languageVersion: LanguageVersion.parse(owner, 'pythonVersion', basis.images.version.tag),
    metadata: basis.metadata,
    packageSource: { url: basis.packageIndex, publicIndex: 'PyPI', file: parts.lockFile },
    buildStages: [parts.builder],
    payload: {
      image: runtime.image,
      user: runtime.libc === 'musl' ? RuntimeUser.alpine('app', uid) : RuntimeUser.debian('app', uid),
      copies: [{ fromStage: parts.builder.name, source: PYTHON_VENV, id: 'venv' }],
      env: { PATH: `${PYTHON_VENV}/bin:$PATH`, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
      command: [basis.entry.scriptName],
      buildOnlyTools: parts.buildOnlyTools,
    },
    defaultSizeBudgetMb: 400,
    healthProbe: { command: PYTHON_HEALTH_PROBE },
    context: parts.context,
    contextExcludes: parts.contextExcludes,
    buildFlags: options.packageIndexSecret !== undefined ? [`--secret id=${options.packageIndexSecret},src=\${STAGECRAFT_NETRC:-$HOME/.netrc}`] : [],
  };
}

/** An app's declared dependencies, parsed and validated (naming the option), each kind sorted by name: the runtime ones and the dev group. */
export function pythonDependencies(owner: string, declared: AppDependency[]): { runtime: PythonDependency[]; dev: PythonDependency[] } {
  const parse = (type: DependencyType) =>
    declared
      .filter((d) => d.type === type)
      .map((d) => parseDependency(owner, d.name, d.version))
      .sort((a, b) => a.name.localeCompare(b.name));
  return { runtime: parse(DependencyType.RUNTIME), dev: [...parse(DependencyType.TEST), ...parse(DependencyType.DEVENV)] };
}

/** The facts of a Python app that its PEP 621 `[project]` table states, whatever builds it. */
export interface PythonProjectFacts {
  readonly name: string;
  readonly version: string;
  readonly requiresPython: string;
  readonly scriptName: string;
  readonly scriptTarget: string;
}

/**
 * The PEP 621 `[project]` table of a Python app (Poetry's and pip's alike).
 * @param dependencies `[project].dependencies`, as PEP 508 strings
 */
export function pep621Project(
  f: PythonProjectFacts, metadata: ImageMetadata, options: PythonAppOptions, dependencies: string[],
): { [key: string]: any } {
  const { authorName, authorEmail, license, repositoryUrl } = options;
  return {
    'name': f.name,
    'version': f.version,
    'description': metadata.description,
    'authors': authorName || authorEmail ? [{ name: authorName, email: authorEmail }] : undefined,
    license,
    'readme': 'README.md',
    'requires-python': f.requiresPython,
    dependencies,
    'scripts': { [f.scriptName]: f.scriptTarget },
    'urls': repositoryUrl ? { repository: repositoryUrl } : undefined,
  };
}

/** Where a Python app's stubs go and what they say. */
export interface PythonStubs {
  /** The project the app's files are written in. */
  readonly home: Project;
  /** The app's path of a file in its folder. */
  readonly filePath: (file: string) => string;
  /** The app's record id of a stub. */
  readonly stubId: (id: string) => string;
  /** The `src/` package. */
  readonly moduleName: string;
  /** The script's module and function. */
  readonly entry: PythonEntry;
  /** A service (a port) or a command-line app. */
  readonly service: boolean;
  /** The README's template, the ecosystem's own. */
  readonly readmeTemplate: string;
  /** What the templates read. */
  readonly context: { [key: string]: any };
}

/**
 * A Python app's stubs, written once: an `__init__.py` for each package down to the script's
 * module, that module with the script's function, its test (`tests/test_<last part>.py`), and the
 * README. Ids, not paths: pointing scriptTarget at the user's own module must not write a new stub there.
 */
export function addPythonAppStubs(s: PythonStubs): void {
  const context = { ...s.context, moduleName: s.moduleName, function: s.entry.func, module: s.entry.module };
  const moduleParts = s.entry.module.split('.');
  const mainFile = moduleParts.length === 1 ? `src/${s.moduleName}/__init__.py` : `src/${moduleParts.join('/')}.py`;
  for (let i = 1; i < moduleParts.length; i++) {
    const pkg = moduleParts.slice(0, i).join('.');
    new StubFile(s.home, s.filePath(`src/${moduleParts.slice(0, i).join('/')}/__init__.py`), 'python/__init__.py.hbs', { ...context, package: pkg }, s.stubId(`python:package:${pkg}`));
  }
  new StubFile(s.home, s.filePath(mainFile), s.service ? 'python/service.py.hbs' : 'python/cli.py.hbs', context, s.stubId('python:app'));
  new StubFile(s.home, s.filePath(`tests/test_${moduleParts[moduleParts.length - 1]}.py`), s.service ? 'python/test_service.py.hbs' : 'python/test_cli.py.hbs', context, s.stubId('python:test'));
  new StubFile(s.home, s.filePath('README.md'), s.readmeTemplate, context, s.stubId('readme'));
}
