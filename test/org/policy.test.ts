import * as fs from 'fs';
import * as path from 'path';
import { ContainerImage, GoAppProject, Instruction, IPolicy, PoetryAppProject, PoetryAppProjectOptions, Policies, Policy, PolicySeverity, PolicySubject } from '../../src';
import { snapshotDir } from '../python/poetry-util';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

function project(options: Partial<PoetryAppProjectOptions> = {}, policies: IPolicy[] = [], outdir = tempDir('org-')): PoetryAppProject {
  const p = new PoetryAppProject({ name: 'svc', outdir, ...options });
  policies.forEach((policy) => Policies.of(p).addPolicy(policy));
  return p;
}

function findings(p: PoetryAppProject | GoAppProject): string[] {
  return Policies.of(p).check().map((f) => `${f.severity}: ${f.line}`);
}

describe('built-in policies fire on a violation and pass a compliant app', () => {
  const mirror = 'mirror.example.com/hub';
  test('allowed registries: the base images and the frontend image of the syntax directive', () => {
    expect(findings(project({}, [Policy.allowedRegistries(['mirror.example.com'])]))).toEqual([
      'error: policy "allowed-registries" (error), app "svc", Dockerfile: base image "python:3.13-slim" is not from an allowed registry (allowed: mirror.example.com) [value: "python:3.13-slim"]',
      'error: policy "allowed-registries" (error), app "svc", Dockerfile: base image "python:3.13-slim" is not from an allowed registry (allowed: mirror.example.com) [value: "python:3.13-slim"]',
      'error: policy "allowed-registries" (error), app "svc", Dockerfile: frontend image "docker/dockerfile:1" (the # syntax= directive, option dockerfileSyntax) is not from an allowed registry ' +
        '(allowed: mirror.example.com): set imageRegistry to an allowed mirror, name a frontend image there in dockerfileSyntax, or set dockerfileSyntax to "" ' +
        'for the engine\'s built-in frontend [value: "docker/dockerfile:1"]',
    ]);
    // imageRegistry moves the frontend image to the mirror with the base images
    expect(findings(project({ imageRegistry: mirror }, [Policy.allowedRegistries(['mirror.example.com'])]))).toEqual([]);
  });

  test('allowed registries: a frontend image named outside them is refused alone; no directive, nothing to check', () => {
    const policy = Policy.allowedRegistries(['mirror.example.com']);
    expect(findings(project({ imageRegistry: mirror, dockerfileSyntax: 'docker/dockerfile:1.17' }, [policy]))).toEqual([
      expect.stringMatching(/^error: policy "allowed-registries" \(error\), app "svc", Dockerfile: frontend image "docker\/dockerfile:1\.17" \(the # syntax= directive, option dockerfileSyntax\) is not from an allowed registry/),
    ]);
    expect(findings(project({ imageRegistry: mirror, dockerfileSyntax: 'mirror.example.com/docker/dockerfile:1.17' }, [policy]))).toEqual([]);
    expect(findings(project({ imageRegistry: mirror, dockerfileSyntax: '' }, [policy]))).toEqual([]);
  });

  test('pinned digests: the base images and the frontend image of the syntax directive', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const pinnedBases = { builderImage: `python:3.13-slim@${digest}`, runtimeImage: `python:3.13-slim@${digest}` };
    expect(findings(project({}, [Policy.pinnedDigests()]))).toHaveLength(3);
    expect(findings(project(pinnedBases, [Policy.pinnedDigests()]))).toEqual([
      'error: policy "pinned-digests" (error), app "svc", Dockerfile: frontend image "docker/dockerfile:1" (the # syntax= directive, option dockerfileSyntax) is not pinned by digest: ' +
        'set dockerfileSyntax to "docker/dockerfile:1@sha256:<digest>", or to "" for the engine\'s built-in frontend [value: "docker/dockerfile:1"]',
    ]);
    expect(findings(project({ ...pinnedBases, dockerfileSyntax: `docker/dockerfile:1@${digest}` }, [Policy.pinnedDigests()]))).toEqual([]);
    expect(findings(project({ ...pinnedBases, dockerfileSyntax: '' }, [Policy.pinnedDigests()]))).toEqual([]);
  });

  test('the subject shows the frontend image, or none without the directive', () => {
    const subject = (options: Partial<PoetryAppProjectOptions>) => PolicySubject.of(ContainerImage.of(project(options))!);
    expect(subject({ imageRegistry: mirror }).frontendImage?.reference).toBe('mirror.example.com/hub/docker/dockerfile:1');
    expect(subject({ dockerfileSyntax: '' }).frontendImage).toBeUndefined();
  });

  test('required labels, present and with the value required', () => {
    const policy = Policy.requiredLabels({ 'com.example.team': '', 'com.example.tier': 'gold' });
    expect(findings(project({ imageLabels: { 'com.example.tier': 'silver' } }, [policy]))).toEqual([
      'error: policy "required-labels" (error), app "svc", Dockerfile: label "com.example.team" is missing [value: "com.example.team"]',
      'error: policy "required-labels" (error), app "svc", Dockerfile: label "com.example.tier" is "silver", the org requires "gold" [value: "silver"]',
    ]);
    expect(findings(project({ imageLabels: { 'com.example.team': 'payments', 'com.example.tier': 'gold' } }, [policy]))).toEqual([]);
  });

  test('non-root user, numeric', () => {
    const p = project({}, [Policy.nonRootUser()]);
    expect(findings(p)).toEqual([]);
    p.dockerfile.stage('runtime').replaceInstruction('user', Instruction.user('app'));
    expect(findings(p)).toEqual(['error: policy "non-root-user" (error), app "svc", Dockerfile: USER "app" is not a numeric non-root uid (Kubernetes runAsNonRoot needs a number) [value: "app"]']);
    // uid 0 written another way is root all the same, as the Dockerfile model and its lint read it
    p.dockerfile.stage('runtime').replaceInstruction('user', Instruction.user('00', '1000'));
    expect(findings(p)).toEqual(['error: policy "non-root-user" (error), app "svc", Dockerfile: USER "00:1000" is not a numeric non-root uid (Kubernetes runAsNonRoot needs a number) [value: "00:1000"]']);
    p.dockerfile.stage('runtime').replaceInstruction('user', Instruction.user('10001', '0'));
    expect(findings(p)).toEqual([]);
  });

  test('a HEALTHCHECK for services', () => {
    const p = project({ port: 8000 }, [Policy.healthcheckForServices({ severity: PolicySeverity.WARNING })]);
    expect(findings(p)).toEqual([]);
    p.dockerfile.stage('runtime').removeInstruction('healthcheck');
    expect(findings(p)).toEqual(['warning: policy "healthcheck-for-services" (warning), app "svc", Dockerfile: the service has no HEALTHCHECK [value: "(none)"]']);
    expect(findings(project({}, [Policy.healthcheckForServices()]))).toEqual([]); // a command-line app needs none
  });

  test('allowed versions, per ecosystem', () => {
    const policy = Policy.allowedVersions({ ecosystem: 'python', versions: ['3.12', '3.13'] });
    expect(findings(project({ pythonVersion: '3.11' }, [policy]))).toEqual([
      'error: policy "allowed-python-versions" (error), app "svc", Dockerfile: python 3.11 is not an allowed version (allowed: 3.12, 3.13) [value: "3.11"]',
    ]);
    const go = new GoAppProject({ name: 'tool', outdir: tempDir('go-') });
    Policies.of(go).addPolicy(policy);
    expect(findings(go)).toEqual([]); // not a Python app
  });

  test('allowed versions are release lines compared as numbers, not strings', () => {
    const go = (goVersion: string, versions: string[]) => {
      const p = new GoAppProject({ name: 'tool', outdir: tempDir('go-'), goVersion });
      Policies.of(p).addPolicy(Policy.allowedVersions({ ecosystem: 'go', versions }));
      return findings(p);
    };
    expect(go('1.23.4', ['1.23'])).toEqual([]); // before: "go 1.23.4 is not an allowed version (allowed: 1.23)"
    expect(go('1.23', ['1.23.4'])).toHaveLength(1); // a line narrower than the app's version does not allow it
    expect(go('1.23.4', ['1.2'])).toHaveLength(1); // 23 is not 2, though "1.23" starts with "1.2"
    expect(go('1.24', ['1'])).toEqual([]);
    expect(() => Policy.allowedVersions({ ecosystem: 'go', versions: ['1.23', '>=1.22'] })).toThrow(
      'Policy.allowedVersions: invalid versions[1] ">=1.22". Expected a release line of numbers such as "3.13", "24" or "1.23".');
    expect(() => Policy.allowedVersions({ ecosystem: 'go', versions: [] })).toThrow(/invalid versions \[\]\. Expected at least one version/);
  });

  test('the package index, in pyproject.toml', () => {
    const url = 'https://pypi.example.com/simple/';
    expect(findings(project({}, [Policy.packageIndex(url)]))).toEqual([
      `error: policy "package-index" (error), app "svc", pyproject.toml: the package index is PyPI, the org requires "${url}" [value: "PyPI"]`,
    ]);
    expect(findings(project({ packageIndex: url }, [Policy.packageIndex(url)]))).toEqual([]);
  });

  test('a policy written in TypeScript against the subject', () => {
    const noLatest: IPolicy = {
      name: 'python-slim-only',
      severity: PolicySeverity.ERROR,
      check: (s: PolicySubject) => s.baseImages.filter((i) => !(i.tag ?? '').includes('slim')).map((i) => ({ message: `"${i.reference}" is not a slim image`, value: i.reference })),
    };
    expect(findings(project({ builderImageVariant: 'bookworm' }, [noLatest]))).toEqual([
      'error: policy "python-slim-only" (error), app "svc", Dockerfile: "python:3.13-bookworm" is not a slim image [value: "python:3.13-bookworm"]',
    ]);
  });

  test('policy names are unique', () => {
    const p = project({}, [Policy.nonRootUser()]);
    expect(() => Policies.of(p).addPolicy(Policy.nonRootUser())).toThrow(/a policy named "non-root-user" is already in force for "svc"/);
  });
});

describe('at synthesis', () => {
  function synth(p: PoetryAppProject): void {
    synthesize(() => p);
  }

  test('an error fails synthesis naming the policy, app, file and value, and nothing on disk changes', () => {
    const dir = tempDir('org-synth-');
    synth(project({}, [], dir));
    fs.writeFileSync(path.join(dir, 'src/svc/app.py'), '# mine\n');
    const before = snapshotDir(dir);
    expect(() => synth(project({ pythonVersion: '3.12' }, [Policy.allowedRegistries(['mirror.example.com'])], dir))).toThrow(
      /3 policy violations; nothing was written:\n {2}- policy "allowed-registries" \(error\), app "svc", Dockerfile: base image "python:3\.12-slim" is not from an allowed registry/,
    );
    expect(snapshotDir(dir)).toEqual(before);
  });

  test('a warning is printed and synthesis goes on', () => {
    const dir = tempDir('org-warn-');
    const p = project({}, [Policy.pinnedDigests({ severity: PolicySeverity.WARNING })], dir);
    const warnings: string[] = [];
    const warn = jest.spyOn(p.logger, 'warn').mockImplementation((...args: any[]) => void warnings.push(args.join(' ')));
    synth(p);
    warn.mockRestore();
    // the two base images and the frontend image
    expect(warnings.filter((w) => w.includes('pinned-digests'))).toHaveLength(3);
    expect(fs.existsSync(path.join(dir, 'Dockerfile'))).toBe(true);
  });
});
