import * as path from 'path';
import { discover } from 'projen/lib/inventory';

// `projen new --from stagecraft <type>` reads the project types the way projen's inventory does: an
// option declared by two of a type's option structs (say, stagecraft's and projen's sampleCode) fails there.
test('projen\'s inventory reads every project type and its options', () => {
  const types = discover(path.resolve(__dirname, '..', '..')).filter((t) => t.moduleName === 'stagecraft');
  expect(types.map((t) => t.pjid).sort()).toEqual(['go-app', 'java-app', 'node-app', 'pip-app', 'poetry-app', 'rust-app', 'workspace']);
  for (const type of types) {
    expect(type.options.filter((o) => o.name === 'sampleCode')).toHaveLength(1);
  }
});
