import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cacheDir, SCRIPTS } from '../harness';
import { mustExec } from '../harness/command';
import { startStaticFileServer } from '../harness/static-file-server';

/** The Java root that scripts/javaroot makes: Debian 13's OpenJDK 21, Maven 3.9 and packaged Maven artifacts. */
export const JAVA_ROOT = path.join(cacheDir(), 'javaroot');

export interface MavenMirror {
  /** The repository URL, `http://127.0.0.1:PORT/`: what `mavenRepository` takes. */
  readonly url: string;
  /** Requests it answered, e.g. `GET /org/junit/jupiter/junit-jupiter/5.10.2/junit-jupiter-5.10.2.pom 200`. */
  readonly log: string[];
  stop(): Promise<void>;
}


/**
 * A Maven repository on 127.0.0.1 serving Debian's packaged Maven artifacts
 * (/usr/share/maven-repo of the Java root): copied with its symbolic links
 * resolved inside the root (the jars are links to /usr/share/java), with a
 * `.sha1` beside each file as a real repository has. What an org's Maven
 * Central mirror serves, with Debian's builds of the plugins and JUnit. Makes (or finds up to
 * date) the Java root first.
 */
export async function startMavenMirror(): Promise<MavenMirror> {
  mustExec(path.join(SCRIPTS, 'javaroot'), []); // idempotent: seconds when the root is current
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'java-maven-mirror-'));
  const root = path.join(work, 'repo');
  const logFile = path.join(work, 'requests.log');
  mustExec(path.join(SCRIPTS, 'in-toolroot'), ['--root', JAVA_ROOT, work, '--', 'cp', '-rL', '/usr/share/maven-repo', root]);
  const checksum = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        checksum(file);
      } else if (!entry.name.endsWith('.sha1')) {
        fs.writeFileSync(`${file}.sha1`, crypto.createHash('sha1').update(fs.readFileSync(file)).digest('hex'));
      }
    }
  };
  checksum(root);
  const server = await startStaticFileServer(root, logFile, 'Maven mirror');
  const port = server.port;
  return {
    url: `http://127.0.0.1:${port}/`,
    get log() {
      return server.log;
    },
    stop: async () => {
      server.stop();
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}
