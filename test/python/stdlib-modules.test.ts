import { spawnSync } from 'child_process';
import { STDLIB_MODULES } from '../../src/python/stdlib-modules';

test("the standard library's module names include every one the machine's Python reports", () => {
  const r = spawnSync('python3', ['-c', 'import sys, json; print(json.dumps(sorted(sys.stdlib_module_names)))'], { encoding: 'utf-8' });
  expect(r.status).toBe(0);
  const names: string[] = JSON.parse(r.stdout);
  expect(names.length).toBeGreaterThan(200);
  expect(names.filter((n) => !STDLIB_MODULES.has(n))).toEqual([]);
});
