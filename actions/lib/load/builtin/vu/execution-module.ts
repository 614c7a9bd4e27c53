/** `k6/execution`: read-only views of the scenario, instance, VU and test, plus test.abort() and test.fail(). */
import { AbortTestError, type VuBase } from './state.js';

export function createExecutionModule(vu: VuBase, options: () => Record<string, unknown>) {
  const inVu = (what: string) => {
    if (vu.phase === 'init' || !vu.scenario) throw new Error(`${what} is not available in the init context`);
    return vu.scenario;
  };
  return {
    get scenario() {
      const scenario = inVu('exec.scenario');
      return {
        name: scenario.name,
        executor: scenario.executor,
        startTime: scenario.startTime,
        progress: vu.progress,
        iterationInInstance: vu.iterationInTest,
        iterationInTest: vu.iterationInTest,
      };
    },
    get instance() {
      return {
        currentTestRunDuration: Date.now() - vu.testStartTime,
        iterationsCompleted: vu.iterationsCompleted,
        iterationsInterrupted: vu.iterationsInterrupted,
        vusActive: vu.vusActive,
        vusInitialized: vu.vusInitialized,
      };
    },
    get vu() {
      inVu('exec.vu');
      return {
        idInInstance: vu.vuId,
        idInTest: vu.vuId,
        iterationInInstance: vu.iteration,
        iterationInScenario: vu.iterationInScenario,
        tags: vu.userTags,
        metrics: { tags: vu.userTags, metadata: {} },
      };
    },
    test: {
      abort(message?: string): never {
        throw new AbortTestError(message ?? 'test aborted');
      },
      fail(message?: string): void {
        vu.post({ type: 'test-fail', message: message ?? 'test marked as failed' });
      },
      get options() {
        return options();
      },
    },
  };
}
