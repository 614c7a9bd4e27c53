/**
 * Executor schedules as pure functions of the configuration, following k6's arithmetic: the ramping-vus VU steps
 * (integer nanoseconds, ramp-up floors and ramp-down ceils the linear VU curve) and the iteration start offsets of
 * the arrival-rate executors. All times are milliseconds from the scenario start.
 */
import type { Stage } from '../options.js';

export interface VuStep {
  atMs: number;
  vus: number;
}

const NS_PER_MS = 1_000_000n;

/** The VU count changes of a ramping-vus scenario (k6's raw execution steps, unsegmented). */
export function rampingVusSteps(startVUs: number, stages: Stage[]): VuStep[] {
  const steps: VuStep[] = [];
  const add = (atNs: bigint, vus: number) => {
    if (steps.length > 0 && steps[steps.length - 1]!.vus === vus) return;
    steps.push({ atMs: Number(atNs) / 1e6, vus });
  };
  add(0n, startVUs);
  let cur = BigInt(startVUs);
  let from = BigInt(startVUs);
  let end = 0n;
  for (const stage of stages) {
    const duration = BigInt(Math.round(stage.durationMs * 1e6));
    const target = BigInt(stage.target);
    end += duration;
    const diff = target - from;
    if (diff === 0n) continue;
    if (duration === 0n) {
      cur = target;
      add(end, Number(target));
    } else if (cur > target) {
      for (; cur > target; cur--) add(end - (duration * (target - cur + 1n)) / diff, Number(cur - 1n));
    } else {
      for (; cur <= target; cur++) add(end - (duration * (target - cur)) / diff, Number(cur));
    }
    from = target;
  }
  return steps;
}

/** constant-arrival-rate: iteration k is due at k * (timeUnit / rate), from 0 until the duration ends. */
export function* constantArrivalOffsets(
  rate: number,
  timeUnitMs: number,
  durationMs: number,
): Generator<number> {
  const periodNs = BigInt(Math.trunc((timeUnitMs * 1e6) / rate));
  const durationNs = BigInt(Math.round(durationMs * 1e6));
  for (let at = 0n; at < durationNs; at += periodNs > 0n ? periodNs : 1n)
    yield Number(at) / Number(NS_PER_MS);
}

/**
 * ramping-arrival-rate: iteration n (1, 2, ...) starts when the area under the piecewise-linear rate curve reaches n,
 * so there is never an iteration at 0. Rates are per timeUnit.
 */
export function* rampingArrivalOffsets(
  startRate: number,
  timeUnitMs: number,
  stages: Stage[],
): Generator<number> {
  let stageStart = 0;
  let area = 0;
  let fromRate = startRate / timeUnitMs;
  let n = 1;
  const epsilon = 1e-9;
  for (const stage of stages) {
    const toRate = stage.target / timeUnitMs;
    const duration = stage.durationMs;
    const stageArea = ((fromRate + toRate) / 2) * duration;
    while (n <= area + stageArea + epsilon) {
      const need = n - area;
      let offset: number;
      if (Math.abs(fromRate - toRate) < 1e-15) offset = need / toRate;
      else {
        const inner = duration * (fromRate * fromRate * duration + 2 * need * (toRate - fromRate));
        offset = (fromRate * duration - Math.sqrt(Math.max(0, inner))) / (fromRate - toRate);
      }
      yield stageStart + Math.min(offset, duration);
      n++;
    }
    area += stageArea;
    stageStart += duration;
    fromRate = toRate;
  }
}
