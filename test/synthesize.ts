import { Project } from 'projen';

/**
 * `project.synth()` as `npx projen` runs it, without the post-synthesis steps (installs, `poetry
 * lock`) that need the network and the tools: what Testing.synth does, but the folder stays.
 */
export function synthesize<T extends Project>(make: () => T, env: Record<string, string> = {}): T {
  const saved = { ...process.env };
  Object.assign(process.env, { PROJEN_DISABLE_POST: 'true', ...env });
  try {
    const project = make();
    project.synth();
    return project;
  } finally {
    for (const key of Object.keys(env).concat('PROJEN_DISABLE_POST')) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}
