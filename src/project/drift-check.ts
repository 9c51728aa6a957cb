import * as fs from 'fs';
import * as path from 'path';
import { Component } from 'projen/lib/component';
import { NodePackage } from 'projen/lib/javascript';
import { Project } from 'projen/lib/project';
import { renderFile } from './file-renderer';
import { userError } from '../validation';

/** The environment variable that turns synthesis into a drift check. */
export const DRIFT_CHECK_ENV = 'STAGECRAFT_DRIFT_CHECK';

/** Whether this synthesis is a drift check, which must write nothing. */
export function isDriftCheck(): boolean {
  return !!process.env[DRIFT_CHECK_ENV];
}

/**
 * The `drift` task: fails when a generated file differs from what
 * `.projenrc.ts` produces (edited by hand, or not re-synthesized after an
 * edit), listing the files, and writes nothing: the check runs after every
 * other component has prepared its files and before projen writes or cleans
 * up anything. A stagecraft project type schedules it from its own
 * `preSynthesize` (see {@link DriftCheck.scheduleAfterComponents}), so
 * components added after it, in `.projenrc.ts` too, are compared as they
 * will be written; in another project type, add this component last.
 */
export class DriftCheck extends Component {
  /** The project's drift check, if it has one. */
  public static of(project: Project): DriftCheck | undefined {
    return project.components.find((c): c is DriftCheck => c instanceof DriftCheck);
  }

  private scheduled = false;

  constructor(project: Project) {
    super(project, 'DriftCheck');
    project.addTask('drift', {
      description: 'Fail when a generated file differs from what .projenrc.ts produces; writes nothing',
      env: { [DRIFT_CHECK_ENV]: '1', PROJEN_DISABLE_POST: 'true' },
      steps: [{ spawn: project.defaultTask?.name ?? 'default' }],
    });
  }

  /**
   * Makes the comparison the project's last component: call it from the project's own
   * `preSynthesize`, which projen runs before any component's.
   */
  public scheduleAfterComponents(): void {
    if (this.scheduled || !isDriftCheck()) {
      return;
    }
    this.scheduled = true;
    new DriftComparison(this.project);
  }

  public preSynthesize(): void {
    super.preSynthesize();
    if (isDriftCheck() && !this.scheduled) {
      compare(this.project);
    }
  }
}

/** The comparison, as the project's last component. */
class DriftComparison extends Component {
  constructor(project: Project) {
    super(project, 'DriftComparison');
  }

  public preSynthesize(): void {
    super.preSynthesize();
    compare(this.project);
  }
}

/**
 * Compares every generated file with the disk, the project's and its subprojects' (a Node app in
 * a folder is one); throws, listing what differs.
 */
function compare(project: Project): void {
  const drift = [...driftOf(project, project.outdir), ...project.subprojects.flatMap((sub) => subprojectDrift(sub, project.outdir))];
  if (drift.length > 0) {
    throw userError(
      `Drift: ${drift.length} generated file${drift.length > 1 ? 's' : ''} differ${drift.length > 1 ? '' : 's'} from what .projenrc.ts produces (nothing was written):\n  - ${drift.join('\n  - ')}\n` +
        'Run "npx projen" and commit the result; edit .projenrc.ts, not generated files.',
    );
  }
  project.logger.info('No drift: every generated file is what .projenrc.ts produces.');
}

/**
 * A subproject's drift, and its subprojects': prepared as its synthesis would (projen runs that
 * after the parent's preSynthesize), which then has nothing left to do.
 */
function subprojectDrift(sub: Project, rootdir: string): string[] {
  sub.preSynthesize();
  for (const component of sub.components) {
    component.preSynthesize();
  }
  // projen synthesizes the subproject next: a second preparation would add what the first added
  // again, and a drift check writes nothing.
  sub.synth = () => {};
  return [...driftOf(sub, rootdir), ...sub.subprojects.flatMap((s) => subprojectDrift(s, rootdir))];
}

/** One project's generated files that differ from the disk, relative to `rootdir`. */
function driftOf(project: Project, rootdir: string): string[] {
  // package.json's dependencies are rendered by NodePackage's synthesize step, which writes nothing.
  NodePackage.of(project)?.synthesize();
  const outdir = project.outdir;
  const shown = (file: string) => path.relative(rootdir, path.join(outdir, file)).split(path.sep).join('/');
  const drift: string[] = [];
  const generated = new Set<string>();
  for (const file of project.files) {
    generated.add(file.path);
    const want = renderFile(file);
    const target = path.join(outdir, file.path);
    const have = fs.existsSync(target) ? fs.readFileSync(target, 'utf-8') : undefined;
    if (want === undefined ? have !== undefined : have === undefined) {
      drift.push(`${shown(file.path)} (${have === undefined ? 'missing' : 'no longer generated'})`);
    } else if (want !== have) {
      drift.push(`${shown(file.path)} (differs)`);
    }
  }
  const manifest = path.join(outdir, '.projen', 'files.json');
  const before: string[] = fs.existsSync(manifest) ? JSON.parse(fs.readFileSync(manifest, 'utf-8')).files ?? [] : [];
  for (const file of before.filter((f) => !generated.has(f) && fs.existsSync(path.join(outdir, f)))) {
    drift.push(`${shown(file)} (no longer generated)`);
  }
  return drift;
}
