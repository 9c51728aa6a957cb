import { GoApp, GoAppOptions } from './go-app';
import { AppProject, AppProjectOptions, atRoot } from '../project';

/** Options of a {@link GoAppProject}. */
export interface GoAppProjectOptions extends GoAppOptions, AppProjectOptions {}

/**
 * A Go binary packaged as a static executable in a distroless (or scratch)
 * image, configured in TypeScript (`.projenrc.ts`).
 *
 * @pjid go-app
 */
export class GoAppProject extends AppProject {
  /** The Go app: go.mod, stubs, image, tasks. */
  public readonly app: GoApp;

  constructor(options: GoAppProjectOptions = {}) {
    super(options);
    // A workspace of one: the app is the project's root (folder "."), its files where they always were.
    this.app = new GoApp(this, 'app', { ...options, folder: atRoot('GoAppProject', GoApp.name, options.folder) });
    this.addDriftCheck();
  }
}
