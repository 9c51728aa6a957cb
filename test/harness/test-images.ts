import { BuildImageOptions, BuildResult, ContainerEngine } from './engine';

/**
 * The images a test file makes, removed when it ends (`afterAll(() => images.removeAll())`):
 * {@link build} and {@link failedBuild} remember each tag they build, {@link add} one made another way.
 */
export class TestImages {
  private readonly made: Array<[ContainerEngine, string]> = [];

  /** Remembers an image made without {@link build} (tagged, loaded, built by a task): removed with the rest. */
  public add(engine: ContainerEngine, tag: string): void {
    this.made.push([engine, tag]);
  }

  /** Builds the image; a refused build fails the test with the engine's output. */
  public build(engine: ContainerEngine, options: BuildImageOptions): BuildResult {
    this.add(engine, options.tag);
    return engine.mustBuildImage(options);
  }

  /** A build that must fail: its output. One that succeeds fails the test. */
  public failedBuild(engine: ContainerEngine, options: BuildImageOptions): string {
    this.add(engine, options.tag);
    const r = engine.buildImage(options);
    if (r.status === 0) {
      throw new Error(`${engine.name}: the build of ${options.tag} succeeded; it must fail`);
    }
    return r.stdout + r.stderr;
  }

  /** Removes every image remembered, once. */
  public removeAll(): void {
    this.made.splice(0).forEach(([engine, tag]) => engine.removeImage(tag));
  }
}
