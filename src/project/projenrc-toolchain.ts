import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Component } from 'projen/lib/component';
import { JsonFile } from 'projen/lib/json';
import { Project } from 'projen/lib/project';
import { Task } from 'projen/lib/task';
import { ProjenrcTs } from 'projen/lib/typescript';
import { parseNpmSpec } from './npm-spec';
import { OWN_MANIFEST, OWN_PACKAGE_NAME } from './own-manifest';
import { runProjenrcWithTsx, TSX_RANGE } from './projenrc-runner';
import { userError } from '../validation';

/** Options of {@link ProjenrcToolchain}. */
export interface ProjenrcToolchainOptions {
  /**
   * npm packages `.projenrc.ts` needs beyond projen, constructs, tsx and
   * typescript: `name`, `name@range`, or a path to a package tarball or
   * folder. `projen new --from <spec>` puts its spec here.
   * @default - stagecraft at the version that generated the project
   */
  readonly devDeps?: string[];
}

/**
 * What a non-Node project needs so that `npx projen` works with Node alone:
 * a `.projenrc.ts`, and a package.json whose dev dependencies are projen,
 * constructs, stagecraft, the TypeScript runner (tsx) and tsc, installed after
 * synthesis when they are missing.
 */
export class ProjenrcToolchain extends Component {
  /** The generated package.json. */
  public readonly manifest: JsonFile;
  /** The `.projenrc.ts` component. */
  public readonly projenrc: ProjenrcTs;
  /** The `typecheck` task: tsc on `.projenrc.ts`, which `npx projen` runs without type-checking. */
  public readonly typecheck: Task;
  private readonly devDependencies: { [name: string]: string };

  constructor(project: Project, options: ProjenrcToolchainOptions = {}) {
    super(project, 'ProjenrcToolchain');
    const peers = OWN_MANIFEST.peerDependencies ?? {};
    const dev = OWN_MANIFEST.devDependencies ?? {};
    this.devDependencies = {
      'projen': peers.projen,
      'constructs': peers.constructs,
      'tsx': TSX_RANGE,
      'typescript': dev.typescript,
      '@types/node': dev['@types/node'],
    };
    for (const spec of options.devDeps ?? []) {
      const [name, range] = parseNpmSpec(project.outdir, spec);
      this.devDependencies[name] = range;
    }
    if (!Object.keys(this.devDependencies).includes(OWN_PACKAGE_NAME) && !hasDependent(this.devDependencies)) {
      this.devDependencies[OWN_PACKAGE_NAME] = `^${OWN_MANIFEST.version}`;
    }

    this.manifest = new JsonFile(project, 'package.json', {
      obj: {
        name: npmName(project.name),
        private: true,
        description: 'The toolchain that runs .projenrc.ts: npx projen',
        devDependencies: sortKeys(this.devDependencies),
        engines: { node: '>= 20.0.0' },
      },
      // npm rewrites package.json on some installs; projen's own NodePackage leaves it writable for the same reason.
      readonly: false,
    });
    project.addGitIgnore('/node_modules/');
    this.projenrc = new ProjenrcTs(project);
    this.typecheck = runProjenrcWithTsx(project, this.projenrc.filePath, this.projenrc.tsconfig.fileName, Object.keys(this.devDependencies));
  }

  /**
   * Installs the toolchain when it changed: a package missing from
   * node_modules, or a changed spec (a new release of an org package). When
   * a changed toolchain was installed, this synthesis ran with the old one,
   * so it synthesizes once more with the new.
   */
  public postSynthesize(): void {
    const outdir = this.project.outdir;
    const stampFile = path.join(outdir, 'node_modules', '.stagecraft-toolchain.json');
    const wanted = JSON.stringify(sortKeys(this.devDependencies));
    const stamp = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf-8') : undefined;
    const missing = Object.keys(this.devDependencies).filter((name) => !fs.existsSync(path.join(outdir, 'node_modules', name, 'package.json')));
    const changed = stamp !== undefined && stamp !== wanted;
    if (missing.length === 0 && !changed) {
      return;
    }
    const why = changed ? 'its packages changed' : `${missing.join(', ')} missing`;
    this.project.logger.info(`Installing the .projenrc.ts toolchain (${why}): npm install`);
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: outdir, stdio: ['ignore', 'inherit', 'inherit'] });
    if (install.status !== 0) {
      throw userError(`npm install failed (exit ${install.status ?? install.error?.message}); fix the error above and run "npx projen" again.`);
    }
    fs.writeFileSync(stampFile, wanted);
    if (changed && !process.env.STAGECRAFT_TOOLCHAIN_RESYNTH) {
      this.project.logger.info('The toolchain changed: synthesizing again with the new one.');
      // The project's own projen, run by node: a nested `npx` inherits the outer one's npm_config_call
      // and refuses to run ("npm error code EUSAGE").
      const again = spawnSync(process.execPath, [path.join(outdir, 'node_modules', 'projen', 'bin', 'projen')], {
        cwd: outdir,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, STAGECRAFT_TOOLCHAIN_RESYNTH: '1' },
      });
      if (again.status !== 0) {
        throw userError('Synthesis with the new toolchain failed; fix the error above and run "npx projen" again.');
      }
    }
  }
}

/** True when a listed package other than projen's own set is a stagecraft-based org package. */
function hasDependent(deps: { [name: string]: string }): boolean {
  return Object.keys(deps).some((name) => !['projen', 'constructs', 'tsx', 'typescript', '@types/node'].includes(name));
}

function npmName(projectName: string): string {
  return projectName.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'app';
}

function sortKeys(obj: { [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => a.localeCompare(b)));
}
