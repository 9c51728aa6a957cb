/**
 * ACME's app project types: stagecraft's, with the platform team's defaults,
 * stub templates and policies. Teams create projects with
 * `npx projen new --from @acme/platform-apps poetry-app --team payments --cost-centre cc-42`,
 * and a new release of this package reaches every team at its next `npx projen`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Project } from 'projen';
import {
  GoAppProject,
  GoAppProjectOptions,
  NodeAppProject,
  NodeAppProjectOptions,
  PoetryAppProject,
  PoetryAppProjectOptions,
  Policies,
  Policy,
  PolicySeverity,
  StubTemplates,
} from 'stagecraft';

/** The platform's settings: one file, so a release changes them in one place. */
const PLATFORM = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'platform.json'), 'utf-8'));
const TEMPLATES = path.join(__dirname, '..', 'templates');

/** What every ACME app says about who owns it. */
export interface AcmeAppOptions {
  /** The team that owns the app: the `com.acme.team` label. */
  readonly team: string;

  /**
   * Who answers for the app: the `com.acme.owner` label.
   * @default - the team
   */
  readonly owner?: string;

  /** The cost centre the app's images are billed to: the `com.acme.cost-centre` label. */
  readonly costCentre: string;
}

function acmeLabels(options: AcmeAppOptions, extra: { [key: string]: string } | undefined): { [key: string]: string } {
  return {
    ...PLATFORM.labels,
    'com.acme.team': options.team,
    'com.acme.owner': options.owner ?? options.team,
    'com.acme.cost-centre': options.costCentre,
    ...extra,
  };
}

/** What the platform holds every app to, and the org's stub templates in front of stagecraft's. */
function platform(project: Project): void {
  StubTemplates.of(project).addDirectory(TEMPLATES);
  const policies = Policies.of(project);
  policies.addPolicy(Policy.allowedRegistries([PLATFORM.registry]));
  policies.addPolicy(Policy.requiredLabels({ 'com.acme.team': '', 'com.acme.owner': '', 'com.acme.cost-centre': '', ...PLATFORM.labels }));
  policies.addPolicy(Policy.nonRootUser());
  policies.addPolicy(Policy.healthcheckForServices());
  policies.addPolicy(Policy.allowedVersions({ ecosystem: 'python', versions: PLATFORM.pythonVersions }));
  policies.addPolicy(Policy.packageIndex(PLATFORM.pythonIndex));
  // Digests are the goal; until the mirror publishes them, a warning.
  policies.addPolicy(Policy.pinnedDigests({ severity: PolicySeverity.WARNING }));
}

/** Options of an ACME Poetry app. */
export interface AcmePoetryAppProjectOptions extends PoetryAppProjectOptions, AcmeAppOptions {}

/**
 * A Python app on ACME's platform: ACME's builder image (Poetry
 * preinstalled), the mirror for the runtime, ACME's package index, the
 * ownership labels, JSON-line logging in the stub.
 *
 * @pjid poetry-app
 */
export class AcmePoetryAppProject extends PoetryAppProject {
  constructor(options: AcmePoetryAppProjectOptions) {
    const pythonVersion = options.pythonVersion ?? PLATFORM.defaultPythonVersion;
    super({
      imageRegistry: PLATFORM.mirror,
      builderImage: `${PLATFORM.registry}/python-builder:${pythonVersion}-slim`,
      poetryInBuilderImage: true,
      packageIndex: PLATFORM.pythonIndex,
      packageIndexName: 'acme',
      ...options,
      pythonVersion,
      imageLabels: acmeLabels(options, options.imageLabels),
    });
    platform(this);
  }
}

/** Options of an ACME Go app. */
export interface AcmeGoAppProjectOptions extends GoAppProjectOptions, AcmeAppOptions {}

/**
 * A Go binary on ACME's platform: images from the mirror, ownership labels.
 *
 * @pjid go-app
 */
export class AcmeGoAppProject extends GoAppProject {
  constructor(options: AcmeGoAppProjectOptions) {
    super({ imageRegistry: PLATFORM.mirror, ...options, imageLabels: acmeLabels(options, options.imageLabels) });
    platform(this);
  }
}

/** Options of an ACME Node app. */
export interface AcmeNodeAppProjectOptions extends NodeAppProjectOptions, AcmeAppOptions {}

/**
 * A Node.js service on ACME's platform: images from the mirror, ownership labels.
 *
 * @pjid node-app
 */
export class AcmeNodeAppProject extends NodeAppProject {
  constructor(options: AcmeNodeAppProjectOptions) {
    super({ imageRegistry: PLATFORM.mirror, ...options, imageLabels: acmeLabels(options, options.imageLabels) });
    platform(this);
  }
}
