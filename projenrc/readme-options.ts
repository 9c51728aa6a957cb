/**
 * Writes each project type's options table into README.md from the jsii
 * assembly, so the README lists every option with its documented default.
 * Run after compile (post-compile); `--check` fails when README.md is stale.
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf-8'));

interface Row {
  name: string;
  type: string;
  default: string;
  summary: string;
}

function typeName(t: any): string {
  if (t.primitive) return t.primitive;
  if (t.fqn) return t.fqn.split('.').pop();
  if (t.collection) return t.collection.kind === 'array' ? `${typeName(t.collection.elementtype)}[]` : `map of ${typeName(t.collection.elementtype)}`;
  return 'any';
}

/** Options declared by stagecraft's own structs; a struct from projen (e.g. TypeScriptProjectOptions) is projen's to document. */
function rows(fqn: string, seen = new Set<string>()): Row[] {
  const type = assembly.types[fqn];
  if (!type || !fqn.startsWith(`${assembly.name}.`)) return [];
  const out: Row[] = [];
  for (const p of type.properties ?? []) {
    if (seen.has(p.name)) continue;
    seen.add(p.name);
    out.push({
      name: p.name,
      type: typeName(p.type),
      default: String(p.docs?.default ?? '').replace(/^- /, ''),
      summary: [p.docs?.deprecated !== undefined ? `Deprecated: ${p.docs.deprecated}.` : '', p.docs?.summary, p.docs?.remarks].filter(Boolean).join(' ').replace(/\s+/g, ' '),
    });
  }
  for (const parent of type.interfaces ?? []) out.push(...rows(parent, seen));
  return out;
}

function table(projectFqn: string): string {
  const optionsFqn = assembly.types[projectFqn].initializer.parameters[0].type.fqn;
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = ['| option | type | default | what it does |', '| --- | --- | --- | --- |'];
  for (const r of rows(optionsFqn).sort((a, b) => a.name.localeCompare(b.name))) {
    lines.push(`| \`${r.name}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.summary)} |`);
  }
  return lines.join('\n');
}

const readmePath = path.join(root, 'README.md');
const readme = fs.readFileSync(readmePath, 'utf-8');
let updated = readme;
for (const [fqn, type] of Object.entries<any>(assembly.types)) {
  const pjid = type.docs?.custom?.pjid;
  if (!pjid) continue;
  const begin = `<!-- options:${pjid} -->`;
  const end = `<!-- /options:${pjid} -->`;
  const a = updated.indexOf(begin);
  const b = updated.indexOf(end);
  if (a < 0 || b < a) {
    throw new Error(`README.md has no "${begin} ... ${end}" section for the project type ${pjid}.`);
  }
  updated = updated.slice(0, a + begin.length) + '\n' + table(fqn) + '\n' + updated.slice(b);
}
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error('README.md option tables are stale: run "npx projen compile".');
    process.exit(1);
  }
} else if (updated !== readme) {
  fs.writeFileSync(readmePath, updated);
  console.log('README.md option tables updated.');
}
