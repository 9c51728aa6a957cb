import * as fs from 'fs';
import * as path from 'path';
import { Component } from 'projen/lib/component';
import { JsonFile } from 'projen/lib/json';
import { Project } from 'projen/lib/project';
import { Task } from 'projen/lib/task';
import { TextFile } from 'projen/lib/textfile';
import type { ImageExpectations } from './verify-image';
import { userError } from '../validation';

/** Where the verifier and what it checks are written in the project. */
export const VERIFY_SCRIPT = '.stagecraft/verify.js';
export const VERIFY_EXPECTATIONS = '.stagecraft/verify.json';

/**
 * How long a service gets to pass its health probe, and a command-line app to exit 0, after its
 * command starts. Longer than a stub app needs on a busy build host; a slower app fails `verify`.
 */
export const VERIFY_START_SECONDS = 30;

/**
 * The compiled verifier (stagecraft's `lib/image/verify-image.js`): the same file from stagecraft's
 * sources (tests) and from the installed package, read once.
 */
const VERIFIER = path.resolve(__dirname, '..', '..', 'lib', 'image', 'verify-image.js');
let verifierSource: string[] | undefined;

function verifierLines(): string[] {
  if (!verifierSource) {
    if (!fs.existsSync(VERIFIER)) {
      throw userError(`stagecraft: ${VERIFIER} is missing: stagecraft is not compiled (run "npx projen compile" in stagecraft).`);
    }
    verifierSource = fs.readFileSync(VERIFIER, 'utf-8')
      .split('\n')
      // The compiler's inline source map points into stagecraft's sources: not the project's.
      .filter((line) => !line.startsWith('//# sourceMappingURL='));
    while (verifierSource.length > 0 && verifierSource[verifierSource.length - 1] === '') {
      verifierSource.pop();
    }
  }
  return verifierSource;
}

/** The verifier program in the project: it runs with Node alone, however stagecraft is installed. */
class VerifierScript extends TextFile {
  constructor(project: Project, filePath: string) {
    super(project, filePath, { readonly: true, marker: true });
    this.addLine(`// ${this.marker}`);
    for (const line of verifierLines()) {
      this.addLine(line);
    }
  }
}

/** What {@link ImageVerification} checks and how it builds the image. */
export interface ImageVerificationProps {
  /** The facts, from the model. */
  readonly expectations: ImageExpectations;
  /** The task that builds the image. */
  readonly buildTask: Task;
  /**
   * The app's folder, relative to the project: the files are written in its `.stagecraft/`, and the task runs there.
   * @default "."
   */
  readonly folder?: string;
  /**
   * Name of the task.
   * @default "verify"
   */
  readonly taskName?: string;
}

/**
 * `npx projen verify`: the project proves its own image. It picks the container engine, builds
 * the image with `docker:build`, then runs the verifier on it, which checks the image against
 * `.stagecraft/verify.json` (the model's facts, written once here) and prints a report.
 */
export class ImageVerification extends Component {
  /** The `verify` task. */
  public readonly task: Task;

  constructor(project: Project, props: ImageVerificationProps) {
    super(project, props.folder && props.folder !== '.' ? `ImageVerification@${props.folder}` : 'ImageVerification');
    const folder = props.folder ?? '.';
    const inFolder = (file: string) => (folder === '.' ? file : path.posix.join(folder, file));
    new JsonFile(project, inFolder(VERIFY_EXPECTATIONS), { obj: props.expectations, marker: true, readonly: true });
    new VerifierScript(project, inFolder(VERIFY_SCRIPT));
    this.task = project.addTask(props.taskName ?? 'verify', {
      ...(folder === '.' ? {} : { cwd: folder }),
      description: 'Build the image with the installed container engine ($CONTAINER_ENGINE, else docker, podman or buildah) and check it: '
        + 'a non-root user, no build tools, the size budget, the command starts, and a service passes its health probe',
    });
    // The engine is picked once; docker:build and the checks get it as CONTAINER_ENGINE.
    this.task.exec(`node ${VERIFY_SCRIPT} engine`, { outputEnv: 'CONTAINER_ENGINE' });
    this.task.spawn(props.buildTask);
    this.task.exec(`node ${VERIFY_SCRIPT} check ${VERIFY_EXPECTATIONS}`);
  }
}
