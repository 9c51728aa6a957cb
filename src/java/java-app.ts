import * as path from 'path';
import { DependencyType } from 'projen/lib/dependencies';
import { Project } from 'projen/lib/project';
import { TextFile } from 'projen/lib/textfile';
import type { XmlFile } from 'projen/lib/xmlfile';
import { HEALTH_PROBE_CLASS_PATH, HEALTH_PROBE_SOURCE, JavaHealthProbeSource } from './health-probe';
import { DockerfileStage, Instruction, RunMount } from '../dockerfile';
import { AppComponent, AppComponentOptions, AppMetadataOptions, AppProjectKind, ContainerImage, LanguageVersion, RuntimeCopy, RuntimeUser } from '../image';
import { HEALTH_URL, resolveMetadata } from '../image/app-options';
import { StubFile } from '../stubs';
import { assertMatches, assertMaxLength, assertUrl, invalidOption } from '../validation';

/**
 * projen's XmlFile, loaded when a Java app is made: its XML writer (xmlbuilder2) is a tenth of the
 * start-up of every synthesis, which would pay for it with stagecraft's index otherwise.
 */
function xmlFileClass(): typeof XmlFile {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('projen/lib/xmlfile') as typeof import('projen/lib/xmlfile')).XmlFile;
}

/** Options of a {@link JavaApp}. */
export interface JavaAppOptions extends AppComponentOptions, AppMetadataOptions {
  /**
   * Java release (an LTS: "17", "21" or "25"): pom.xml's `maven.compiler.release` and the tags of the builder (`maven:3.9-eclipse-temurin-<N>`) and runtime (`eclipse-temurin:<N>-jre`) images.
   * @default "21"
   * @pjnew "21"
   */
  readonly javaVersion?: string;

  /**
   * Maven groupId of the app.
   * @default "com.example"
   */
  readonly groupId?: string;

  /**
   * Maven artifactId of the app, and the name of its jar in the image (`/app/<artifactId>.jar`).
   * @default - the project name, lower case, other characters than letters, digits, ".", "_" and "-" as "-"
   * @featured
   */
  readonly artifactId?: string;

  /**
   * Fully qualified main class: the jar manifest's `Main-Class`, and where the stub is written (`src/main/java/<package path>/<Class>.java`).
   * @default - "App" in the groupId's package ("com.example.App")
   * @featured
   */
  readonly mainClass?: string;

  /**
   * Runtime dependencies, `groupId:artifactId@version` with an exact version (e.g. "org.slf4j:slf4j-api@2.0.9"), written to pom.xml's `<dependencies>` and copied to the image's `lib/`. More can be added with `addDependency`.
   * @default - none
   * @featured
   */
  readonly deps?: string[];

  /**
   * Test dependencies, `groupId:artifactId@version` (scope `test`): never in the image. The stub's test uses JUnit 5.
   * @default ["org.junit.jupiter:junit-jupiter@5.10.2"]
   */
  readonly testDeps?: string[];

  /**
   * A Maven repository that replaces Maven Central and every other repository, e.g. an org's mirror (`https://maven.example.com/repository/maven-public/`). Written as a `<mirror>` of `*` in `.mvn/settings.xml`, which `.mvn/maven.config` makes Maven read on the developer's machine and in the builder. No credentials are written: give them as a `<server>` with the id "org-mirror" in your own `~/.m2/settings.xml`.
   * @default - Maven Central
   * @featured
   */
  readonly mavenRepository?: string;
}

const OWNER = 'JavaApp';
/** The LTS releases that have official `eclipse-temurin:<N>-jre` and `maven:3.9-eclipse-temurin-<N>` images. */
const JAVA_RELEASES = ['17', '21', '25'];
/** Maven's id rule for groupId and artifactId. */
const MAVEN_ID = /^[A-Za-z0-9_.-]+$/;
/** An exact version: no range (`[1.0,2.0)`), no SNAPSHOT or LATEST, so the image is the same from build to build. */
const MAVEN_VERSION = /^[0-9][A-Za-z0-9_.+-]*$/;
const JAVA_IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const JAVA_KEYWORDS = new Set(('abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for goto if '
  + 'implements import instanceof int interface long native new package private protected public return short static strictfp super switch synchronized this throw throws '
  + 'transient try void volatile while true false null _').split(' '));
const SRC = '/src';
const OUT = '/out';
const APP_DIR = '/app';
const M2_REPOSITORY = '/root/.m2/repository';
const MIRROR_ID = 'org-mirror';
const SETTINGS_FILE = '.mvn/settings.xml';
const MAVEN_CONFIG_FILE = '.mvn/maven.config';
/** The stub test's framework: what Debian 13 packages (junit5) and Maven Central has. */
const DEFAULT_TEST_DEPS = ['org.junit.jupiter:junit-jupiter@5.10.2'];
/**
 * The plugins a build runs, pinned (Maven would otherwise pick its own defaults, which differ by
 * Maven version): the versions Debian 13 packages, which Maven Central has too.
 */
const PLUGINS: { [artifactId: string]: string } = {
  'maven-clean-plugin': '3.2.0',
  'maven-resources-plugin': '3.3.1',
  'maven-compiler-plugin': '3.13.0',
  'maven-surefire-plugin': '2.22.3',
  'maven-jar-plugin': '3.3.0',
  'maven-install-plugin': '3.1.4',
  'maven-dependency-plugin': '3.8.1',
};
/** Fixed jar entry times: the same sources make the same jar, so an unchanged jar leaves its layer alone. */
const OUTPUT_TIMESTAMP = '1980-01-01T00:00:02Z';
const MVN = 'mvn -B -ntp';
/** pom.xml's source encoding, and javac's in the image. */
const SOURCE_ENCODING = 'UTF-8';
/** What the dependency layer's Maven leaves for the source build: the compile class path (in /out/app/lib) and the jar's manifest. */
const CLASSPATH_FILE = `${OUT}/classpath`;
/**
 * What the dependency layer leaves for the runtime's /app, copied in one layer: lib/ (the runtime
 * dependencies) and, for a service, healthprobe/ (the probe's class). One COPY, not two: buildah
 * copies a COPY's files again to look up its cache, so each cached COPY costs a copy.
 */
const APP_DEPS = `${OUT}/app`;
const LIB = `${APP_DEPS}/lib`;
const MANIFEST_DIR = `${OUT}/manifest`;
/** Maven's JVM and javac run briefly: C1 alone and the serial collector start them faster. */
const SHORT_JVM = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/** A Maven coordinate with its version. */
interface MavenDependency {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
}

/**
 * A Java app built by Maven in the official Maven image and packaged on a JRE
 * image as a thin jar beside its dependencies.
 *
 * pom.xml is generated from the options (dependencies, Java release, plugins
 * pinned, a jar whose manifest names the main class and a `Class-Path` of
 * `lib/`). The builder resolves the dependencies and plugins from pom.xml
 * alone, running the build once on an empty source tree (a dependency layer
 * that a source edit reuses, like a "dummy main"), with `~/.m2/repository` a
 * cache mount, and copies the runtime dependencies to `/out/app/lib` in that layer;
 * that Maven run also writes the compile class path (`dependency:build-classpath`,
 * pointing into `/out/app/lib`) and keeps the manifest of the (empty) jar it built,
 * which names the main class and the `Class-Path`. The app's sources are then
 * compiled by javac on that class path, with the pom's release and encoding, and
 * packed by `jar` with that manifest and fixed entry times: Maven's JVM, its
 * model and its plugins start in the dependency layer only, and a source edit
 * reruns javac and jar (measured here on the bench's 16-dependency app: 1.0 s
 * against Maven's 2.2 s; the same sources make the same jar, byte for byte). Compiler
 * settings put into pom.xml through an escape hatch (`pom.addOverride`) reach
 * Maven's builds, not the image's javac. The image build runs no tests: CI runs
 * them with Maven (the `test` task).
 * The runtime copies `lib/` (with a service's probe class) and the jar in two
 * layers: a source-only change rebuilds the jar's layer alone (a few kilobytes
 * for a small app).
 *
 * Runtime: `eclipse-temurin:<N>-jre`, not a jlink'ed runtime. Measured here
 * with Debian's OpenJDK 21: a jlink'ed runtime of the modules the stub uses
 * (java.base, jdk.httpserver; `--no-header-files --no-man-pages
 * --strip-java-debug-attributes`) is 53 MB, 66 MB with java.logging, java.sql,
 * java.naming, java.management, jdk.crypto.ec and jdk.unsupported, against the
 * JRE's 203 MB (openjdk-21-jre-headless); but the modules an app needs change
 * with its dependencies (a JDBC driver needs java.sql, a logger java.logging),
 * and a jlink'ed runtime missing one fails only at run time, on the dependency
 * added later; the JRE runs every app, and its layers are shared by every Java
 * image on a host.
 *
 * Builder instruction ids: `env`, `workdir`; with `mavenRepository`
 * `copy-maven-config`; `copy-pom` (with a port, the probe's source too),
 * `build-deps` (with a port, compiles the probe first), `copy-sources`, `build`.
 * Runtime copies: `deps` (`lib/`, and `healthprobe/` with a port, into `/app`)
 * and `jar`; see {@link ContainerImage}.
 */
export class JavaApp extends AppComponent {
  /** Maven groupId. */
  public readonly groupId: string;
  /** Maven artifactId, and the jar's name. */
  public readonly artifactId: string;
  /** Fully qualified main class. */
  public readonly mainClass: string;
  /** Java release. */
  public readonly javaVersion: string;
  /** The Maven repository that replaces Maven Central, if one is set. */
  public readonly mavenRepository?: string;
  /** pom.xml. */
  public readonly pom: XmlFile;
  /** `.mvn/settings.xml`, with `mavenRepository`. */
  public readonly mavenSettings?: XmlFile;
  /** The builder stage. */
  public readonly builderStage: DockerfileStage;

  /**
   * @param project the project the app is part of
   * @param id the app's id: its folder's default name (`apps/<id>`) and its tasks' prefix
   * @param options the app's options
   */
  constructor(project: Project, id: string, options: JavaAppOptions = {}) {
    super(project, id, { owner: OWNER, options, projectKind: AppProjectKind.NON_NODE, subprojectType: 'JavaAppProject' });
    const name = this.name;
    const home = this.homeProject;

    this.javaVersion = options.javaVersion ?? '21';
    if (!JAVA_RELEASES.includes(this.javaVersion)) {
      throw invalidOption(this.owner, 'javaVersion', this.javaVersion, `Expected a Java LTS release: ${JAVA_RELEASES.map((v) => `"${v}"`).join(', ')}.`);
    }
    const javaVersion = LanguageVersion.parse(this.owner, 'javaVersion', this.javaVersion);

    this.groupId = options.groupId ?? 'com.example';
    assertMatches(this.owner, 'groupId', this.groupId, MAVEN_ID, 'Expected a Maven groupId: letters, digits, ".", "_" and "-", such as "com.example".');
    assertMaxLength(this.owner, 'groupId', this.groupId, 128);
    this.artifactId = options.artifactId ?? (name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'app');
    const artifactOption = options.artifactId !== undefined ? 'artifactId' : `artifactId (derived from name ${JSON.stringify(name)})`;
    assertMatches(this.owner, artifactOption, this.artifactId, /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'Expected a Maven artifactId: letters, digits, ".", "_" and "-", starting with a letter or digit.');
    assertMaxLength(this.owner, artifactOption, this.artifactId, 128);

    this.mainClass = options.mainClass ?? `${javaPackageOf(this.groupId)}.App`;
    const mainOption = options.mainClass !== undefined ? 'mainClass' : `mainClass (derived from groupId ${JSON.stringify(this.groupId)})`;
    assertMaxLength(this.owner, mainOption, this.mainClass, 256);
    const parts = this.mainClass.split('.');
    if (parts.some((p) => !JAVA_IDENTIFIER.test(p) || JAVA_KEYWORDS.has(p))) {
      throw invalidOption(this.owner, mainOption, this.mainClass, 'Expected a fully qualified Java class name such as "com.example.App": identifiers separated by ".", no Java keyword.');
    }

    if (options.mavenRepository !== undefined) {
      assertUrl(this.owner, 'mavenRepository', options.mavenRepository, `Give the repository URL alone; Maven reads credentials from a <server> with the id "${MIRROR_ID}" in ~/.m2/settings.xml.`);
      this.mavenRepository = options.mavenRepository;
    }
    this.declareDependencies(options.deps, options.testDeps ?? DEFAULT_TEST_DEPS);

    const metadata = resolveMetadata(this.owner, name, options, {
      description: `${name}: a Java app built by stagecraft`,
      versionPattern: MAVEN_VERSION,
      versionRule: 'Expected a Maven release version such as "0.1.0" or "1.2.0-rc.1": no range, SNAPSHOT or LATEST.',
    });
    if (/SNAPSHOT|LATEST|RELEASE/i.test(metadata.version)) {
      throw invalidOption(this.owner, 'version', metadata.version, 'Expected a Maven release version such as "0.1.0" or "1.2.0-rc.1": no range, SNAPSHOT or LATEST.');
    }

    // --- pom.xml: lazy, so dependencies added later still land in it.
    this.pom = new (xmlFileClass())(home, this.filePath('pom.xml'), {
      omitEmpty: true,
      obj: () => ({
        project: {
          '@xmlns': 'http://maven.apache.org/POM/4.0.0',
          '@xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
          '@xsi:schemaLocation': 'http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd',
          'modelVersion': '4.0.0',
          'groupId': this.groupId,
          'artifactId': this.artifactId,
          'version': metadata.version,
          'packaging': 'jar',
          'name': name,
          'description': metadata.description,
          'url': metadata.source,
          'licenses': metadata.licenses ? { license: { name: metadata.licenses } } : undefined,
          'properties': {
            'maven.compiler.release': this.javaVersion,
            'project.build.sourceEncoding': SOURCE_ENCODING,
            'project.reporting.outputEncoding': 'UTF-8',
            'project.build.outputTimestamp': OUTPUT_TIMESTAMP,
          },
          'dependencies': {
            dependency: this.dependencies().map((d) => ({
              groupId: d.groupId,
              artifactId: d.artifactId,
              version: d.version,
              scope: d.type === DependencyType.TEST ? 'test' : undefined,
            })),
          },
          'build': {
            // The jar's name is the artifactId alone: the Dockerfile and the image name it.
            finalName: this.artifactId,
            plugins: {
              plugin: Object.entries(PLUGINS).map(([artifactId, version]) => ({
                groupId: 'org.apache.maven.plugins',
                artifactId,
                version,
                configuration: PLUGIN_CONFIGURATION(this.mainClass)[artifactId],
              })),
            },
          },
        },
      }),
    });
    if (this.mavenRepository) {
      this.mavenSettings = new (xmlFileClass())(home, this.filePath(SETTINGS_FILE), {
        obj: {
          settings: {
            '@xmlns': 'http://maven.apache.org/SETTINGS/1.2.0',
            '@xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
            '@xsi:schemaLocation': 'http://maven.apache.org/SETTINGS/1.2.0 https://maven.apache.org/xsd/settings-1.2.0.xsd',
            'mirrors': { mirror: { id: MIRROR_ID, name: 'The repository that replaces every other (mavenRepository)', mirrorOf: '*', url: this.mavenRepository } },
          },
        },
      });
      // Global settings, not user settings: the developer's ~/.m2/settings.xml (credentials) still applies.
      const config = new TextFile(home, this.filePath(MAVEN_CONFIG_FILE), { readonly: true, marker: true });
      config.addLine(`# ${config.marker}`);
      config.addLine(`--global-settings=${SETTINGS_FILE}`);
    }

    // --- Builder: the official Maven image with the app's JDK.
    const builder = new DockerfileStage('builder', {
      from: ContainerImage.baseImage(options, `maven:3.9-eclipse-temurin-${this.javaVersion}`),
    });
    builder.addInstruction(Instruction.env({ MAVEN_OPTS: SHORT_JVM.join(' ') }), 'env');
    builder.addInstruction(Instruction.workdir(SRC), 'workdir');
    if (this.mavenRepository) {
      builder.addInstruction(Instruction.copy(['.mvn'], './.mvn'), 'copy-maven-config');
    }
    const jar = `${this.artifactId}.jar`;
    // The dependency layer depends on pom.xml (and a service's probe source) alone: the probe is
    // compiled, then Maven builds once on an empty source tree, so every plugin and dependency is
    // fetched here, the runtime dependencies are copied to lib/, and the class path and the jar's
    // manifest are kept for the source build. The probe's source arrives with pom.xml: one COPY.
    const probe = this.port !== undefined;
    if (probe) {
      new JavaHealthProbeSource(home, this.filePath(HEALTH_PROBE_SOURCE));
    }
    const probeFile = path.posix.basename(HEALTH_PROBE_SOURCE);
    builder.addInstruction(Instruction.copy(['pom.xml', ...(probe ? [HEALTH_PROBE_SOURCE] : [])], './'), 'copy-pom');
    builder.addInstruction(
      Instruction.run([
        `mkdir -p ${LIB} ${MANIFEST_DIR}`,
        ...(probe ? [`javac --release ${this.javaVersion} -d ${APP_DEPS}/${path.posix.relative(APP_DIR, HEALTH_PROBE_CLASS_PATH)} ${probeFile}`, `rm ${probeFile}`] : []),
        `${MVN} -Dmaven.test.skip=true package dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=${LIB} ` +
          `dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.prefix=${LIB} -Dmdep.outputFile=${CLASSPATH_FILE}`,
        `(cd ${MANIFEST_DIR} && jar --extract --file ${SRC}/target/${jar} META-INF/MANIFEST.MF)`,
        'rm -rf target',
      ], { mounts: [RunMount.cache({ target: M2_REPOSITORY })] }),
      'build-deps',
    );
    builder.addInstruction(Instruction.copy(['src'], './src'), 'copy-sources');
    // No cache mount: what javac reads is in the layers above. Resources are copied as Maven's
    // resources plugin does without filtering.
    builder.addInstruction(
      Instruction.run([
        'mkdir -p target/classes',
        "find src/main/java -name '*.java' > target/sources",
        `javac ${SHORT_JVM.map((f) => `-J${f}`).join(' ')} --release ${this.javaVersion} -encoding ${SOURCE_ENCODING} -g -d target/classes -cp "$(cat ${CLASSPATH_FILE})" @target/sources`,
        '{ ! test -d src/main/resources || cp -R src/main/resources/. target/classes/; }',
        `jar --create --file ${OUT}/${jar} --manifest ${MANIFEST_DIR}/META-INF/MANIFEST.MF --date ${OUTPUT_TIMESTAMP} -C target/classes .`,
      ]),
      'build',
    );
    this.builderStage = builder;

    const copies: RuntimeCopy[] = [
      // lib/ (and the probe) in a layer of their own, before the jar: unchanged unless pom.xml changes.
      { fromStage: 'builder', source: APP_DEPS, destination: APP_DIR, id: 'deps' },
      { fromStage: 'builder', source: `${OUT}/${jar}`, destination: `${APP_DIR}/${jar}`, id: 'jar' },
    ];

    this.createImage({
      ecosystem: 'java',
      languageVersion: javaVersion,
      metadata,
      packageSource: { url: this.mavenRepository, publicIndex: 'Maven Central', file: SETTINGS_FILE },
      buildStages: [builder],
      payload: {
        image: ContainerImage.baseImage(options, `eclipse-temurin:${this.javaVersion}-jre`),
        user: RuntimeUser.debian('app', options.runtimeUid ?? RuntimeUser.DEFAULT_UID),
        copies,
        entrypoint: ['java', '-jar', `${APP_DIR}/${jar}`],
        buildOnlyTools: ['mvn', 'javac'],
        workdir: APP_DIR,
      },
      defaultSizeBudgetMb: 350,
      // No curl in the JRE image: stagecraft's probe class, run by the image's own java with a small heap.
      healthProbe: {
        command: ['java', '-Xmx16m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', HEALTH_PROBE_CLASS_PATH, 'HealthProbe', HEALTH_URL],
      },
      context: [
        'pom.xml',
        'src/',
        ...(this.mavenRepository ? [SETTINGS_FILE, MAVEN_CONFIG_FILE] : []),
        ...(probe ? [HEALTH_PROBE_SOURCE] : []),
      ],
      // The image does not run the tests (CI does): a test edit does not rebuild it.
      contextExcludes: ['src/test', '**/target'],
    });

    // --- Tasks: Maven does the work.
    this.lifecycleTask('compile').exec(`${MVN} compile`);
    this.lifecycleTask('test').exec(`${MVN} test`);
    this.addGitIgnore('/target/');

    if (this.sampleCode) {
      const dot = this.mainClass.lastIndexOf('.');
      const context = {
        ...this.stubContext(),
        packageName: dot > 0 ? this.mainClass.slice(0, dot) : null,
        className: this.mainClass.slice(dot + 1),
      };
      const classPath = this.mainClass.replace(/\./g, '/');
      new StubFile(home, this.filePath(`src/main/java/${classPath}.java`), 'java/App.java.hbs', context, this.stubId('java:main'));
      new StubFile(home, this.filePath(`src/test/java/${classPath}Test.java`), 'java/AppTest.java.hbs', context, this.stubId('java:test'));
      new StubFile(home, this.filePath('README.md'), 'java/README.md.hbs', context, this.stubId('readme'));
    }
  }

  protected checkDependencies(): void {
    this.dependencies();
  }

  /** Adds a test dependency, `groupId:artifactId@version`. */
  public addTestDependency(spec: string): void {
    this.declareDependencies([], [spec]);
  }

  /** Runtime and test dependencies, parsed and validated: runtime first, each sorted by coordinates. */
  private dependencies(): Array<MavenDependency & { type: DependencyType }> {
    return this.declaredDependencies
      .filter((d) => d.type === DependencyType.RUNTIME || d.type === DependencyType.TEST)
      .map((d) => {
        const coordinates = d.name.split(':');
        if (coordinates.length !== 2 || coordinates.some((c) => !MAVEN_ID.test(c) || c.length > 128)) {
          throw invalidOption(this.owner, 'dependency', d.name, 'Expected groupId:artifactId@version, e.g. "org.slf4j:slf4j-api@2.0.9".');
        }
        if (d.version === undefined || !MAVEN_VERSION.test(d.version) || /SNAPSHOT|LATEST|RELEASE/i.test(d.version)) {
          throw invalidOption(this.owner, `version of ${d.name}`, d.version, 'Expected an exact release version such as "2.0.9" (groupId:artifactId@version): no range, SNAPSHOT or LATEST, so the image is the same from build to build.');
        }
        return { groupId: coordinates[0], artifactId: coordinates[1], version: d.version, type: d.type };
      })
      .sort((a, b) => (a.type === b.type ? 0 : a.type === DependencyType.RUNTIME ? -1 : 1) || `${a.groupId}:${a.artifactId}`.localeCompare(`${b.groupId}:${b.artifactId}`));
  }
}

/** The plugins' configuration: the jar's manifest, and surefire in Maven's JVM. */
function PLUGIN_CONFIGURATION(mainClass: string): { [artifactId: string]: object | undefined } {
  return {
    // A thin jar: Main-Class, and Class-Path naming each dependency under lib/ beside the jar.
    'maven-jar-plugin': { archive: { manifest: { mainClass, addClasspath: true, classpathPrefix: 'lib/' } } },
    // Surefire 2.22's forked JVM waits 30 s for an acknowledgement that never comes with JDK 21 (seen
    // with Debian's 2.22.3 and OpenJDK 21): the tests run in Maven's JVM instead.
    'maven-surefire-plugin': { forkCount: 0, useSystemClassLoader: false },
  };
}

/** A Java package made from a groupId: lower case, other characters "_", a keyword or leading digit with "_". */
function javaPackageOf(groupId: string): string {
  return groupId
    .toLowerCase()
    .split('.')
    .filter((s) => s.length > 0)
    .map((s) => s.replace(/[^a-z0-9_]/g, '_'))
    .map((s) => (/^[0-9]/.test(s) || JAVA_KEYWORDS.has(s) ? `_${s}` : s))
    .join('.') || 'app';
}
