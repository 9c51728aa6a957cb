import { BaseImage, Dockerfile } from '../dockerfile';
import { isRootUser } from '../dockerfile/syntax';
import { AppComponent, ContainerImage, LanguageVersion, PackageSource } from '../image';
import { invalidOption } from '../validation';

/** What a broken policy does to synthesis. */
export enum PolicySeverity {
  /** `npx projen` fails before anything is written. */
  ERROR = 'error',
  /** `npx projen` prints a warning and goes on. */
  WARNING = 'warning',
}

/** One thing a policy found wrong. */
export interface PolicyViolation {
  /** What is wrong, e.g. `base image "python:3.13-slim" is not from an allowed registry`. */
  readonly message: string;
  /**
   * The generated file the value is in.
   * @default "Dockerfile"
   */
  readonly file?: string;
  /**
   * The offending value.
   * @default - none
   */
  readonly value?: string;
}

/**
 * What a policy looks at: one app's typed facts, as its component computed
 * them, and its image model. Read-only: a policy judges, it does not change the project.
 */
export class PolicySubject {
  /** The subject of a project's container image. */
  public static of(image: ContainerImage): PolicySubject {
    return new PolicySubject(image, AppComponent.all(image.project).find((app) => app.image === image));
  }

  /** The subject of an app component. */
  public static ofApp(app: AppComponent): PolicySubject {
    return new PolicySubject(app.image, app);
  }

  private constructor(private readonly image: ContainerImage, private readonly app?: AppComponent) {}

  /** The app's name. */
  public get appName(): string {
    return this.app?.name ?? this.image.project.name;
  }

  /** The ecosystem, e.g. `python`, `node` or `go`. */
  public get ecosystem(): string {
    return this.image.ecosystem;
  }

  /** The language version the app targets, as written: the Python, Node or Go version. */
  public get languageVersion(): string {
    return this.image.languageVersion;
  }

  /** The language version as a version, compared as numbers; undefined when it is not dot-separated numbers. */
  public get language(): LanguageVersion | undefined {
    if (this.app) {
      return this.app.languageVersion;
    }
    try {
      return LanguageVersion.parse('PolicySubject', 'languageVersion', this.image.languageVersion);
    } catch {
      return undefined;
    }
  }

  /** The package index the app installs from, if it names one. */
  public get packageIndex(): string | undefined {
    return this.image.packageIndex;
  }

  /** Where the app installs its packages from, when its ecosystem can be pointed at an index. */
  public get packageSource(): PackageSource | undefined {
    return this.image.packageSource;
  }

  /** The Dockerfile model, as it will be written. */
  public get dockerfile(): Dockerfile {
    return this.image.dockerfile;
  }

  /** Every image a stage starts FROM (stages built on an earlier stage excluded). */
  public get baseImages(): BaseImage[] {
    const stages = new Set(this.dockerfile.stages.map((s) => s.name));
    return this.dockerfile.stages.map((s) => s.from).filter((from) => !stages.has(from.reference));
  }

  /**
   * The image of the Dockerfile's `# syntax=` directive (the `dockerfileSyntax` option): BuildKit
   * pulls it to build the Dockerfile, as it pulls the base images; undefined without the directive.
   */
  public get frontendImage(): BaseImage | undefined {
    return this.dockerfile.frontendImage;
  }

  /** The labels on the shipped image. */
  public get labels(): { [key: string]: string } {
    return { ...this.image.labels };
  }

  /** The user the shipped image runs as (its last USER, `user[:group]`), if any. */
  public get runtimeUser(): string | undefined {
    return this.image.runtimeUserSpec;
  }

  /** Whether the shipped image has a HEALTHCHECK (other than NONE). */
  public get hasHealthcheck(): boolean {
    return this.image.healthCheck !== undefined;
  }

  /** Whether the app is a service: it listens on a port. */
  public get isService(): boolean {
    return this.image.port !== undefined;
  }
}

/**
 * A rule an org checks on every app at synthesis, before anything is
 * written. Write one in TypeScript by implementing `name` and `check`; the
 * {@link Policy} factories cover the common ones.
 */
export interface IPolicy {
  /** Short name, shown in every message, e.g. `allowed-registries`. */
  readonly name: string;
  /** Error (synthesis fails) or warning. */
  readonly severity: PolicySeverity;
  /** What the subject breaks; empty when it complies. */
  check(subject: PolicySubject): PolicyViolation[];
}

/** Options every built-in policy takes. */
export interface PolicyOptions {
  /**
   * Error or warning.
   * @default PolicySeverity.ERROR
   */
  readonly severity?: PolicySeverity;
}

/** Options of {@link Policy.allowedVersions}. */
export interface AllowedVersionsOptions extends PolicyOptions {
  /** The ecosystem the versions are for: `python`, `node` or `go`. */
  readonly ecosystem: string;
  /** The release lines allowed, e.g. "3.12", "3.13": a line allows its patch releases too. */
  readonly versions: string[];
}

/** The policies most orgs want, as ready-made {@link IPolicy} objects. */
export class Policy {
  /**
   * Every image the build pulls comes from one of these registries (host, or host/path prefix):
   * the base images and the `# syntax=` directive's frontend image.
   */
  public static allowedRegistries(registries: string[], options: PolicyOptions = {}): IPolicy {
    if (!Array.isArray(registries) || registries.length === 0) {
      throw invalidOption('Policy.allowedRegistries', 'registries', registries, 'Expected at least one registry, e.g. "mirror.example.com".');
    }
    const allowed = registries.map((r) => r.replace(/\/+$/, ''));
    const isAllowed = (image: BaseImage) => allowed.some((r) => image.reference.startsWith(`${r}/`));
    return custom('allowed-registries', options, (s) => [
      ...s.baseImages
        .filter((image) => !image.isScratch && !isAllowed(image))
        .map((image) => ({
          message: `base image "${image.reference}" is not from an allowed registry (allowed: ${allowed.join(', ')})`,
          value: image.reference,
        })),
      ...frontendViolation(s, isAllowed, () =>
        `is not from an allowed registry (allowed: ${allowed.join(', ')}): set imageRegistry to an allowed mirror, name a frontend image there in dockerfileSyntax, or set dockerfileSyntax to "" for the engine's built-in frontend`),
    ]);
  }

  /**
   * Every image the build pulls is pinned by digest (`@sha256:...`), so a rebuild gets the same
   * bytes: the base images and the `# syntax=` directive's frontend image.
   */
  public static pinnedDigests(options: PolicyOptions = {}): IPolicy {
    return custom('pinned-digests', options, (s) => [
      ...s.baseImages
        .filter((image) => !image.isScratch && !image.digest)
        .map((image) => ({ message: `base image "${image.reference}" is not pinned by digest`, value: image.reference })),
      ...frontendViolation(s, (image) => image.digest !== undefined, (image) =>
        `is not pinned by digest: set dockerfileSyntax to "${image.reference}@sha256:<digest>", or to "" for the engine's built-in frontend`),
    ]);
  }

  /** The shipped image carries these labels (any value, or the value given). */
  public static requiredLabels(labels: { [key: string]: string }, options: PolicyOptions = {}): IPolicy {
    return custom('required-labels', options, (s) => {
      const have = s.labels;
      return Object.entries(labels).flatMap(([key, value]) => {
        if (have[key] === undefined) {
          return [{ message: `label "${key}" is missing`, value: key }];
        }
        if (value !== '' && have[key] !== value) {
          return [{ message: `label "${key}" is "${have[key]}", the org requires "${value}"`, value: have[key] }];
        }
        return [];
      });
    });
  }

  /** The shipped image runs as a numeric uid other than 0. */
  public static nonRootUser(options: PolicyOptions = {}): IPolicy {
    return custom('non-root-user', options, (s) => {
      const user = s.runtimeUser;
      if (user === undefined) {
        return [{ message: 'the image has no USER: it would run as root', value: '(none)' }];
      }
      // Root as the Dockerfile model and the lint read it (`00` is uid 0 too), and a number besides.
      if (!/^\d+$/.test(user.split(':')[0]) || isRootUser(user)) {
        return [{ message: `USER "${user}" is not a numeric non-root uid (Kubernetes runAsNonRoot needs a number)`, value: user }];
      }
      return [];
    });
  }

  /** A service (an app with a port) has a HEALTHCHECK. */
  public static healthcheckForServices(options: PolicyOptions = {}): IPolicy {
    return custom('healthcheck-for-services', options, (s) =>
      s.isService && !s.hasHealthcheck ? [{ message: 'the service has no HEALTHCHECK', value: '(none)' }] : [],
    );
  }

  /**
   * Apps of an ecosystem target one of these language versions. An entry is a release line,
   * compared as numbers: "3.13" allows 3.13 and 3.13.2, not 3.130; "24" allows every Node 24.
   */
  public static allowedVersions(options: AllowedVersionsOptions): IPolicy {
    (options.versions ?? []).forEach((v, i) => {
      if (typeof v !== 'string' || !/^\d+(?:\.\d+)*$/.test(v)) {
        throw invalidOption('Policy.allowedVersions', `versions[${i}]`, v, 'Expected a release line of numbers such as "3.13", "24" or "1.23".');
      }
    });
    if ((options.versions ?? []).length === 0) {
      throw invalidOption('Policy.allowedVersions', 'versions', options.versions, 'Expected at least one version, e.g. "3.13".');
    }
    return custom(`allowed-${options.ecosystem}-versions`, options, (s) =>
      s.ecosystem === options.ecosystem && !options.versions.some((line) => s.language?.isInLine(line))
        ? [{ message: `${options.ecosystem} ${s.languageVersion} is not an allowed version (allowed: ${options.versions.join(', ')})`, value: s.languageVersion }]
        : [],
    );
  }

  /**
   * Apps install from this package index (the org's mirror), and from no other: every app whose
   * ecosystem can be pointed at an index (its component declares a `packageSource`).
   */
  public static packageIndex(url: string, options: PolicyOptions = {}): IPolicy {
    return custom('package-index', options, (s) => {
      const source = s.packageSource;
      if (source === undefined || source.url === url) {
        return [];
      }
      const current = source.url ?? source.publicIndex;
      return [{ message: `the package index is ${source.url ? `"${source.url}"` : source.publicIndex}, the org requires "${url}"`, file: source.file, value: current }];
    });
  }

  private constructor() {}
}

/** The frontend image's violation, if it has one: `ok` says whether it complies, `problem` what is wrong. */
function frontendViolation(s: PolicySubject, ok: (image: BaseImage) => boolean, problem: (image: BaseImage) => string): PolicyViolation[] {
  const image = s.frontendImage;
  if (image === undefined || ok(image)) {
    return [];
  }
  return [{ message: `frontend image "${image.reference}" (the # syntax= directive, option dockerfileSyntax) ${problem(image)}`, value: image.reference }];
}

function custom(name: string, options: PolicyOptions, check: (s: PolicySubject) => PolicyViolation[]): IPolicy {
  const severity = options.severity ?? PolicySeverity.ERROR;
  if (!Object.values(PolicySeverity).includes(severity)) {
    throw invalidOption(`Policy ${name}`, 'severity', severity, 'Expected PolicySeverity.ERROR or PolicySeverity.WARNING.');
  }
  return { name, severity, check };
}
