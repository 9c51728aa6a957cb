import * as fc from 'fast-check';
import { Testing } from 'projen';
import { parse as parseToml } from 'smol-toml';
import { hostile } from './hostile';
import { BaseImage, Dockerfile, DockerfileStage, GoAppProject, Instruction, NodeAppProject, PoetryAppProject, lintDockerfile } from '../../src';
import { ParsedDockerfile, only, parseDockerfile, stageNamed } from '../dockerfile-facts';
import { tempDir, testProject } from '../temp';

/**
 * Whatever the value of a string option, synthesis either refuses it with an
 * error naming the option, or the output parses back (dockerfile-ast,
 * a TOML parser, JSON, a go.mod parser) to exactly the instructions and keys
 * intended, with the value where it belongs. Never string search.
 */

const MODEL_RUNS = 300;
const PROJECT_RUNS = 60;
let properties = 0;
let runs = 0;


function check<T>(name: string, arb: fc.Arbitrary<T>, numRuns: number, predicate: (value: T) => void): void {
  properties++;
  runs += numRuns;
  fc.assert(
    fc.property(arb, (v) => {
      predicate(v);
    }),
    { numRuns, seed: 20261124 },
  );
  void name;
}

/** Either `fn` throws an error naming `option`, or it returns and `then` checks the output. */
function refusedOr<T>(option: string, fn: () => T, then: (result: T) => void): void {
  let result: T;
  try {
    result = fn();
  } catch (e) {
    const message = (e as Error).message;
    if (!message.includes(option)) {
      throw new Error(`refused without naming ${option}: ${message}`);
    }
    return;
  }
  then(result);
}

function stage(...instructions: Instruction[]): ParsedDockerfile {
  const s = new DockerfileStage('s', { from: BaseImage.of('alpine:3.20') });
  instructions.forEach((i) => s.addInstruction(i));
  return parseDockerfile(s.render() + '\n');
}

const keywords = (df: ParsedDockerfile) => df.stages.map((s) => s.instructions.map((i) => i.keyword));

describe('the Dockerfile model: values become exactly one instruction with exactly that value', () => {
  test('ENV', () => {
    check('ENV', fc.tuple(hostile, fc.boolean()), MODEL_RUNS, ([value, expand]) => {
      refusedOr('ENV', () => Instruction.env({ VALUE: value }, expand ? { expand: ['VALUE'] } : {}), (i) => {
        const df = stage(i);
        expect(keywords(df)).toEqual([['ENV']]);
        if (!expand) {
          expect(only(df.stages[0], 'ENV').properties).toEqual({ VALUE: value });
        }
      });
    });
  });

  test('LABEL', () => {
    check('LABEL', fc.tuple(hostile, hostile), MODEL_RUNS, ([key, value]) => {
      refusedOr('LABEL', () => Instruction.label({ [`org.example.${key}`]: value }), (i) => {
        const df = stage(i);
        expect(keywords(df)).toEqual([['LABEL']]);
        expect(only(df.stages[0], 'LABEL').properties).toEqual({ [`org.example.${key}`]: value });
      });
    });
  });

  test('ARG', () => {
    check('ARG', hostile, MODEL_RUNS, (value) => {
      refusedOr('ARG', () => Instruction.arg('VALUE', value), (i) => {
        const df = stage(i);
        expect(keywords(df)).toEqual([['ARG']]);
        expect(only(df.stages[0], 'ARG').properties).toEqual({ VALUE: value });
      });
    });
  });

  test('CMD, ENTRYPOINT, SHELL and HEALTHCHECK exec arguments', () => {
    check('exec form', fc.array(hostile, { minLength: 1, maxLength: 4 }), MODEL_RUNS, (args) => {
      refusedOr('args', () => [Instruction.cmd(args), Instruction.entrypoint(args), Instruction.shell(args)], (made) => {
        const df = stage(...made);
        expect(keywords(df)).toEqual([['CMD', 'ENTRYPOINT', 'SHELL']]);
        expect(df.stages[0].instructions.map((i) => i.json)).toEqual([args, args, args]);
      });
      refusedOr('command', () => Instruction.healthcheck(args), (i) => {
        expect(stage(i).stages[0].instructions.map((x) => x.json)).toEqual([args]);
      });
    });
  });

  test('COPY, WORKDIR, USER: a path or name is taken as it is or refused', () => {
    check('paths', fc.tuple(hostile, hostile), MODEL_RUNS, ([source, dest]) => {
      refusedOr('COPY', () => Instruction.copy([source], `/app/${dest}`), (i) => {
        const df = stage(i);
        expect(keywords(df)).toEqual([['COPY']]);
        expect(only(df.stages[0], 'COPY').args).toEqual([source, `/app/${dest}`]);
      });
      refusedOr('WORKDIR', () => Instruction.workdir(`/${dest}`), (i) => {
        expect(only(stage(i).stages[0], 'WORKDIR').args).toEqual([`/${dest}`]);
      });
      refusedOr('USER', () => Instruction.user(source), (i) => {
        expect(only(stage(i).stages[0], 'USER').args).toEqual([source]);
      });
    });
  });

  test('RUN: a command is one line of one instruction, or refused', () => {
    check('RUN', fc.array(hostile, { minLength: 1, maxLength: 3 }), MODEL_RUNS, (commands) => {
      refusedOr('RUN', () => Instruction.run(commands), (i) => {
        const df = stage(i, Instruction.user('app'));
        expect(keywords(df)).toEqual([['RUN', 'USER']]);
        // the gate, reading the text, finds no heredoc in what the model took
        expect(lintDockerfile(`FROM alpine:3.20 AS s\n${i.render()}\n`).filter((f) => f.rule === 'HeredocMarker')).toEqual([]);
      });
    });
  });

  test('base image references: a valid reference or refused', () => {
    check('FROM', hostile, MODEL_RUNS, (ref) => {
      refusedOr('reference', () => BaseImage.of(`python:${ref}`), (image) => {
        const df = parseDockerfile(new DockerfileStage('s', { from: image }).render() + '\n');
        expect(df.stages.map((s) => [s.name, s.image])).toEqual([['s', image.reference]]);
      });
    });
  });
});

describe('USER: the model and the lint gate read a uid as the container runtime does', () => {
  const digits = (alphabet: string[]) => fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 10 }).map((d) => d.join(''));

  test('a final USER that is numerically 0 is refused by both, any other uid by neither', () => {
    const project = testProject('prop-user');
    let files = 0;
    const group = fc.option(fc.oneof(fc.constant('0'), fc.constant('root'), digits(['0', '1', '9'])), { nil: undefined });
    check('USER', fc.tuple(digits(['0', '0', '0', '1', '7']), group), MODEL_RUNS, ([user, gid]) => {
      const df = new Dockerfile(project, { fileName: `Dockerfile.${files++}` });
      const runtime = new DockerfileStage('runtime', { from: BaseImage.of('alpine:3.20') });
      runtime.addInstruction(Instruction.user(user, gid));
      runtime.addInstruction(Instruction.cmd(['app']));
      df.addStage(runtime);
      const root = Number(user) === 0;
      expect(df.validate().some((e) => e.includes(`user "${user}" is uid 0 (root)`))).toBe(root);
      expect(lintDockerfile(df.render()).some((f) => f.rule === 'DL3002')).toBe(root);
    });
  });

  test("the gate reads USER text as Go's strconv.Atoi does: a sign and any number of zeros are still uid 0", () => {
    check('USER text', fc.tuple(fc.constantFrom('', '+', '-'), digits(['0', '0', '0', '4']), fc.constantFrom('', ':0', ':10001', ':root')), MODEL_RUNS, ([sign, number, gid]) => {
      const text = `FROM alpine:3.20 AS runtime\nUSER ${sign}${number}${gid}\nCMD ["app"]\n`;
      expect(lintDockerfile(text).some((f) => f.rule === 'DL3002')).toBe(Number(number) === 0);
    });
  });
});

/** A synthesized poetry-app, parsed back. */
function poetry(options: object) {
  const project = new PoetryAppProject({ name: 'prop', outdir: tempDir('prop-'), ...options });
  const files = Testing.synth(project);
  return { dockerfile: parseDockerfile(files.Dockerfile), pyproject: parseToml(files['pyproject.toml']) as any };
}
const baseline = poetry({ port: 8000 });
const sameShape = (df: ParsedDockerfile) => expect(keywords(df)).toEqual(keywords(baseline.dockerfile));

describe('poetry-app: option values reach pyproject.toml and the Dockerfile exactly, or are refused', () => {
  test('description, authors, license, repository', () => {
    const fields: Array<[string, (v: string) => object, (r: ReturnType<typeof poetry>, v: string) => void]> = [
      ['description', (v) => ({ description: v }), (r, v) => {
        expect(r.pyproject.project.description).toBe(v);
        expect(only(stageNamed(r.dockerfile, 'runtime'), 'LABEL').properties['org.opencontainers.image.description']).toBe(v || undefined);
      }],
      // an empty author is no author
      ['authorName', (v) => ({ authorName: v }), (r, v) => expect(r.pyproject.project.authors).toEqual(v ? [{ name: v }] : undefined)],
      ['license', (v) => ({ license: v }), (r, v) => {
        expect(r.pyproject.project.license).toBe(v);
        expect(only(stageNamed(r.dockerfile, 'runtime'), 'LABEL').properties['org.opencontainers.image.licenses']).toBe(v);
      }],
      ['repositoryUrl', (v) => ({ repositoryUrl: `https://example.com/${v}` }), (r, v) => {
        expect(r.pyproject.project.urls.repository).toBe(`https://example.com/${v}`);
        expect(only(stageNamed(r.dockerfile, 'runtime'), 'LABEL').properties['org.opencontainers.image.source']).toBe(`https://example.com/${v}`);
      }],
    ];
    for (const [option, options, expectations] of fields) {
      check(option, hostile, PROJECT_RUNS, (v) => {
        refusedOr(option, () => poetry({ ...options(v), port: 8000 }), (r) => {
          sameShape(r.dockerfile);
          expectations(r, v);
        });
      });
    }
  });

  test('names: project, module, script, target', () => {
    check('names', fc.record({ name: hostile, scriptName: hostile }), PROJECT_RUNS, (o) => {
      refusedOr('invalid', () => poetry({ name: `p${o.name}`, moduleName: 'pkg', scriptName: o.scriptName, port: 8000 }), ({ dockerfile, pyproject }) => {
        sameShape(dockerfile);
        expect(pyproject.project.name).toBe(`p${o.name}`);
        expect(pyproject.project.scripts).toEqual({ [o.scriptName]: 'pkg.app:main' });
        expect(only(stageNamed(dockerfile, 'runtime'), 'CMD').json).toEqual([o.scriptName]);
      });
    });
  });

  test('image labels and the health check path', () => {
    check('labels', fc.record({ key: hostile, value: hostile, path: hostile }), PROJECT_RUNS, (o) => {
      refusedOr('invalid', () => poetry({ port: 8000, imageLabels: { [`com.example.${o.key}`]: o.value }, healthCheckPath: `/${o.path}` }), ({ dockerfile }) => {
        sameShape(dockerfile);
        const runtime = stageNamed(dockerfile, 'runtime');
        expect(only(runtime, 'LABEL').properties[`com.example.${o.key}`]).toBe(o.value);
        // The path reaches the probe as its URL argument, exactly, and never its code.
        const probe = only(runtime, 'HEALTHCHECK').json!;
        expect(probe[3]).toBe(`http://127.0.0.1:8000/${o.path}`);
        expect(probe[2]).toBe(only(stageNamed(baseline.dockerfile, 'runtime'), 'HEALTHCHECK').json![2]);
      });
    });
  });

  test('the package index reaches [[tool.poetry.source]] and the PIP_INDEX_URL ARG', () => {
    check('index', hostile, PROJECT_RUNS, (s) => {
      const url = `https://pypi.example.com/${s}`;
      refusedOr('packageIndex', () => poetry({ port: 8000, packageIndex: url }), ({ dockerfile, pyproject }) => {
        // what is written carries no credentials: no user:password@, no query
        const parsed = new URL(url);
        expect([parsed.username, parsed.password, parsed.search, parsed.hash]).toEqual(['', '', '', '']);
        expect(pyproject.tool.poetry.source).toEqual([{ name: 'package-index', url, priority: 'primary' }]);
        expect(stageNamed(dockerfile, 'builder').instructions.find((i) => i.keyword === 'ARG')!.properties).toEqual({ PIP_INDEX_URL: url });
      });
    });
  });

  test('dependency specs reach [project].dependencies as parsed PEP 508 strings', () => {
    check('deps', fc.tuple(hostile, hostile), PROJECT_RUNS, ([name, constraint]) => {
      refusedOr('dependency', () => poetry({ port: 8000, deps: [`d${name}@${constraint}`] }), ({ dockerfile, pyproject }) => {
        sameShape(dockerfile);
        expect(pyproject.project.dependencies).toHaveLength(1);
        expect(pyproject.project.dependencies[0].startsWith(`d${name.split('[')[0]}`)).toBe(true);
      });
    });
  });
});

describe('every value is bounded by what its consumers take', () => {
  test('long descriptions and labels are refused naming the option, or every Dockerfile line fits BuildKit', () => {
    const long = fc.tuple(fc.integer({ min: 0, max: 70_000 }), fc.constantFrom('x', 'é', '🐳', '"')).map(([n, c]) => c.repeat(n));
    check('lengths', fc.record({ description: long, label: long }), 20, (o) => {
      refusedOr('invalid', () => {
        const files = Testing.synth(new PoetryAppProject({ name: 'prop', outdir: tempDir('prop-long-'), description: o.description, imageLabels: { 'com.example.notes': o.label } }));
        return { files, dockerfile: parseDockerfile(files.Dockerfile) };
      }, ({ files, dockerfile }) => {
        const labels = only(stageNamed(dockerfile, 'runtime'), 'LABEL').properties;
        expect(labels['com.example.notes']).toBe(o.label);
        expect(labels['org.opencontainers.image.description']).toBe(o.description || undefined);
        expect(Math.max(...files.Dockerfile.split('\n').map((l: string) => Buffer.byteLength(l)))).toBeLessThanOrEqual(65535);
      });
    });
  });
});

/** go.mod's directives, parsed the way the go command reads them (one directive or block per statement). */
function parseGoMod(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let block: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    if (block) {
      if (line === ')') block = undefined;
      else (out[block] ??= []).push(line);
      continue;
    }
    const m = /^(\w+)\s+(.*)$/.exec(line)!;
    if (m[2] === '(') block = m[1];
    else (out[m[1]] ??= []).push(m[2]);
  }
  return out;
}

describe('go-app and node-app', () => {
  test('go-app: module path, binary name, description', () => {
    check('go', fc.record({ module: hostile, binary: hostile, description: hostile }), PROJECT_RUNS, (o) => {
      refusedOr('GoApp: invalid', () => {
        const files = Testing.synth(new GoAppProject({ name: 'g', outdir: tempDir('prop-go-'), modulePath: `example.com/${o.module}`, binaryName: `b${o.binary}`, description: o.description }));
        return { mod: parseGoMod(files['go.mod']), df: parseDockerfile(files.Dockerfile) };
      }, ({ mod, df }) => {
        expect(mod.module).toEqual([`example.com/${o.module}`]);
        expect(only(stageNamed(df, 'runtime'), 'ENTRYPOINT').json).toEqual([`/app/b${o.binary}`]);
        expect(only(stageNamed(df, 'runtime'), 'LABEL').properties['org.opencontainers.image.description']).toBe(o.description);
      });
    });
  });

  test('node-app: package.json description and image labels', () => {
    check('node', fc.record({ description: hostile, value: hostile }), PROJECT_RUNS, (o) => {
      refusedOr('invalid', () => {
        const files = Testing.synth(new NodeAppProject({ name: 'n', defaultReleaseBranch: 'main', outdir: tempDir('prop-node-'), description: o.description, imageLabels: { 'com.example.x': o.value } }));
        return { pkg: files['package.json'], df: parseDockerfile(files.Dockerfile) };
      }, ({ pkg, df }) => {
        // projen leaves an empty description out of package.json, and so does the label
        expect(pkg.description ?? '').toBe(o.description);
        const labels = only(stageNamed(df, 'runtime'), 'LABEL').properties;
        expect(labels['com.example.x']).toBe(o.value);
        expect(labels['org.opencontainers.image.description']).toBe(o.description || undefined);
      });
    });
  });
});

afterAll(() => {
  // eslint-disable-next-line no-console
  console.log(`properties: ${properties}, runs: ${runs}`);
});
