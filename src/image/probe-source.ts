import { Project } from 'projen/lib/project';
import { TextFile } from 'projen/lib/textfile';

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
