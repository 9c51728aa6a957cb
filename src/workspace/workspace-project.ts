import * as path from 'path';
import { TypeScriptProject } from 'projen/lib/typescript';
import { BakeFile } from './bake-file';
import { ComposeFile } from './compose-file';
import { ImagesWorkflow } from './images-workflow';
import { GoApp } from '../go';
import { AppComponent, AppConnection } from '../image';
import { NodeApp } from '../node';
import { AppProject, AppProjectOptions } from '../project';
import { SubprojectRecord } from '../project/subproject-record';
import { PoetryApp } from '../python';
import { StubFile } from '../stubs';
import { userError } from '../validation';

/**
 * The sample web service's stubs, in its own project: a Node service whose `/` asks the API through
 * the URL the connection injects, and its test (a stand-in API on a free port).
 */
function sampleWebStubs(web: NodeApp, connection: AppConnection): void {
  const project = web.appProject;
  const ts = project instanceof TypeScriptProject ? project : undefined;
  const server = ts ? path.posix.join(ts.srcdir, path.posix.relative(ts.libdir, web.entrypoint)).replace(/\.js$/, '.ts') : web.entrypoint;
  const testdir = ts?.testdir ?? 'test';
  const relative = path.posix.relative(testdir, server.replace(/\.ts$/, ''));
  const importPath = relative.startsWith('.') ? relative : `./${relative}`;
  const context = {
    name: web.name,
    port: web.port,
    healthCheckPath: web.healthCheckPath,
    env: connection.env,
    api: connection.target.appId,
    importPath,
  };
  new StubFile(project, server, 'workspace/web-server.ts.hbs', context, 'workspace:web-server');
  new StubFile(project, `${testdir}/server.test.ts`, 'workspace/web-server.test.ts.hbs', context, 'workspace:web-server-test');
}

/** Options of a {@link WorkspaceProject}. */
export interface WorkspaceProjectOptions extends AppProjectOptions {
  /**
   * Start with a sample: a Python API "api" (Poetry, port 8000), a Node service "web" (port 3000)
   * connected to it (`API_URL`), whose stub answers with the API's reply, and a Go worker "worker".
   * Turn it off to add only your own components in `.projenrc.ts`.
   * @default true
   */
  readonly sampleCode?: boolean;

  /**
   * The `# syntax=` directive of the sample's Dockerfiles (see each app's `dockerfileSyntax`); an
   * empty string leaves it out. Components added in `.projenrc.ts` set their own.
   * @default "docker/dockerfile:1"
   */
  readonly dockerfileSyntax?: string;

  /**
   * The PEP 503 package index the sample's Python API installs from (its `packageIndex`), e.g. an
   * org's mirror. Components added in `.projenrc.ts` set their own.
   * @default - PyPI
   */
  readonly packageIndex?: string;

  /**
   * Platforms every bake target builds for.
   * @default ["linux/amd64"]
   */
  readonly platforms?: string[];

  /**
   * SBOM and provenance attestations on every image built by bake.
   * @default false
   */
  readonly attestations?: boolean;

  /**
   * A GitHub Actions workflow (`.github/workflows/images.yml`) that runs the drift check, then
   * builds every bake target with buildx, its cache in GitHub Actions' cache.
   * @default true
   */
  readonly imagesWorkflow?: boolean;
}

/**
 * A workspace of app components: Python, Node and Go apps, each in its own
 * folder (`apps/<id>`) with its manifest, stubs, Dockerfile and tasks, and at
 * the root the files that tie them together, read from the components at
 * synthesis: `compose.yaml` (a service each, health checks, `depends_on`, the
 * URLs {@link AppComponent.connectTo} injects), `docker-bake.hcl` (a target
 * each) and a workflow that checks drift and builds every image.
 *
 * Adding a component is one line of `.projenrc.ts`:
 * `new GoApp(project, "jobs");`.
 *
 * @pjid workspace
 */
export class WorkspaceProject extends AppProject {
  /** `compose.yaml`. */
  public readonly compose: ComposeFile;
  /** `docker-bake.hcl`. */
  public readonly bake: BakeFile;

  constructor(options: WorkspaceProjectOptions = {}) {
    // The images workflow runs the drift check: one workflow, not two, unless asked for.
    const imagesWorkflow = options.imagesWorkflow ?? true;
    super({ ...options, driftWorkflow: options.driftWorkflow ?? !imagesWorkflow });
    // A Node app in a folder is a subproject: removed from .projenrc.ts, its generated files go too.
    new SubprojectRecord(this);
    this.compose = new ComposeFile(this);
    this.bake = new BakeFile(this, { platforms: options.platforms, attestations: options.attestations });
    // Before the images workflow, whose drift job runs its task; it compares after every component all the same.
    this.addDriftCheck();
    if (imagesWorkflow) {
      new ImagesWorkflow(this);
    }
    if (options.sampleCode ?? true) {
      const sample = { dockerfileSyntax: options.dockerfileSyntax };
      const api = new PoetryApp(this, 'api', { ...sample, port: 8000, packageIndex: options.packageIndex, description: 'The sample API: JSON over HTTP' });
      const web = new NodeApp(this, 'web', { ...sample, port: 3000, sampleCode: false });
      const connection = web.connectTo(api, { env: 'API_URL' });
      new GoApp(this, 'worker', { ...sample, description: 'The sample worker: a command-line job' });
      sampleWebStubs(web, connection);
    }
  }

  /** The app component with this id. */
  public app(id: string): AppComponent {
    const found = AppComponent.all(this).find((c) => c.appId === id);
    if (!found) {
      throw userError(`${this.name}: no app component "${id}" (known: ${AppComponent.all(this).map((c) => `"${c.appId}"`).join(', ') || 'none'}).`);
    }
    return found;
  }
}
