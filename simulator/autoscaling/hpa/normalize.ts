import type { Behavior, History, Recommendation, ScaleEvent, ScalingPolicy, ScalingRules } from './types.js';

/**
 * Port of horizontal.go's normalization: from the metrics' proposal to the replica count the controller sets.
 * Legacy path (no spec.behavior): downscale stabilization window (max of recent proposals), then min/max and the
 * `max(factor × current, 4)` scale-up cap. Behavior path: per-direction stabilization windows, then the
 * rate limits of the scaling policies measured from the recorded scale events. Both mutate the history as the
 * controller's in-memory maps are mutated.
 */

export interface Limited {
  replicas: number;
  reason: string;
  message: string;
}

const scaleUpLimitMinimum = 4;

const desiredWithinRange = (replicas: number): Limited => ({
  replicas,
  reason: 'DesiredWithinRange',
  message: 'the desired count is within the acceptable range',
});

/** `stabilizeRecommendation`: the max of the proposal and every recommendation inside the window. */
export function stabilizeLegacy(
  history: History,
  proposal: number,
  now: number,
  windowSeconds: number,
): number {
  const cutoff = now - windowSeconds * 1000;
  let max = proposal;
  let oldIndex = -1;
  history.recommendations.forEach((rec, i) => {
    if (Date.parse(rec.timestamp) < cutoff) oldIndex = i;
    else if (rec.replicas > max) max = rec.replicas;
  });
  storeRecommendation(history, oldIndex, { replicas: proposal, timestamp: new Date(now).toISOString() });
  return max;
}

function storeRecommendation(history: History, reuseIndex: number, rec: Recommendation): void {
  if (reuseIndex >= 0) history.recommendations[reuseIndex] = rec;
  else history.recommendations.push(rec);
}

/** `convertDesiredReplicasWithRules`: min/max and the legacy scale-up cap. */
export function convertWithRules(
  current: number,
  desired: number,
  min: number,
  max: number,
  scaleUpLimitFactor: number,
): Limited {
  const scaleUpLimit = Math.trunc(Math.max(scaleUpLimitFactor * current, scaleUpLimitMinimum));
  let maxAllowed: number;
  let reason: string;
  let message: string;
  if (max > scaleUpLimit) {
    maxAllowed = scaleUpLimit;
    reason = 'ScaleUpLimit';
    message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    maxAllowed = max;
    reason = 'TooManyReplicas';
    message = 'the desired replica count is more than the maximum replica count';
  }
  if (desired < min) {
    return {
      replicas: min,
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
    };
  }
  if (desired > maxAllowed) return { replicas: maxAllowed, reason, message };
  return desiredWithinRange(desired);
}

/** Behavior with the API defaults merged in (`GenerateHPAScaleUpRules` / `GenerateHPAScaleDownRules`). */
export interface EffectiveRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: ScalingPolicy[];
}

export function effectiveBehavior(
  behavior: Behavior,
  downscaleStabilizationWindowSeconds: number,
): { scaleUp: EffectiveRules; scaleDown: EffectiveRules } {
  const merge = (from: ScalingRules | undefined, defaults: EffectiveRules): EffectiveRules => ({
    stabilizationWindowSeconds: from?.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    selectPolicy: from?.selectPolicy ?? defaults.selectPolicy,
    policies: from?.policies ?? defaults.policies,
  });
  return {
    scaleUp: merge(behavior.scaleUp, {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    }),
    // scaleDown's window has no API default: the controller fills in its --downscale-stabilization flag.
    scaleDown: merge(behavior.scaleDown, {
      stabilizationWindowSeconds: downscaleStabilizationWindowSeconds,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    }),
  };
}

/**
 * `stabilizeRecommendationWithBehaviors`: clamp current between the lowest recommendation in the scale-up window
 * and the highest in the scale-down window; store the unstabilized proposal.
 */
export function stabilizeWithBehavior(
  history: History,
  proposal: number,
  current: number,
  now: number,
  upWindowSeconds: number,
  downWindowSeconds: number,
): Limited {
  const upCutoff = now - upWindowSeconds * 1000;
  const downCutoff = now - downWindowSeconds * 1000;
  let upRecommendation = proposal;
  let downRecommendation = proposal;
  let oldIndex = -1;
  history.recommendations.forEach((rec, i) => {
    const at = Date.parse(rec.timestamp);
    if (at > upCutoff) upRecommendation = Math.min(rec.replicas, upRecommendation);
    if (at > downCutoff) downRecommendation = Math.max(rec.replicas, downRecommendation);
    if (at < upCutoff && at < downCutoff) oldIndex = i;
  });
  let recommendation = current;
  if (recommendation < upRecommendation) recommendation = upRecommendation;
  if (recommendation > downRecommendation) recommendation = downRecommendation;
  storeRecommendation(history, oldIndex, { replicas: proposal, timestamp: new Date(now).toISOString() });
  if (proposal >= current) {
    return {
      replicas: recommendation,
      reason: 'ScaleUpStabilized',
      message:
        'recent recommendations were lower than current one, applying the lowest recent recommendation',
    };
  }
  return {
    replicas: recommendation,
    reason: 'ScaleDownStabilized',
    message:
      'recent recommendations were higher than current one, applying the highest recent recommendation',
  };
}

/** Σ replica changes of events strictly younger than the period. */
export function changeInPeriod(periodSeconds: number, events: ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.filter((e) => Date.parse(e.timestamp) > cutoff).reduce((sum, e) => sum + e.replicaChange, 0);
}

function periodStart(current: number, policy: ScalingPolicy, history: History, now: number): number {
  return (
    current -
    changeInPeriod(policy.periodSeconds, history.scaleUpEvents, now) +
    changeInPeriod(policy.periodSeconds, history.scaleDownEvents, now)
  );
}

/** `calculateScaleUpLimitWithScalingRules` */
export function scaleUpLimit(current: number, history: History, rules: EffectiveRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const proposals = rules.policies.map((policy) => {
    const start = periodStart(current, policy, history, now);
    return policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
  });
  return rules.selectPolicy === 'Min' ? Math.min(...proposals) : Math.max(...proposals);
}

/** `calculateScaleDownLimitWithBehaviors` */
export function scaleDownLimit(
  current: number,
  history: History,
  rules: EffectiveRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const proposals = rules.policies.map((policy) => {
    const start = periodStart(current, policy, history, now);
    return policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
  });
  return rules.selectPolicy === 'Min' ? Math.max(...proposals) : Math.min(...proposals);
}

/** `convertDesiredReplicasWithBehaviorRate`: min/max and the policies' rate limits. */
export function convertWithBehaviorRate(
  args: { current: number; desired: number; min: number; max: number; now: number },
  history: History,
  rules: { scaleUp: EffectiveRules; scaleDown: EffectiveRules },
): Limited {
  const { current, desired, min, max, now } = args;
  if (desired > current) {
    const limit = Math.max(scaleUpLimit(current, history, rules.scaleUp, now), current);
    if (max > limit) {
      if (desired > limit) {
        return {
          replicas: limit,
          reason: 'ScaleUpLimit',
          message: 'the desired replica count is increasing faster than the maximum scale rate',
        };
      }
    } else if (desired > max) {
      return {
        replicas: max,
        reason: 'TooManyReplicas',
        message: 'the desired replica count is more than the maximum replica count',
      };
    }
  } else if (desired < current) {
    const limit = Math.min(scaleDownLimit(current, history, rules.scaleDown, now), current);
    if (min < limit) {
      if (desired < limit) {
        return {
          replicas: limit,
          reason: 'ScaleDownLimit',
          message: 'the desired replica count is decreasing faster than the maximum scale rate',
        };
      }
    } else if (desired < min) {
      return {
        replicas: min,
        reason: 'TooFewReplicas',
        message: 'the desired replica count is less than the minimum replica count',
      };
    }
  }
  return desiredWithinRange(desired);
}

/**
 * `storeScaleEvent`: records |change| in the direction's list, reusing the slot of the last event older than the
 * direction's longest policy period (events once marked outdated stay so).
 */
export function storeScaleEvent(
  history: History,
  rules: { scaleUp: EffectiveRules; scaleDown: EffectiveRules },
  previous: number,
  next: number,
  now: number,
): void {
  const up = next > previous;
  const events = up ? history.scaleUpEvents : history.scaleDownEvents;
  const longest = Math.max(0, ...(up ? rules.scaleUp : rules.scaleDown).policies.map((p) => p.periodSeconds));
  const cutoff = now - longest * 1000;
  let reuse = -1;
  events.forEach((event, i) => {
    if (Date.parse(event.timestamp) < cutoff) event.outdated = true;
    if (event.outdated) reuse = i;
  });
  const event: ScaleEvent = {
    replicaChange: Math.abs(next - previous),
    timestamp: new Date(now).toISOString(),
  };
  if (reuse >= 0) events[reuse] = event;
  else events.push(event);
}
