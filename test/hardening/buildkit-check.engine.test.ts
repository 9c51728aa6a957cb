import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Project } from 'projen';
import { CORPUS } from './corpus';
import { BaseImage, ContainerImage, Dockerfile, DockerfileStage, Instruction, LintSeverity, lintDockerfile, PoetryAppProject, PolicySubject } from '../../src';
import { BUILDAH, BUILT_IN_FRONTEND, CheckResult, DOCKER, ENGINES, ensureEngineReady } from '../harness';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

/**
 * BuildKit's own build checks, those `docker build --check` runs, as an oracle outside the
 * project: every Dockerfile the corpus generates passes them all; every rule they find in a
 * Dockerfile, the lint gate finds too; and the generated `# check=` directive makes Docker refuse
 * what they find, while buildah reads it as a comment.
 */

jest.setTimeout(20 * 60 * 1000);

const describeDocker = ENGINES.includes(DOCKER) ? describe : describe.skip;

beforeAll(() => ensureEngineReady());

/** The rules a Dockerfile's `# check=skip=...` directive names. */
function skippedRules(dockerfile: string): string[] {
  const directive = /^# check=(.*)$/m.exec(dockerfile)?.[1] ?? '';
  return directive.split(';').filter((o) => o.startsWith('skip=')).flatMap((o) => o.slice('skip='.length).split(','));
}

describeDocker('BuildKit --check', () => {
  test('every Dockerfile of the lint corpus passes BuildKit\'s build checks, experimental ones included, with no warning', () => {
    let start = performance.now();
    // One folder per distinct Dockerfile and .dockerignore: the check reads nothing else of the context.
    const distinct = new Map<string, { dir: string; dockerfile: string; baseImages: string[]; cases: string[] }>();
    for (const { name, make } of CORPUS) {
      const dir = tempDir('buildkit-check-');
      const project = synthesize(() => make(dir, BUILT_IN_FRONTEND));
      const dockerfile = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8');
      const key = `${dockerfile}\0${fs.readFileSync(path.join(dir, '.dockerignore'), 'utf-8')}`;
      const seen = distinct.get(key);
      if (seen) {
        seen.cases.push(name);
        fs.rmSync(dir, { recursive: true, force: true });
        continue;
      }
      const baseImages = PolicySubject.of(ContainerImage.of(project)!).baseImages.map((image) => image.reference).filter((r) => r !== 'scratch');
      distinct.set(key, { dir, dockerfile, baseImages: [...new Set(baseImages)], cases: [name] });
    }
    const synthSeconds = (performance.now() - start) / 1000;

    start = performance.now();
    const targets = [...distinct.values()];
    const results = DOCKER.checkDockerfiles(targets.map((t) => ({ contextDir: t.dir, baseImages: t.baseImages })), { experimentalRules: true });
    const checkSeconds = (performance.now() - start) / 1000;

    const caseOf = (r: CheckResult) => targets.find((t) => t.dir === r.target.contextDir)!;
    const errors = results.filter((r) => r.error !== undefined).map((r) => `${caseOf(r).cases[0]}: ${r.error}`);
    // BuildKit runs an experimental rule even when the directive skips it; a build that enables
    // experimental rules after the directive (the generated one does not) would too.
    const all = results.flatMap((r) =>
      r.warnings.map((w) => ({ ...w, skipped: skippedRules(caseOf(r).dockerfile).includes(w.rule), where: caseOf(r).cases[0] })));
    const warnings = all.filter((w) => !w.skipped).map((w) => `${w.where}: line ${w.line}: ${w.rule}: ${w.detail}`);
    const skipped = all.filter((w) => w.skipped);
    // eslint-disable-next-line no-console
    console.log(
      `BuildKit --check: ${CORPUS.length} combinations, ${distinct.size} Dockerfiles, ${warnings.length} warnings, ${errors.length} not checked ` +
        `(every rule, experimental ones included; not counted: ${skipped.length} of ${[...new Set(skipped.map((w) => w.rule))].join(', ') || 'no rule'}, ` +
        `skipped by the Dockerfile's # check= directive); synthesis ${synthSeconds.toFixed(1)} s, check ${checkSeconds.toFixed(1)} s`,
    );
    expect(results).toHaveLength(distinct.size);
    expect(distinct.size).toBeGreaterThanOrEqual(200);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

/** The gate's rules that BuildKit has under another name. */
const BUILDKIT_NAME: Record<string, string> = { DL3000: 'WorkdirRelativePath', DL3024: 'DuplicateStageName', DL3025: 'JSONArgsRecommended' };

/** A Dockerfile that the gate and BuildKit both find clean. */
const GOOD = [
  'ARG BASE=python:3.13-slim',
  'FROM ${BASE} AS builder',
  'ARG VERSION=1',
  'ENV APP_VERSION="${VERSION}"',
  'WORKDIR /app',
  'RUN echo build > /app/out',
  'FROM python:3.13-slim AS runtime',
  'COPY --from=builder /app /app',
  'USER 10001:10001',
  'EXPOSE 8000/tcp',
  'CMD ["python", "-m", "app"]',
].join('\n');
const swap = (from: string, to: string) => {
  if (!GOOD.includes(from)) {
    throw new Error(`no "${from}" in the sample`);
  }
  return GOOD.replace(from, to);
};

/**
 * Variants of {@link GOOD}, each made to trip the BuildKit rule it is named after. Not here:
 * InvalidBaseImagePlatform (decided by the pulled image, not the text) and CopyIgnoredFile (see
 * lintDockerfile).
 */
const SAMPLES: Array<[rule: string, text: string]> = [
  ['StageNameCasing', swap('AS runtime', 'AS Runtime')],
  ['FromAsCasing', swap('AS runtime', 'as runtime')],
  ['NoEmptyContinuation', swap('RUN echo build', 'RUN echo \\\n\n  build')],
  ['ConsistentInstructionCasing', swap('WORKDIR /app', 'workdir /app')],
  ['DuplicateStageName', swap('AS runtime', 'AS builder')],
  ['ReservedStageName', swap('AS runtime', 'AS context')],
  ['JSONArgsRecommended', swap('CMD ["python", "-m", "app"]', 'CMD python -m app')],
  ['JSONArgsRecommended', swap('CMD ["python", "-m", "app"]', 'ENTRYPOINT python -m app')],
  ['MaintainerDeprecated', swap('WORKDIR /app', 'WORKDIR /app\nMAINTAINER dev@example.com')],
  ['UndefinedArgInFrom', swap('FROM ${BASE} AS builder', 'FROM ${BASEIMAGE:-python:3.13-slim} AS builder')],
  ['WorkdirRelativePath', swap('WORKDIR /app', 'WORKDIR app')],
  ['UndefinedVar', swap('"${VERSION}"', '"${VERSON}"')],
  ['UndefinedVar', swap('USER 10001:10001', 'USER ${APP_UID}')],
  ['UndefinedVar', swap('COPY --from=builder /app /app', 'COPY --from=builder /app ${APP_HOME}')],
  ['UndefinedVar', swap('EXPOSE 8000/tcp', 'EXPOSE 8000/tcp\nLABEL version="$APP_VERSION"')],
  ['MultipleInstructionsDisallowed', swap('CMD ["python", "-m", "app"]', 'CMD ["python"]\nCMD ["python", "-m", "app"]')],
  ['MultipleInstructionsDisallowed', swap('EXPOSE 8000/tcp', 'EXPOSE 8000/tcp\nHEALTHCHECK CMD ["true"]\nHEALTHCHECK NONE')],
  ['LegacyKeyValueFormat', swap('ENV APP_VERSION="${VERSION}"', 'ENV APP_VERSION ${VERSION}')],
  ['LegacyKeyValueFormat', swap('EXPOSE 8000/tcp', 'EXPOSE 8000/tcp\nLABEL team platform')],
  ['RedundantTargetPlatform', swap('FROM python:3.13-slim AS runtime', 'FROM --platform=$TARGETPLATFORM python:3.13-slim AS runtime')],
  ['SecretsUsedInArgOrEnv', swap('ARG VERSION=1', 'ARG VERSION=1\nARG NPM_TOKEN')],
  ['SecretsUsedInArgOrEnv', swap('ARG VERSION=1', 'ARG VERSION=1\nENV github_auth=x')],
  ['SecretsUsedInArgOrEnv', swap('ARG VERSION=1', 'ARG VERSION=1\nARG SIGNING_KEY')],
  ['InvalidDefaultArgInFrom', swap('ARG BASE=python:3.13-slim', 'ARG BASE')],
  ['InvalidDefaultArgInFrom', swap('ARG BASE=python:3.13-slim', 'ARG BASE=python:3.13-slim\nARG TAG').replace('FROM python:3.13-slim AS runtime', 'FROM python:${TAG} AS runtime')],
  ['FromPlatformFlagConstDisallowed', swap('FROM python:3.13-slim AS runtime', 'FROM --platform=linux/amd64 python:3.13-slim AS runtime')],
  ['ExposeProtoCasing', swap('EXPOSE 8000/tcp', 'EXPOSE 8000/TCP')],
  ['ExposeInvalidFormat', swap('EXPOSE 8000/tcp', 'EXPOSE 127.0.0.1:8000:8000/tcp')],
  ['ExposeInvalidFormat', swap('EXPOSE 8000/tcp', 'EXPOSE 8000:8000')],
  ['InvalidDefinitionDescription', swap('FROM python:3.13-slim AS runtime', '# the image that ships\nFROM python:3.13-slim AS runtime')],
  ['InvalidDefinitionDescription', swap('ARG VERSION=1', '# the app version\n\nARG VERSION=1')],
  ['InvalidDefinitionDescription', swap('ARG BASE=python:3.13-slim', '# the base image\nARG BASE=python:3.13-slim')],
];

describeDocker('BuildKit --check and the lint gate', () => {
  test('the lint gate finds every rule BuildKit finds, at its line: an error where a `# check=error=true` build fails, a warning for an experimental rule', () => {
    const dir = tempDir('buildkit-samples-');
    const texts = [...SAMPLES.map(([, text]) => text), GOOD];
    texts.forEach((text, i) => fs.writeFileSync(path.join(dir, `Dockerfile.${i}`), text + '\n'));
    const targets = texts.map((_t, i) => ({ contextDir: dir, dockerfile: `Dockerfile.${i}`, baseImages: ['python:3.13-slim'] }));
    // The rules a build runs by default, then every rule: those found only then are experimental.
    const byDefault = DOCKER.checkDockerfiles(targets);
    const experimental = DOCKER.checkDockerfiles(targets, { experimentalRules: true });
    const found = (r: CheckResult) => r.warnings.map((w) => `${w.rule}@${w.line}`);
    const missed: string[] = [];
    const report = texts.map((text, i) => {
      const name = i < SAMPLES.length ? `${SAMPLES[i][0]} #${i}` : 'GOOD';
      const gate = lintDockerfile(text).map((f) => ({ rule: BUILDKIT_NAME[f.rule] ?? f.rule, line: f.line, severity: f.severity }));
      const requireInGate = (warning: string, severity: LintSeverity) => {
        const [rule, line] = warning.split('@');
        // BuildKit puts an empty continuation at the instruction's last line, the gate at its first.
        const hit = gate.some((f) => f.rule === rule && f.severity === severity && (rule === 'NoEmptyContinuation' || f.line === Number(line)));
        if (!hit) {
          missed.push(`${name}: BuildKit ${warning}, the gate has no ${severity} there (gate: ${gate.map((f) => `${f.rule}@${f.line}:${f.severity}`).join(' ') || 'nothing'})`);
        }
      };
      const defaults = found(byDefault[i]);
      const experimentalOnly = found(experimental[i]).filter((w) => !defaults.includes(w));
      defaults.forEach((w) => requireInGate(w, LintSeverity.ERROR));
      experimentalOnly.forEach((w) => requireInGate(w, LintSeverity.WARNING));
      return { name, rule: i < SAMPLES.length ? SAMPLES[i][0] : undefined, defaults, experimentalOnly };
    });
    // eslint-disable-next-line no-console
    console.log(`BuildKit --check against the lint gate, ${SAMPLES.length} samples:\n` +
      report.map((r) => `  ${r.name}: BuildKit ${[...r.defaults, ...r.experimentalOnly.map((w) => `${w} (experimental)`)].join(' ') || 'nothing'}`).join('\n'));
    // Each sample trips the rule it is named after, so a rule that goes missing from BuildKit shows here.
    expect(report.filter((r) => r.rule !== undefined && ![...r.defaults, ...r.experimentalOnly].some((w) => w.startsWith(`${r.rule}@`))).map((r) => r.name)).toEqual([]);
    expect(report[report.length - 1]).toMatchObject({ defaults: [], experimentalOnly: [] });
    expect(missed).toEqual([]);
  });
});

describe('the generated `# check=` directive', () => {
  /** A Dockerfile model in a bare project, as any app type writes one; `platform` breaks a BuildKit rule. */
  function write(platform?: string): { dir: string; dockerfile: Dockerfile } {
    const project = new Project({ name: 'check-directive', outdir: tempDir('check-directive-') });
    const dockerfile = new Dockerfile(project, { syntax: BUILT_IN_FRONTEND.dockerfileSyntax });
    const stage = new DockerfileStage('runtime', { from: BaseImage.of('python:3.13-slim'), platform });
    stage.addInstruction(Instruction.user('10001', '10001'));
    stage.addInstruction(Instruction.cmd(['python3', '-c', 'print("built")']));
    dockerfile.addStage(stage);
    return { dir: project.outdir, dockerfile };
  }

  test.each(ENGINES)('%s builds and runs a generated Dockerfile that starts with it', (engine) => {
    const { dir, dockerfile } = write();
    dockerfile.project.synth();
    const text = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf-8');
    expect(text.split('\n')[0]).toBe('# check=skip=CopyIgnoredFile;error=true');
    const tag = `localhost/stagecraft-check/directive-${engine.name}:1`;
    try {
      engine.mustBuildImage({ contextDir: dir, tag });
      expect(engine.runImage(tag).stdout.trim()).toBe('built');
    } finally {
      engine.removeImage(tag);
    }
  });

  test('the gate refuses what BuildKit flags; Docker refuses to build the same text, buildah reads the directive as a comment', () => {
    const { dir, dockerfile } = write('linux/amd64');
    expect(() => synthesize(() => dockerfile.project)).toThrow(/Dockerfile fails the lint gate; nothing was written:\n {2}- line 3: FromPlatformFlagConstDisallowed: --platform=linux\/amd64 is a constant/);
    expect(fs.existsSync(path.join(dir, 'Dockerfile'))).toBe(false);
    // The same text, written by hand: the escape hatch stagecraft cannot see.
    fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile.render());
    for (const engine of new Set([BUILDAH, ...ENGINES])) {
      const tag = `localhost/stagecraft-check/refused-${engine.name}:1`;
      try {
        const built = engine.buildImage({ contextDir: dir, tag });
        if (engine === DOCKER) {
          expect(built.status).not.toBe(0);
          expect(built.stdout + built.stderr).toMatch(/lint violation found for rules: FromPlatformFlagConstDisallowed/);
        } else {
          expect(built.stderr.slice(-2000)).not.toMatch(/^Error/m);
          expect(built.status).toBe(0);
        }
      } finally {
        engine.removeImage(tag);
      }
    }
  });
});

describeDocker('the `# syntax=` directive\'s frontend image', () => {
  test('Docker pulls it from imageRegistry, not Docker Hub, pinned when pinned; without the directive it pulls none', () => {
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const cases: Array<[options: { imageRegistry?: string; dockerfileSyntax?: string }, frontend: string | undefined]> = [
      [{ imageRegistry: 'mirror.example.com/hub' }, 'mirror.example.com/hub/docker/dockerfile:1'],
      [{ imageRegistry: 'mirror.example.com/hub', dockerfileSyntax: `mirror.example.com/hub/docker/dockerfile:1.17@${digest}` }, `mirror.example.com/hub/docker/dockerfile:1.17@${digest}`],
      [{ imageRegistry: 'mirror.example.com/hub', dockerfileSyntax: '' }, undefined],
    ];
    for (const [options, frontend] of cases) {
      const dir = tempDir('frontend-');
      synthesize(() => new PoetryAppProject({ name: 'frontend', outdir: dir, ...options }));
      const tag = 'localhost/stagecraft-check/frontend:1';
      const built = DOCKER.buildImage({ contextDir: dir, tag });
      DOCKER.removeImage(tag);
      // This machine reaches no registry: the build stops at the first image it must pull, and names it.
      expect(built.status).not.toBe(0);
      const output = built.stdout + built.stderr;
      expect(output).not.toMatch(/docker\.io\/docker\/dockerfile/);
      if (frontend) {
        expect(output).toContain(`failed to resolve source metadata for ${frontend}`);
      } else {
        // past the frontend: the base image, which no stand-in has under the mirror's name
        expect(output).toContain('mirror.example.com/hub/python:3.13-slim');
        expect(output).not.toMatch(/docker\/dockerfile/);
      }
    }
  });
});
