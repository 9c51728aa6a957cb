import { RustApp, RustAppOptions } from './rust-app';
import { AppProject, AppProjectOptions, atRoot } from '../project';

/** Options of a {@link RustAppProject}. */
export interface RustAppProjectOptions extends RustAppOptions, AppProjectOptions {}

/**
 * A Rust binary built by cargo and packaged in a distroless image,
 * configured in TypeScript (`.projenrc.ts`).
 *
 * @pjid rust-app
 */
export class RustAppProject extends AppProject {
  /** The Rust app: Cargo.toml, stubs, image, tasks. */
  public readonly app: RustApp;

  constructor(options: RustAppProjectOptions = {}) {
    super(options);
    // A workspace of one: the app is the project's root (folder "."), its files where they always were.
    this.app = new RustApp(this, 'app', { ...options, folder: atRoot('RustAppProject', RustApp.name, options.folder) });
    this.addDriftCheck();
  }
}
