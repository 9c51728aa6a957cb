import { JavaApp, JavaAppOptions } from './java-app';
import { AppProject, AppProjectOptions, atRoot } from '../project';

/** Options of a {@link JavaAppProject}. */
export interface JavaAppProjectOptions extends JavaAppOptions, AppProjectOptions {}

/**
 * A Java app built by Maven and packaged on a JRE image as a thin jar beside
 * its dependencies, configured in TypeScript (`.projenrc.ts`).
 *
 * `npx projen` needs Node alone: the project carries a package.json with
 * projen, stagecraft and the TypeScript runner. A JDK and Maven are needed
 * for `npx projen compile` and `test`; the image builds in the official
 * Maven image.
 *
 * @pjid java-app
 */
export class JavaAppProject extends AppProject {
  /** The Java app: pom.xml, stubs, image, tasks. */
  public readonly app: JavaApp;

  constructor(options: JavaAppProjectOptions = {}) {
    super(options);
    // A workspace of one: the app is the project's root (folder ".").
    this.app = new JavaApp(this, 'app', { ...options, folder: atRoot('JavaAppProject', JavaApp.name, options.folder) });
    this.addDriftCheck();
  }
}
