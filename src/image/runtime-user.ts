import { Instruction } from '../dockerfile';
import { assertMatches, invalidOption } from '../validation';

const NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** Throws unless the id is a non-root uid or gid: the one rule for `runtimeUid` and every RuntimeUser. */
export function assertNonRootId(owner: string, option: string, id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > 2147483647) {
    throw invalidOption(owner, option, id, 'Expected a non-root numeric id from 1 to 2147483647.');
  }
}

/**
 * The non-root user the runtime stage runs as. USER is always written with
 * numeric ids, so an orchestrator can verify "non-root" without reading
 * /etc/passwd (Kubernetes `runAsNonRoot`).
 */
export class RuntimeUser {
  /** The uid (and gid) of the user an image creates for its app, unless `runtimeUid` says otherwise. */
  public static readonly DEFAULT_UID = 10001;
  /** The uid (and gid) of distroless images' own `nonroot` user. */
  public static readonly DISTROLESS_NONROOT_UID = 65532;

  /** Creates a system user and group with `groupadd`/`useradd` (Debian and Ubuntu based images). */
  public static debian(name: string, uid: number, gid?: number): RuntimeUser {
    const owner = 'RuntimeUser.debian';
    assertMatches(owner, 'name', name, NAME, 'Expected a lowercase user name of at most 32 characters.');
    assertNonRootId(owner, 'uid', uid);
    const g = gid ?? uid;
    assertNonRootId(owner, 'gid', g);
    return new RuntimeUser(uid, g, name, [
      `groupadd --system --gid ${g} ${name}`,
      `useradd --system --uid ${uid} --gid ${g} --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ${name}`,
    ]);
  }

  /** Creates a system user and group with BusyBox `addgroup`/`adduser` (Alpine based images). */
  public static alpine(name: string, uid: number, gid?: number): RuntimeUser {
    const owner = 'RuntimeUser.alpine';
    assertMatches(owner, 'name', name, NAME, 'Expected a lowercase user name of at most 32 characters.');
    assertNonRootId(owner, 'uid', uid);
    const g = gid ?? uid;
    assertNonRootId(owner, 'gid', g);
    return new RuntimeUser(uid, g, name, [
      `addgroup -S -g ${g} ${name}`,
      `adduser -S -D -H -h /nonexistent -s /sbin/nologin -u ${uid} -G ${name} ${name}`,
    ]);
  }

  /** A user the base image already has (e.g. `node` = 1000, distroless `nonroot` = 65532): nothing is created. */
  public static existing(uid: number, gid?: number): RuntimeUser {
    assertNonRootId('RuntimeUser.existing', 'uid', uid);
    const g = gid ?? uid;
    assertNonRootId('RuntimeUser.existing', 'gid', g);
    return new RuntimeUser(uid, g, undefined, []);
  }

  /** Numeric user id. */
  public readonly uid: number;
  /** Numeric group id. */
  public readonly gid: number;
  /** User name, when the image creates the user. */
  public readonly name?: string;
  /** `uid:gid`, as USER names the user and the image's config keeps it. */
  public readonly spec: string;
  private readonly commands: string[];

  private constructor(uid: number, gid: number, name: string | undefined, commands: string[]) {
    this.uid = uid;
    this.gid = gid;
    this.name = name;
    this.commands = commands;
    this.spec = `${uid}:${gid}`;
  }

  /** The RUN that creates the user, if the image must create it. */
  public setupInstruction(): Instruction | undefined {
    return this.commands.length > 0 ? Instruction.run(this.commands) : undefined;
  }

  /** `USER uid:gid`. */
  public userInstruction(): Instruction {
    return Instruction.user(String(this.uid), String(this.gid));
  }
}
