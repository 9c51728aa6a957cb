import { Instruction, lintDockerfile } from '../../src';
import { synthPoetry } from '../python/poetry-util';

const good = [
  '# syntax=docker/dockerfile:1',
  'ARG BASE=python:3.13-slim',
  'FROM ${BASE} AS builder',
  'ARG VERSION=1',
  'ENV APP_VERSION="${VERSION}"',
  'WORKDIR /app',
  'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
  'RUN pip install "poetry==2.1.2" && npm install -g "npm@11.6.2"',
  'FROM python:3.13-slim AS runtime',
  'COPY --from=builder /app /app',
  'USER 10001:10001',
  'EXPOSE 8000/tcp',
  'CMD ["python", "-m", "app"]',
].join('\n');

function rules(text: string): string[] {
  return lintDockerfile(text).map((f) => `${f.rule}@${f.line}`);
}

const swap = (from: string, to: string) => good.replace(from, to);

describe('lint gate rules', () => {
  test('a clean Dockerfile has no findings', () => {
    expect(lintDockerfile(good)).toEqual([]);
  });

  const cases: Array<[string, string, string]> = [
    ['DL3000 relative WORKDIR', swap('WORKDIR /app', 'WORKDIR app'), 'DL3000@6'],
    ['DL3006 untagged image', swap('FROM python:3.13-slim AS runtime', 'FROM python AS runtime'), 'DL3006@9'],
    ['DL3007 latest', swap('FROM python:3.13-slim AS runtime', 'FROM python:latest AS runtime'), 'DL3007@9'],
    ['DL3020 ADD', swap('COPY --from=builder /app /app', 'ADD app.tar.gz /app'), 'DL3020@10'],
    ['DL3022 COPY --from an unknown stage', swap('COPY --from=builder', 'COPY --from=build'), 'DL3022@10'],
    ['DL3024 duplicate stage', swap('AS runtime', 'AS builder'), 'DL3024@9'],
    ['DL3025 shell-form CMD', swap('CMD ["python", "-m", "app"]', 'CMD python -m app'), 'DL3025@13'],
    ['DL3002 root user', swap('USER 10001:10001', 'USER root'), 'DL3002@11'],
    ['DL3002 no user', swap('USER 10001:10001\n', ''), 'DL3002@9'],
    ['DL3014 apt-get without -y', swap('install -y --no', 'install --no'), 'DL3014@7'],
    ['DL3015 apt-get without --no-install-recommends', swap(' --no-install-recommends', ''), 'DL3015@7'],
    ['DL3013 unpinned pip', swap('"poetry==2.1.2"', 'poetry'), 'DL3013@8'],
    ['DL3016 unpinned npm', swap('"npm@11.6.2"', 'typescript'), 'DL3016@8'],
    ['DL4006 pipe without pipefail', swap('rm -rf /var/lib/apt/lists/*', 'curl -s x | sh'), 'DL4006@7'],
    ['UndefinedVar in ENV', swap('"${VERSION}"', '"${VERSON}"'), 'UndefinedVar@5'],
    ['UndefinedArgInFrom', swap('FROM ${BASE} AS builder', 'FROM ${BASEIMAGE} AS builder'), 'UndefinedArgInFrom@3'],
    ['SecretsUsedInArgOrEnv', swap('ARG VERSION=1', 'ARG VERSION=1\nARG NPM_TOKEN'), 'SecretsUsedInArgOrEnv@5'],
    ['DL3011 invalid EXPOSE', swap('EXPOSE 8000/tcp', 'EXPOSE 80000'), 'DL3011@12'],
    ['ConsistentInstructionCasing', swap('WORKDIR /app', 'workdir /app'), 'ConsistentInstructionCasing@6'],
    ['FromAsCasing', swap('AS runtime', 'as runtime'), 'FromAsCasing@9'],
    ['DL3002 USER 00 is uid 0', swap('USER 10001:10001', 'USER 00'), 'DL3002@11'],
    ['HeredocMarker <<1 in a RUN', swap('RUN pip install', 'RUN echo $((1 <<1)) && pip install'), 'HeredocMarker@8'],
    ['SecretsUsedInArgOrEnv *_KEY', swap('ARG VERSION=1', 'ARG VERSION=1\nARG SIGNING_KEY'), 'SecretsUsedInArgOrEnv@5'],
    ['ReservedStageName', swap('AS runtime', 'AS context'), 'ReservedStageName@9'],
    ['StageNameCasing', swap('AS runtime', 'AS Runtime'), 'StageNameCasing@9'],
    ['MultipleInstructionsDisallowed', swap('CMD ["python", "-m", "app"]', 'CMD ["python", "-m", "app"]\nCMD ["python"]'), 'MultipleInstructionsDisallowed@13'],
    ['LegacyKeyValueFormat', swap('ENV APP_VERSION="${VERSION}"', 'ENV APP_VERSION ${VERSION}'), 'LegacyKeyValueFormat@5'],
    ['ExposeProtoCasing', swap('EXPOSE 8000/tcp', 'EXPOSE 8000/TCP'), 'ExposeProtoCasing@12'],
    ['ExposeInvalidFormat', swap('EXPOSE 8000/tcp', 'EXPOSE 127.0.0.1:8000:8000/tcp'), 'ExposeInvalidFormat@12'],
    ['MaintainerDeprecated', swap('WORKDIR /app', 'WORKDIR /app\nMAINTAINER dev@example.com'), 'MaintainerDeprecated@7'],
    ['FromPlatformFlagConstDisallowed', swap('FROM python:3.13-slim AS runtime', 'FROM --platform=linux/amd64 python:3.13-slim AS runtime'), 'FromPlatformFlagConstDisallowed@9'],
    ['RedundantTargetPlatform', swap('FROM python:3.13-slim AS runtime', 'FROM --platform=$TARGETPLATFORM python:3.13-slim AS runtime'), 'RedundantTargetPlatform@9'],
    ['InvalidDefaultArgInFrom', swap('ARG BASE=python:3.13-slim', 'ARG BASE'), 'InvalidDefaultArgInFrom@3'],
    ['NoEmptyContinuation', swap('RUN apt-get update && ', 'RUN apt-get update \\\n\n && '), 'NoEmptyContinuation@7'],
    ['InvalidDefinitionDescription above FROM', swap('FROM python:3.13-slim AS runtime', '# the image that ships\nFROM python:3.13-slim AS runtime'), 'InvalidDefinitionDescription@10'],
    ['InvalidDefinitionDescription above an ARG, a blank line between', swap('ARG VERSION=1', '# the version\n\nARG VERSION=1'), 'InvalidDefinitionDescription@6'],
    ['InvalidDefinitionDescription above a global ARG', swap('ARG BASE=python:3.13-slim', '# the base\nARG BASE=python:3.13-slim'), 'InvalidDefinitionDescription@3'],
  ];
  test.each(cases)('%s', (_name, text, expected) => {
    expect(rules(text)).toContain(expected);
  });

  test('DL3013 reads the value of pip\'s -r, -c and --index-url as a file or URL, not a package; a package after it still counts', () => {
    expect(rules(swap('pip install "poetry==2.1.2"', 'pip install --require-hashes --no-deps -r requirements.txt -c constraints.txt --index-url http://x/simple/ "poetry==2.1.2"'))).toEqual([]);
    expect(rules(swap('pip install "poetry==2.1.2"', '/opt/build/bin/pip --python /app/.venv/bin/python install -r requirements.txt poetry'))).toEqual(['DL3013@8']);
  });

  test.each(['00', '000', '0:0', '0:10001', '00:00', 'root:x', '+0', '-0', ':10001', '"0"'])('DL3002: USER %s is uid 0, as runc reads it', (user) => {
    expect(lintDockerfile(swap('USER 10001:10001', `USER ${user}`))).toContainEqual({
      rule: 'DL3002',
      severity: 'error',
      line: 11,
      message: `the last USER of the final stage, "${user}", is uid 0 (root) as the container runtime reads it (a number, or "root"): the image runs as root`,
    });
  });

  test.each(['10001:0', '010001', 'app:root', '1'])('DL3002: USER %s is not root (only the uid counts)', (user) => {
    expect(rules(swap('USER 10001:10001', `USER ${user}`))).toEqual([]);
  });

  test('HeredocMarker: the message names the word and the line that would end it; a shift written without a blank passes', () => {
    const text = swap('RUN pip install', 'RUN echo $((1 <<1)) && pip install');
    expect(lintDockerfile(text).find((f) => f.rule === 'HeredocMarker')).toEqual({
      rule: 'HeredocMarker',
      severity: 'error',
      line: 8,
      message: expect.stringMatching(/^RUN: BuildKit reads the word "<<1\)\)" as a heredoc marker, and the Dockerfile lines after it, up to a line "1\)\)", as the heredoc's text instead of as instructions/),
    });
    expect(rules(swap('RUN pip install', 'RUN echo $((1<<1)) && pip install'))).toEqual([]);
    // continuation lines are joined first, as BuildKit does
    expect(rules(swap('RUN pip install', 'RUN echo \\\n <<EOF && pip install'))).toContain('HeredocMarker@8');
  });

  test("SecretsUsedInArgOrEnv is BuildKit's rule: whole _-separated words, and an allow word clears a name", () => {
    const withArg = (name: string) => swap('ARG VERSION=1', `ARG VERSION=1\nARG ${name}`);
    for (const name of ['SIGNING_KEY', 'github_token', 'AUTH', 'DB_PASSWORD', 'apikey', 'AWS_SECRET_ACCESS_KEY', 'NPM_CREDENTIALS']) {
      expect(rules(withArg(name))).toEqual(['SecretsUsedInArgOrEnv@5']);
    }
    for (const name of ['PUBLIC_KEY', 'TOKEN_FILE', 'KEY_VERSION', 'MONKEY', 'KEYS', 'PIP_DISABLE_PIP_VERSION_CHECK', 'AUTHOR']) {
      expect(rules(withArg(name))).toEqual([]);
    }
    expect(lintDockerfile(withArg('SIGNING_KEY'))[0].message).toBe(
      'ARG "SIGNING_KEY" looks like a secret (the word "KEY"): it would be stored in the image\'s history; use RUN --mount=type=secret',
    );
  });

  test('an ARG declares every variable it names, as BuildKit reads it: `ARG A=1 B` and `ARG A B` declare A and B', () => {
    expect(rules(swap('ARG VERSION=1', 'ARG BUILD=2 VERSION=1'))).toEqual([]);
    expect(rules(swap('ARG VERSION=1', 'ARG BUILD VERSION'))).toEqual([]);
    expect(rules(swap('ARG VERSION=1', 'ARG BUILD=2'))).toEqual(['UndefinedVar@5']);
  });

  test('a constant --platform is fine on a stage named after it; InvalidDefaultArgInFrom follows ${A:-default}', () => {
    const amd64 = swap('FROM python:3.13-slim AS runtime', 'FROM --platform=linux/amd64 python:3.13-slim AS runtime-amd64');
    expect(rules(amd64)).toEqual([]);
    expect(rules(swap('ARG BASE=python:3.13-slim', 'ARG BASE').replace('${BASE}', '${BASE:-python:3.13-slim}'))).toEqual([]);
    expect(lintDockerfile(swap('ARG BASE=python:3.13-slim\nFROM ${BASE}', 'ARG TAG\nFROM python:${TAG}'))[0]).toEqual({
      rule: 'InvalidDefaultArgInFrom',
      severity: 'error',
      line: 3,
      message: 'FROM python:${TAG} becomes "python:" with the ARGs\' defaults (no --build-arg), which is no image reference: give ARG TAG a default',
    });
  });

  test('the rules of BuildKit\'s build checks are errors, as a `# check=error=true` build fails on them; its experimental InvalidDefinitionDescription is a warning', () => {
    const severity = (text: string, rule: string) => lintDockerfile(text).find((f) => f.rule === rule)?.severity;
    expect(severity(swap('AS runtime', 'as runtime'), 'FromAsCasing')).toBe('error');
    expect(severity(swap('WORKDIR /app', 'workdir /app'), 'ConsistentInstructionCasing')).toBe('error');
    expect(severity(swap('ENV APP_VERSION="${VERSION}"', 'ENV APP_VERSION ${VERSION}'), 'LegacyKeyValueFormat')).toBe('error');
    expect(severity(swap('EXPOSE 8000/tcp', 'EXPOSE 8000/TCP'), 'ExposeProtoCasing')).toBe('error');
    expect(severity(swap('RUN apt-get update && ', 'RUN apt-get update \\\n\n && '), 'NoEmptyContinuation')).toBe('error');
    expect(lintDockerfile(swap('ARG VERSION=1', '# the version\nARG VERSION=1'))).toEqual([{
      rule: 'InvalidDefinitionDescription',
      severity: 'warning',
      line: 5,
      message: 'the comment above ARG ("# the version") is read as its description, which must start with its name ("# VERSION <description>"): start it so, or end the comment with an empty "#" line',
    }]);
  });

  test('InvalidDefinitionDescription: a comment starting with the name, an empty "#" after the comment, or a parser directive pass', () => {
    expect(rules(swap('ARG VERSION=1', '# VERSION of the app\nARG VERSION=1'))).toEqual([]);
    expect(rules(swap('FROM python:3.13-slim AS runtime', '# runtime: the image that ships\nFROM python:3.13-slim AS runtime'))).toContain('InvalidDefinitionDescription@10');
    expect(rules(swap('FROM python:3.13-slim AS runtime', '# runtime the image that ships\nFROM python:3.13-slim AS runtime'))).toEqual([]);
    expect(rules(swap('FROM python:3.13-slim AS runtime', '# generated\n#\n\nFROM python:3.13-slim AS runtime'))).toEqual([]);
    expect(rules(swap('ARG VERSION=1', 'ARG VERSION=1 BUILD=2').replace('ARG VERSION', '# BUILD number\nARG VERSION'))).toEqual([]);
    // the directive lines above the first instruction are no comment
    expect(good.startsWith('# syntax=docker/dockerfile:1\nARG BASE')).toBe(true);
    expect(rules(`# check=error=true\n${good}`)).toEqual([]);
  });

  test("a double-quoted value that starts with ' passes, as Docker reads it; an unterminated quote does not", () => {
    expect(rules(swap('ENV APP_VERSION="${VERSION}"', 'ENV APP_VERSION="\'${VERSION}" \\\n    TITLE="\'Tis"'))).toEqual([]);
    expect(rules(swap('ENV APP_VERSION="${VERSION}"', "ENV TITLE='Tis"))).toContain('dockerfile-utils/35@5');
  });

  test('an escaped $ is not a variable; a pipe inside quotes is not a pipe', () => {
    expect(rules(swap('ENV APP_VERSION="${VERSION}"', 'ENV PRICE="\\$5"'))).toEqual([]);
    expect(rules(swap('rm -rf /var/lib/apt/lists/*', 'echo "a | b"'))).toEqual([]);
  });
});

describe('the lint gate runs at synthesis, on escape-hatch additions too', () => {
  test('generated Dockerfiles pass', () => {
    expect(synthPoetry({ port: 8000, deps: ['requests@^2.32'] }).project.dockerfile.lint()).toEqual([]);
  });

  test("a description that starts with ' synthesizes (dockerfile-utils alone refused it)", () => {
    const { dockerfile } = synthPoetry({ description: "'Tis a demo" });
    expect(dockerfile.stages[dockerfile.stages.length - 1].instructions.find((i) => i.keyword === 'LABEL')!.properties['org.opencontainers.image.description']).toBe("'Tis a demo");
  });

  test('an apt-get added through the escape hatch without -y and --no-install-recommends fails synthesis', () => {
    expect(() =>
      synthPoetry({}, (p) => p.dockerfile.stage('runtime').insertAfter('workdir', Instruction.run(['apt-get update', 'apt-get install libpq5']))),
    ).toThrow(/Dockerfile fails the lint gate; nothing was written:\n {2}- line \d+: DL3014: "apt-get install libpq5": apt-get install needs -y in a build\n {2}- line \d+: DL3015/);
  });

  test('an ARG that looks like a secret fails synthesis', () => {
    expect(() => synthPoetry({}, (p) => p.dockerfile.stage('builder').addInstruction(Instruction.arg('PYPI_TOKEN')))).toThrow(/SecretsUsedInArgOrEnv: ARG "PYPI_TOKEN" looks like a secret/);
  });

  test('an ARG named *_KEY added through the escape hatch fails synthesis', () => {
    expect(() => synthPoetry({}, (p) => p.dockerfile.stage('builder').addInstruction(Instruction.arg('SIGNING_KEY')))).toThrow(
      /Dockerfile fails the lint gate; nothing was written:\n {2}- line \d+: SecretsUsedInArgOrEnv: ARG "SIGNING_KEY" looks like a secret \(the word "KEY"\)/,
    );
  });

  test('USER 00 put in through the escape hatch fails synthesis', () => {
    expect(() => synthPoetry({}, (p) => p.dockerfile.stage('runtime').replaceInstruction('user', Instruction.user('00')))).toThrow(
      /final stage "runtime" runs as USER 00: user "00" is uid 0 \(root\)/,
    );
  });

  test('a RUN with the heredoc marker <<1 cannot be put in through the escape hatch', () => {
    expect(() => synthPoetry({}, (p) => p.dockerfile.stage('runtime').insertAfter('workdir', Instruction.run(['echo $((1 <<1))'])))).toThrow(
      /RUN: invalid command "echo \$\(\(1 <<1\)\)"\. BuildKit reads the word "<<1\)\)" as a heredoc marker/,
    );
  });
});
