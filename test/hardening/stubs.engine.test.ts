import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { Project } from 'projen';
import * as ts from 'typescript';
import { hostile } from './hostile';
import { GoAppProject, NodeAppKind, NodeAppProject, PoetryAppProject } from '../../src';
import { ensureEngineReady, inToolroot } from '../harness';
import { synthesize } from '../synthesize';
import { tempDir } from '../temp';

/**
 * Whatever the values of the options that reach source code (description,
 * health check path, names), every stub either is refused with an error
 * naming the option, or parses with the language's real parser (Python 3.13's
 * `ast`, TypeScript's own parser, Go's `go/parser`) and holds each value
 * exactly where it is meant to be: a docstring, a string constant, a comment.
 */

jest.setTimeout(20 * 60 * 1000);
beforeAll(() => ensureEngineReady());

const RUNS = 16;

/** Text made of what closes or starts something in Python, TypeScript, Go, HTML and Markdown: mostly accepted. */
const codeText = fc
  .array(fc.constantFrom('"', "'", '\\', '"""', "'''", '\\N', '\\x', '`', '${', '$', '}', '{', '*/', '/*', '//', '<script>', '</title>', '&amp;', '#', '_', '*', '[', ']', '(', ')', '!', '~', '|', '<', '>', ' ', 'é', '🐳', '-', '1.', '%', ';', 'a', 'Z', '9'), { minLength: 1, maxLength: 14 })
  .map((parts) => parts.join(''));
/** A URL path of every character a health path may hold. */
const pathText = fc
  .array(fc.constantFrom("'", ';', '$', '(', ')', '*', '+', ',', '=', ':', '@', '!', '&', '~', '.', '-', '_', '/', 'a', 'Z', '9'), { maxLength: 14 })
  .map((parts) => parts.join(''));

interface Values {
  readonly description: string;
  readonly path: string;
  readonly name: string;
}

/** One synthesized project of a kind, and the stubs whose values are checked. */
interface Case {
  readonly kind: string;
  readonly values: Values;
  readonly dir: string;
}


const KINDS: Record<string, (outdir: string, v: Values) => Project> = {
  'poetry-cli': (outdir, v) => new PoetryAppProject({ name: 'prop', outdir, description: v.description }),
  'poetry-service': (outdir, v) => new PoetryAppProject({ name: 'prop', outdir, description: v.description, port: 8000, healthCheckPath: v.path }),
  'go-service': (outdir, v) => new GoAppProject({ name: 'prop', outdir, description: v.description, port: 8080, healthCheckPath: v.path }),
  // The name is text in the stubs; package.json's name is npm's, so it is set apart.
  'node-service': (outdir, v) => new NodeAppProject({ name: v.name, packageName: 'prop', defaultReleaseBranch: 'main', outdir, description: v.description, healthCheckPath: v.path }),
  'node-site': (outdir, v) => new NodeAppProject({ name: v.name, packageName: 'prop', defaultReleaseBranch: 'main', outdir, description: v.description, healthCheckPath: v.path, appKind: NodeAppKind.STATIC_SITE }),
};

/** Synthesizes every kind for each sample of values; a refusal must name the option it refuses. */
function generate(root: string): { cases: Case[]; refused: number; samples: number } {
  // Half the samples from the tuned alphabets (mostly accepted), half fully hostile (mostly refused).
  const samples = [
    ...fc.sample(fc.record({ description: codeText, path: pathText, name: codeText }), { numRuns: RUNS, seed: 20261202 }),
    ...fc.sample(fc.record({ description: hostile, path: hostile, name: hostile }), { numRuns: RUNS / 2, seed: 20261202 }),
  ];
  const cases: Case[] = [];
  let refused = 0;
  samples.forEach((s, i) => {
    const values = { description: s.description, path: `/${s.path}`, name: `n${s.name}` };
    for (const [kind, make] of Object.entries(KINDS)) {
      const dir = path.join(root, `${kind}-${i}`);
      try {
        synthesize(() => make(dir, values));
      } catch (e) {
        const message = (e as Error).message;
        if (!/^(PoetryApp|GoApp|NodeApp): invalid (description|healthCheckPath|name|moduleName|scriptName|binaryName)\b/.test(message)) {
          throw new Error(`${kind} refused ${JSON.stringify(values)} without naming an option: ${message}`);
        }
        refused++;
        fs.rmSync(dir, { recursive: true, force: true });
        continue;
      }
      cases.push({ kind, values, dir });
    }
  });
  return { cases, refused, samples: samples.length };
}

const walk = (dir: string, ext: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.name.startsWith('.') || e.name === 'node_modules') return []; // projen's own files, not stubs
    return e.isDirectory() ? walk(p, ext) : p.endsWith(ext) ? [p] : [];
  });

/** Python 3.13's parser: each file's module docstring and its module-level string constants. */
const PY_FACTS = `
import ast, json, sys
out = {}
for p in sys.argv[1:]:
    try:
        tree = ast.parse(open(p, encoding="utf-8").read(), p)
    except SyntaxError as e:
        out[p] = {"error": f"{e.msg} at line {e.lineno}"}
        continue
    facts = {"doc": ast.get_docstring(tree, clean=False)}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            facts["const " + node.targets[0].id] = node.value.value
        if isinstance(node, ast.FunctionDef) and node.name == "greeting":
            facts["greeting"] = node.body[0].value.value
    out[p] = facts
json.dump(out, sys.stdout)
`;

/** Go's parser (the one gofmt uses): the file's doc comment, string constants, greeting()'s literal. */
const GO_FACTS = `package main

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
)

func main() {
	out := map[string]map[string]string{}
	for _, p := range os.Args[1:] {
		facts := map[string]string{}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ParseComments)
		if err != nil {
			facts["error"] = err.Error()
		} else {
			if f.Doc != nil {
				facts["doc"] = f.Doc.Text()
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.ValueSpec:
					for i, name := range x.Names {
						if lit, ok := x.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							facts["const "+name.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				case *ast.FuncDecl:
					if x.Name.Name == "greeting" {
						lit := x.Body.List[0].(*ast.ReturnStmt).Results[0].(*ast.BasicLit)
						facts["greeting"], _ = strconv.Unquote(lit.Value)
					}
				}
				return true
			})
		}
		out[p] = facts
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
`;

function toolrootJson(root: string, cmd: string[]): Record<string, Record<string, string>> {
  const goEnv = { GOTOOLCHAIN: 'local', GOFLAGS: '', GOPROXY: 'off', GOCACHE: path.join(root, '.gocache') };
  const r = inToolroot(root, cmd, goEnv);
  if (r.status !== 0) {
    throw new Error(`${cmd.slice(0, 2).join(' ')} exited ${r.status}: ${(r.stderr + r.stdout).slice(-3000)}`);
  }
  return JSON.parse(r.stdout);
}

/** TypeScript's parser: syntax errors, and the initial value of a `const NAME = '...'`. */
function tsFacts(file: string): { errors: string[]; consts: Record<string, string>; greetingAt?: (route: string) => string } {
  const text = fs.readFileSync(file, 'utf-8');
  const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
  const out = ts.transpileModule(text, { reportDiagnostics: true, fileName: file, compilerOptions });
  const errors = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const consts: Record<string, string> = {};
  source.forEachChild((node) => {
    if (ts.isVariableStatement(node)) {
      for (const d of node.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && ts.isStringLiteral(d.initializer)) consts[d.name.text] = d.initializer.text;
      }
    }
  });
  // greeting.ts has no imports: run it, to read what the page shows.
  let greetingAt: ((route: string) => string) | undefined;
  if (path.basename(file) === 'greeting.ts' && errors.length === 0) {
    const module = { exports: {} as any };
    new Function('module', 'exports', out.outputText)(module, module.exports);
    greetingAt = module.exports.greeting;
  }
  return { errors, consts, greetingAt };
}

const decodeHtml = (s: string) => s.replace(/&(amp|lt|gt|quot|#x27|#x60|#x3D);/g, (_m, e) => ({ 'amp': '&', 'lt': '<', 'gt': '>', 'quot': '"', '#x27': "'", '#x60': '`', '#x3D': '=' } as any)[e]);

test('every stub parses with its language\'s parser and holds each value exactly where intended', () => {
  const root = tempDir('stub-props-');
  const { cases, refused, samples } = generate(root);
  const pyFiles = cases.flatMap((c) => (c.kind.startsWith('poetry') ? walk(c.dir, '.py') : []));
  const goFiles = cases.flatMap((c) => (c.kind.startsWith('go') ? walk(c.dir, '.go') : []));
  fs.writeFileSync(path.join(root, 'facts.py'), PY_FACTS);
  fs.mkdirSync(path.join(root, 'gofacts'));
  fs.writeFileSync(path.join(root, 'gofacts', 'main.go'), GO_FACTS);
  const py = toolrootJson(root, ['python3', path.join(root, 'facts.py'), ...pyFiles]);
  // Built, then run: `go run` would take the .go arguments as its own sources.
  const goFacts = path.join(root, 'gofacts');
  const go = toolrootJson(root, ['sh', '-c', 'cd "$0" && go build -o facts main.go && exec ./facts "$@"', goFacts, ...goFiles]);
  let checked = 0;

  for (const c of cases) {
    const { description, path: healthPath, name } = c.values;
    const at = (rel: string) => path.join(c.dir, rel);
    const where = `${c.kind} with ${JSON.stringify(c.values)}`;
    if (c.kind.startsWith('poetry')) {
      for (const f of walk(c.dir, '.py')) {
        expect([where, f, py[f].error]).toEqual([where, f, undefined]);
        checked++;
      }
      expect(py[at('src/prop/__init__.py')].doc).toBe(`prop: ${description}`);
      const app = py[at('src/prop/app.py')];
      expect(app.doc.startsWith(`${description}\n\n\`prop\` runs main()`)).toBe(true);
      expect(app.greeting).toBe('Hello from prop!');
      if (c.kind === 'poetry-service') {
        expect(app['const HEALTH_PATH']).toBe(healthPath);
        expect(app.doc).toContain(`answers ${healthPath} for the container's health check`);
      }
    } else if (c.kind.startsWith('go')) {
      for (const f of walk(c.dir, '.go')) {
        expect([where, f, go[f].error]).toEqual([where, f, undefined]);
        checked++;
      }
      const main = go[at('cmd/prop/main.go')];
      // A comment shows the value with the escapes a Go string would need; go/parser trims trailing spaces.
      expect(main.doc).toBe(`Command prop: ${description.replace(/[\\"]/g, (ch) => `\\${ch}`)}`.trimEnd() + '\n');
      expect(main['const healthPath']).toBe(healthPath);
      expect(main.greeting).toBe('Hello from prop!');
    } else {
      for (const f of walk(c.dir, '.ts')) {
        expect([where, f, tsFacts(f).errors]).toEqual([where, f, []]);
        checked++;
      }
      if (c.kind === 'node-service') {
        expect(tsFacts(at('src/index.ts')).consts.HEALTH_PATH).toBe(healthPath);
      } else {
        const greetingAt = tsFacts(at('src/greeting.ts')).greetingAt!;
        expect(greetingAt('/')).toBe(`Hello from ${name}!`);
        expect(greetingAt('/about')).toBe(`${name} at /about`);
        const html = fs.readFileSync(at('public/index.html'), 'utf-8');
        const title = /<title>([^<]*)<\/title>/.exec(html)![1];
        expect(decodeHtml(title)).toBe(name);
        expect(html.match(/</g)!.length).toBe(fs.readFileSync(path.resolve(__dirname, '../../templates/node/index.html.hbs'), 'utf-8').match(/</g)!.length);
      }
    }
  }
  // eslint-disable-next-line no-console
  console.log(`stub properties: ${samples} samples x ${Object.keys(KINDS).length} kinds, ${cases.length} synthesized, ${refused} refused, ${checked} stub files parsed`);
  expect(cases.length).toBeGreaterThan(RUNS * 3);
});
