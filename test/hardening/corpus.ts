import { Project } from 'projen';
import { NodePackageManager } from 'projen/lib/javascript';
import {
  ContainerOptions,
  Dockerfile,
  GoAppProject,
  GoAppProjectOptions,
  GoRuntime,
  JavaAppProject,
  JavaAppProjectOptions,
  NodeAppKind,
  NodeAppProject,
  NodeAppProjectOptions,
  PipAppProject,
  PipAppProjectOptions,
  PoetryAppProject,
  PoetryAppProjectOptions,
  PyprojectLayout,
  RustAppProject,
  RustAppProjectOptions,
  RustRuntime,
} from '../../src';

/** Every combination of the given choices (a cartesian product of option fragments). */
function combinations<T extends object>(dimensions: Array<Array<Partial<T>>>): Array<Partial<T>> {
  return dimensions.reduce<Array<Partial<T>>>((acc, dim) => acc.flatMap((a) => dim.map((d) => ({ ...a, ...d }))), [{}]);
}

export const PYTHON = combinations<PoetryAppProjectOptions>([
  [{ pythonVersion: '3.11' }, { pythonVersion: '3.13' }, { pythonVersion: '3.14.1' }],
  [{}, { builderImageVariant: 'bookworm' }, { builderImageVariant: 'alpine' }, { builderImageVariant: 'slim-trixie' }],
  [{}, { port: 8000 }],
  [{}, { deps: ['requests@^2.32', 'httpx@>=0.27,<1'], testDeps: [] }],
  [{}, { pyprojectLayout: PyprojectLayout.POETRY_LEGACY }, { packageIndex: 'https://pypi.example.com/simple/', packageIndexSecret: 'netrc', imageRegistry: 'mirror.example.com/hub' }],
]);

export const PIP = combinations<PipAppProjectOptions>([
  [{ pythonVersion: '3.11' }, { pythonVersion: '3.13' }],
  [{}, { builderImageVariant: 'alpine' }, { builderImageVariant: 'slim-trixie' }],
  [{}, { port: 8000 }],
  [{}, { deps: ['requests@>=2.32,<3'], testDeps: [], packageIndex: 'https://pypi.example.com/simple/', packageIndexSecret: 'netrc', imageRegistry: 'mirror.example.com/hub' }],
]);

export const GO = combinations<GoAppProjectOptions>([
  [{ goVersion: '1.24' }, { goVersion: '1.27', toolchain: 'go1.27.4' }],
  [{ runtime: GoRuntime.DISTROLESS }, { runtime: GoRuntime.SCRATCH }],
  [{}, { port: 8080 }],
  [{}, { deps: ['golang.org/x/text@v0.22.0'], replaces: { 'example.com/lib': './lib' } }],
  [{}, { builderImageVariant: 'bookworm', imageRegistry: 'mirror.example.com/hub' }, { imageLabels: { 'com.example.team': 'tools' } }],
]);

export const RUST = combinations<RustAppProjectOptions>([
  [{ rustVersion: '1.85' }, { rustVersion: '1.97.1', builderImageVariant: 'trixie' }],
  [{ runtime: RustRuntime.DISTROLESS_CC }, { runtime: RustRuntime.DISTROLESS_STATIC }],
  [{}, { port: 8080 }],
  [{}, { deps: ['cfg-if@1.0'], crateRegistry: 'https://crates.example.com/index/', imageRegistry: 'mirror.example.com/hub' }],
]);

export const JAVA = combinations<JavaAppProjectOptions>([
  [{ javaVersion: '21' }, { javaVersion: '17', groupId: 'org.acme', mainClass: 'org.acme.ledger.Main' }],
  [{}, { port: 8080 }],
  [{}, { deps: ['org.slf4j:slf4j-api@2.0.9'], mavenRepository: 'https://maven.example.com/repository/maven-public/', imageRegistry: 'mirror.example.com/hub' }],
]);

export const NODE = combinations<NodeAppProjectOptions>([
  [{ nodeVersion: '20' }, { nodeVersion: '22' }, { nodeVersion: '24' }, { nodeVersion: '26' }],
  [{}, { appKind: NodeAppKind.STATIC_SITE }],
  [{ packageManager: NodePackageManager.NPM }, { packageManager: NodePackageManager.YARN_CLASSIC }, { packageManager: NodePackageManager.PNPM }],
  [{}, { nodeImageVariant: 'alpine' }, { port: 9000, imageRegistry: 'mirror.example.com/hub' }],
]);

/** One project type with one option set of the corpus. */
export interface CorpusCase {
  /** Type, index and options, e.g. `go-app #3 {"goVersion":"1.24",...}`. */
  readonly name: string;
  /** A new project object on `outdir`, as each run of `.projenrc.ts` makes one; `shared` over the case's options. */
  readonly make: (outdir: string, shared?: ContainerOptions) => Project & { readonly dockerfile: Dockerfile };
}

/** Every project type with every option set: 304 cases. */
export const CORPUS: CorpusCase[] = [
  ...PYTHON.map((o, i) => ({ name: `poetry-app #${i} ${JSON.stringify(o)}`, make: (outdir: string, shared: ContainerOptions = {}) => new PoetryAppProject({ name: 'corpus', outdir, ...o, ...shared }) })),
  ...PIP.map((o, i) => ({ name: `pip-app #${i} ${JSON.stringify(o)}`, make: (outdir: string, shared: ContainerOptions = {}) => new PipAppProject({ name: 'corpus', outdir, ...o, ...shared }) })),
  ...GO.map((o, i) => ({ name: `go-app #${i} ${JSON.stringify(o)}`, make: (outdir: string, shared: ContainerOptions = {}) => new GoAppProject({ name: 'corpus', outdir, ...o, ...shared }) })),
  ...RUST.map((o, i) => ({ name: `rust-app #${i} ${JSON.stringify(o)}`, make: (outdir: string, shared: ContainerOptions = {}) => new RustAppProject({ name: 'corpus', outdir, ...o, ...shared }) })),
  ...JAVA.map((o, i) => ({ name: `java-app #${i} ${JSON.stringify(o)}`, make: (outdir: string, shared: ContainerOptions = {}) => new JavaAppProject({ name: 'corpus', outdir, ...o, ...shared }) })),
  ...NODE.map((o, i) => ({ name: `node-app #${i} ${JSON.stringify(o)}`, make: (outdir: string, shared: ContainerOptions = {}) => new NodeAppProject({ name: 'corpus', defaultReleaseBranch: 'main', outdir, ...o, ...shared }) })),
];
