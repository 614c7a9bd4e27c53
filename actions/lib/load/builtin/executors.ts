/**
 * Runs scenarios with k6's executor semantics on top of VU threads: closed models (shared-iterations,
 * per-vu-iterations, constant-vus, ramping-vus with LIFO ramp-down and gracefulRampDown) and open models
 * (constant/ramping-arrival-rate with dropped iterations and unplanned VUs added one at a time). After the regular
 * end no iteration starts; iterations still running at regular end + gracefulStop are interrupted.
 */
import type { Scenario } from '../options.js';
import type { StageWindow } from '../types.js';
import { stageWindows } from '../windows.js';
import { constantArrivalOffsets, rampingArrivalOffsets, rampingVusSteps } from './schedule.js';
import type { VuHandle, VuResult } from './vu-handle.js';

export interface ExecutorContext {
  /** True once the test is aborted: start nothing new. */
  readonly stopped: boolean;
  /** Resolves when the test is aborted. */
  readonly stopSignal: Promise<void>;
  iterate(vu: VuHandle, scenario: Scenario, scenarioStart: number, progress: number): Promise<VuResult>;
  /**
   * Lets the VU start iterations by itself until `until` (epoch ms) or an interruption, saving the engine a round
   * trip per iteration; for executors whose only condition for the next iteration is time.
   */
  iterateUntil(
    vu: VuHandle,
    scenario: Scenario,
    scenarioStart: number,
    until: number,
    durationMs: number,
  ): Promise<VuResult>;
  dropped(scenario: Scenario, count: number): void;
  /** Initializes one more VU (arrival-rate maxVUs); undefined if that failed. */
  allocateVu(): Promise<VuHandle | undefined>;
  setActive(vu: VuHandle, active: boolean): void;
  warn(message: string): void;
}

export interface ScenarioRun {
  start: number;
  end: number;
  stages: StageWindow[];
}

/** Resolves at `epochMs` or when the test stops, whichever is first. */
function until(epochMs: number, ctx: ExecutorContext): Promise<void> {
  const delay = epochMs - Date.now();
  if (delay <= 0 || ctx.stopped) return Promise.resolve();
  return new Promise((resolveWait) => {
    const timer = setTimeout(resolveWait, delay);
    void ctx.stopSignal.then(() => {
      clearTimeout(timer);
      resolveWait();
    });
  });
}

/** Interrupts the scenario's busy VUs at the hard end (regular end + gracefulStop) or on abort. */
function hardStop(vus: () => Iterable<VuHandle>, at: number, ctx: ExecutorContext): () => void {
  const interruptAll = () => {
    for (const vu of vus()) vu.interrupt();
  };
  const timer = setTimeout(interruptAll, Math.max(0, at - Date.now()));
  void ctx.stopSignal.then(interruptAll);
  return () => clearTimeout(timer);
}

async function loop(
  vu: VuHandle,
  scenario: Scenario,
  start: number,
  ctx: ExecutorContext,
  next: () => boolean,
  progress: () => number,
): Promise<void> {
  ctx.setActive(vu, true);
  try {
    while (!ctx.stopped && next()) await ctx.iterate(vu, scenario, start, progress());
  } finally {
    ctx.setActive(vu, false);
  }
}

async function closedModel(scenario: Scenario, vus: VuHandle[], ctx: ExecutorContext): Promise<ScenarioRun> {
  const start = Date.now();
  switch (scenario.executor) {
    case 'constant-vus': {
      const regularEnd = start + scenario.durationMs;
      const cancel = hardStop(() => vus, regularEnd + scenario.gracefulStopMs, ctx);
      await Promise.all(
        vus.map(async (vu) => {
          ctx.setActive(vu, true);
          try {
            if (!ctx.stopped && Date.now() < regularEnd)
              await ctx.iterateUntil(vu, scenario, start, regularEnd, scenario.durationMs);
          } finally {
            ctx.setActive(vu, false);
          }
        }),
      );
      cancel();
      return { start, end: Date.now(), stages: [] };
    }
    case 'per-vu-iterations': {
      const regularEnd = start + scenario.maxDurationMs;
      const cancel = hardStop(() => vus, regularEnd + scenario.gracefulStopMs, ctx);
      let droppedTotal = 0;
      await Promise.all(
        vus.map(async (vu) => {
          let started = 0;
          await loop(
            vu,
            scenario,
            start,
            ctx,
            () => Date.now() < regularEnd && started++ < scenario.iterations,
            () => started / scenario.iterations,
          );
          droppedTotal += Math.max(0, scenario.iterations - Math.min(started, scenario.iterations));
        }),
      );
      cancel();
      if (droppedTotal > 0) ctx.dropped(scenario, droppedTotal);
      return { start, end: Date.now(), stages: [] };
    }
    case 'shared-iterations': {
      const regularEnd = start + scenario.maxDurationMs;
      const cancel = hardStop(() => vus, regularEnd + scenario.gracefulStopMs, ctx);
      let attempted = 0;
      const next = () => {
        if (Date.now() >= regularEnd || attempted >= scenario.iterations) return false;
        attempted++;
        return true;
      };
      await Promise.all(
        vus.map((vu) => loop(vu, scenario, start, ctx, next, () => attempted / scenario.iterations)),
      );
      cancel();
      if (attempted < scenario.iterations) ctx.dropped(scenario, scenario.iterations - attempted);
      return { start, end: Date.now(), stages: [] };
    }
    default:
      throw new Error(`not a closed-model executor: ${scenario.executor}`);
  }
}

async function rampingVus(
  scenario: Extract<Scenario, { executor: 'ramping-vus' }>,
  vus: VuHandle[],
  ctx: ExecutorContext,
): Promise<ScenarioRun> {
  const start = Date.now();
  const total = scenario.stages.reduce((sum, s) => sum + s.durationMs, 0);
  const regularEnd = start + total;
  const steps = rampingVusSteps(scenario.startVUs, scenario.stages);
  const wanted = vus.map(() => false);
  const loops = new Map<number, Promise<void>>();
  const rampDownTimers = new Map<number, NodeJS.Timeout>();
  const progress = () => Math.min(1, total === 0 ? 1 : (Date.now() - start) / total);
  const startVu = (index: number) => {
    wanted[index] = true;
    clearTimeout(rampDownTimers.get(index));
    rampDownTimers.delete(index);
    if (loops.has(index)) return;
    const vu = vus[index]!;
    const running = loop(
      vu,
      scenario,
      start,
      ctx,
      () => wanted[index]! && Date.now() < regularEnd,
      progress,
    ).finally(() => loops.delete(index));
    loops.set(index, running);
  };
  const stopVu = (index: number) => {
    wanted[index] = false;
    if (scenario.gracefulRampDownMs === 0) vus[index]!.interrupt();
    else
      rampDownTimers.set(
        index,
        setTimeout(() => {
          if (!wanted[index]) vus[index]!.interrupt();
        }, scenario.gracefulRampDownMs),
      );
  };
  let active = 0;
  for (const step of steps) {
    await until(start + step.atMs, ctx);
    if (ctx.stopped) break;
    // Scale up in index order, down from the highest index (LIFO), as k6 does.
    for (; active < step.vus; active++) startVu(active);
    for (; active > step.vus; active--) stopVu(active - 1);
  }
  await until(regularEnd, ctx);
  for (let i = 0; i < wanted.length; i++) wanted[i] = false;
  const cancel = hardStop(() => vus, regularEnd + scenario.gracefulStopMs, ctx);
  while (loops.size > 0) await Promise.all([...loops.values()]);
  cancel();
  for (const timer of rampDownTimers.values()) clearTimeout(timer);
  return { start, end: Date.now(), stages: stageWindows(start, scenario.stages) };
}

async function arrivalRate(
  scenario: Extract<Scenario, { executor: 'constant-arrival-rate' | 'ramping-arrival-rate' }>,
  initial: VuHandle[],
  ctx: ExecutorContext,
): Promise<ScenarioRun> {
  const start = Date.now();
  const constant = scenario.executor === 'constant-arrival-rate';
  const durationMs = constant
    ? scenario.durationMs
    : scenario.stages.reduce((sum, s) => sum + s.durationMs, 0);
  const offsets = constant
    ? constantArrivalOffsets(scenario.rate, scenario.timeUnitMs, scenario.durationMs)
    : rampingArrivalOffsets(scenario.startRate, scenario.timeUnitMs, scenario.stages);
  const regularEnd = start + durationMs;
  const all = [...initial];
  const idle = [...initial];
  const running = new Set<Promise<void>>();
  let allocating = false;
  let warned = false;
  const cancel = hardStop(() => all, regularEnd + scenario.gracefulStopMs, ctx);
  const progress = () => Math.min(1, (Date.now() - start) / durationMs);
  const dispatch = () => {
    const vu = idle.pop();
    if (!vu) {
      ctx.dropped(scenario, 1);
      if (all.length < scenario.maxVUs && !allocating) {
        allocating = true;
        void ctx.allocateVu().then((extra) => {
          allocating = false;
          if (extra) {
            all.push(extra);
            idle.push(extra);
          }
        });
      } else if (all.length >= scenario.maxVUs && !warned && scenario.maxVUs > 0) {
        warned = true;
        ctx.warn(`Insufficient VUs, reached ${scenario.maxVUs} active VUs and cannot initialize more`);
      }
      return;
    }
    ctx.setActive(vu, true);
    const run = ctx
      .iterate(vu, scenario, start, progress())
      .then(() => {
        ctx.setActive(vu, false);
        idle.push(vu);
      })
      .finally(() => running.delete(run));
    running.add(run);
  };
  let next = offsets.next();
  while (!next.done && !ctx.stopped) {
    const due = start + next.value;
    if (due > regularEnd) break;
    const now = Date.now();
    if (due > now) {
      await until(due, ctx);
      continue;
    }
    dispatch();
    next = offsets.next();
    // Yield now and then so HTTP answers and VU messages flow while a backlog of due iterations is dispatched.
    if (Date.now() - now > 5) await new Promise((r) => setImmediate(r));
  }
  await until(regularEnd, ctx);
  while (running.size > 0) await Promise.all([...running]);
  cancel();
  const stages = constant ? [] : stageWindows(start, scenario.stages);
  return { start, end: Date.now(), stages };
}

export function runScenario(scenario: Scenario, vus: VuHandle[], ctx: ExecutorContext): Promise<ScenarioRun> {
  switch (scenario.executor) {
    case 'ramping-vus':
      return rampingVus(scenario, vus, ctx);
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return arrivalRate(scenario, vus, ctx);
    default:
      return closedModel(scenario, vus, ctx);
  }
}

/** VUs a scenario needs initialized before the test starts. */
export function plannedVus(scenario: Scenario): number {
  switch (scenario.executor) {
    case 'ramping-vus':
      return Math.max(scenario.startVUs, ...scenario.stages.map((s) => s.target));
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return scenario.preAllocatedVUs;
    default:
      return scenario.vus;
  }
}
