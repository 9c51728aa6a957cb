import { Project } from 'projen';

/**
 * Runs `fn` with `PROJEN_DISABLE_POST` set (and `env`), as `npx projen` runs a synthesis without
 * the post-synthesis steps (installs, `poetry lock`) that need the network and the tools; restores
 * the environment after, unset variables unset (assigning `undefined` would set "undefined").
 */
export function withoutPostSynthesis<T>(fn: () => T, env: Record<string, string> = {}): T {
  const saved = { ...process.env };
  Object.assign(process.env, { PROJEN_DISABLE_POST: 'true', ...env });
  try {
    return fn();
  } finally {
    for (const key of Object.keys(env).concat('PROJEN_DISABLE_POST')) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

/**
 * `project.synth()` as `npx projen` runs it, without the post-synthesis steps: what Testing.synth
 * does, but the folder stays.
 */
export function synthesize<T extends Project>(make: () => T, env: Record<string, string> = {}): T {
  return withoutPostSynthesis(() => {
    const project = make();
    project.synth();
    return project;
  }, env);
}
