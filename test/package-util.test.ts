import { retryingRegistryLag, Run } from './package-util';

const LAG = 'npm error code ETARGET\nnpm error notarget No matching version found for @babel/types@7.29.17.';
const result = (status: number, output = ''): Run => ({ status, stdout: output, stderr: '', output });

/** Attempts that answer `outputs` in turn, counted; and the resets between them. */
function scripted(...answers: Run[]) {
  const calls = { attempts: 0, resets: 0 };
  const attempt = () => answers[Math.min(calls.attempts++, answers.length - 1)];
  const reset = () => void calls.resets++;
  return { calls, attempt, reset };
}

describe('an npm install that meets registry lag runs again', () => {
  beforeEach(() => jest.spyOn(process.stderr, 'write').mockImplementation(() => true));
  afterEach(() => jest.restoreAllMocks());

  test('lag twice, then success: three attempts, two resets, the success returned', () => {
    const { calls, attempt, reset } = scripted(result(1, LAG), result(1, LAG), result(0, 'added 1 package'));
    expect(retryingRegistryLag('npm install', attempt, reset, 1)).toEqual(result(0, 'added 1 package'));
    expect(calls).toEqual({ attempts: 3, resets: 2 });
    expect(process.stderr.write).toHaveBeenCalledWith('npm install: No matching version found for @babel/types@7.29.17. (registry lag); again in 0.001 s\n');
  });

  test('lag every time: four attempts, then the last failure is returned', () => {
    const { calls, attempt, reset } = scripted(result(1, LAG));
    expect(retryingRegistryLag('npm install', attempt, reset, 1).status).toBe(1);
    expect(calls).toEqual({ attempts: 4, resets: 3 });
  });

  test('any other failure, or success, is returned at once', () => {
    for (const answer of [result(1, 'npm error code E404'), result(0)]) {
      const { calls, attempt, reset } = scripted(answer);
      expect(retryingRegistryLag('npm install', attempt, reset, 1)).toBe(answer);
      expect(calls).toEqual({ attempts: 1, resets: 0 });
    }
  });
});
