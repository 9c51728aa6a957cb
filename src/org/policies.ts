import * as path from 'path';
import { Component } from 'projen/lib/component';
import { Project } from 'projen/lib/project';
import { IPolicy, PolicySeverity, PolicySubject } from './policy';
import { AppComponent, ContainerImage } from '../image';
import { userError } from '../validation';

/** One violation, as `npx projen` reports it. */
export interface PolicyFinding {
  /** Error or warning. */
  readonly severity: PolicySeverity;
  /** The policy, the app, the file, what is wrong and the offending value. */
  readonly line: string;
}

/**
 * The policies a project is held to, checked at synthesis before anything is
 * written: an error fails `npx projen` and leaves the disk as it was; a
 * warning is printed. Each message names the policy, the app, the file and
 * the offending value.
 */
export class Policies extends Component {
  /** The project's policies, created on first use. */
  public static of(project: Project): Policies {
    const found = project.node.tryFindChild('Policies');
    return found instanceof Policies ? found : new Policies(project);
  }

  private readonly _policies: IPolicy[] = [];

  private constructor(project: Project) {
    super(project, 'Policies');
  }

  /** The policies, in the order they were added. */
  public get all(): IPolicy[] {
    return [...this._policies];
  }

  /** Holds the project to a policy. Names are unique: one rule, one name. */
  public addPolicy(policy: IPolicy): void {
    if (this._policies.some((p) => p.name === policy.name)) {
      throw userError(`Policies: a policy named "${policy.name}" is already in force for "${this.project.name}".`);
    }
    this._policies.push(policy);
  }

  /** What the project breaks: one line per violation, errors and warnings alike. */
  public check(): PolicyFinding[] {
    // Every app component's facts where the project has apps; a ContainerImage used directly otherwise.
    const apps = AppComponent.all(this.project);
    const image = ContainerImage.of(this.project);
    const subjects: Array<[PolicySubject, (file?: string) => string]> = apps.length > 0
      ? apps.map((app) => [PolicySubject.ofApp(app), (file?: string) => path.posix.join(app.folder, file ?? path.posix.basename(app.dockerfilePath))])
      : image ? [[PolicySubject.of(image), (file?: string) => file ?? image.dockerfile.path]] : [];
    return subjects.flatMap(([subject, where]) => this._policies.flatMap((policy) =>
      policy.check(subject).map((v) => ({
        severity: policy.severity,
        line: `policy "${policy.name}" (${policy.severity}), app "${subject.appName}", ${where(v.file)}: ${v.message}` +
          (v.value !== undefined ? ` [value: ${JSON.stringify(v.value)}]` : ''),
      })),
    ));
  }

  public preSynthesize(): void {
    super.preSynthesize();
    const found = this.check();
    for (const w of found.filter((f) => f.severity === PolicySeverity.WARNING)) {
      this.project.logger.warn(w.line);
    }
    const errors = found.filter((f) => f.severity === PolicySeverity.ERROR);
    if (errors.length > 0) {
      throw userError(`${errors.length} policy violation${errors.length > 1 ? 's' : ''}; nothing was written:\n  - ${errors.map((e) => e.line).join('\n  - ')}`);
    }
  }
}
