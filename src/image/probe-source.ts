import { Project } from 'projen/lib/project';
import { TextFile } from 'projen/lib/textfile';
import type { HealthProbe } from './app-component';
import { HEALTH_URL } from './app-options';
import type { RuntimeCopy } from './container-image';

/**
 * The source of stagecraft's own health probe for an image without a shell or curl
 * (distroless, scratch), in the app's language: a generated, read-only file whose first
 * line is projen's marker as a `//` comment, which Go, Rust, Java and C-like languages share.
 * The builder compiles it on its own, so the app need not implement a probe flag.
 */
export class ProbeSourceFile extends TextFile {
  /**
   * @param filePath where the source is written, in the app's folder
   * @param source the probe's source lines
   */
  constructor(project: Project, filePath: string, source: readonly string[]) {
    super(project, filePath, { readonly: true, marker: true });
    this.addLine(`// ${this.marker}`);
    this.addLine('');
    for (const line of source) {
      this.addLine(line);
    }
  }
}

/**
 * A probe compiled in the builder (Go's and Rust's, for images without a shell or curl): built to
 * `/out/healthprobe` in the `builder` stage; the runtime gets it at `/stagecraft/healthprobe`, and
 * the HEALTHCHECK runs it on the app's URL.
 */
export const COMPILED_PROBE = {
  /** Where the builder writes it. */
  built: '/out/healthprobe',
  /** Where the runtime image has it. */
  path: '/stagecraft/healthprobe',
};

/** The runtime's copy of the compiled probe, and the probe command the HEALTHCHECK runs. */
export function compiledProbe(): { copy: RuntimeCopy; healthProbe: HealthProbe } {
  return {
    copy: { fromStage: 'builder', source: COMPILED_PROBE.built, destination: COMPILED_PROBE.path, id: 'healthprobe' },
    healthProbe: { command: [COMPILED_PROBE.path, HEALTH_URL] },
  };
}

/**
 * Shell steps that fail the build, saying `error: <message>`, when `binary` is dynamically linked:
 * a runtime without a C library (distroless static, scratch) could not start it. No pipe: a
 * failing readelf must fail the step, not read as "static".
 */
export function staticBinaryCheck(binary: string, message: string): string[] {
  return [
    `readelf -l ${binary} > /tmp/program-headers`,
    `if grep -q "program interpreter" /tmp/program-headers; then echo "error: ${message}" >&2; exit 1; fi`,
  ];
}
