/**
 * Keptn-style comparison criteria, e.g. `<=+10%` (at most 10 % above the baseline), `>=-5%` (at most 5 % below),
 * `<=+0.2` (at most 0.2 above, in the metric's unit), `<600` (a fixed bound).
 */
export type Comparator = '<' | '<=' | '>' | '>=' | '=';

export interface Criterion {
  text: string;
  comparator: Comparator;
  /** `relative`: percent change against the baseline; `absolute`: change in the metric's unit; `fixed`: the value itself. */
  kind: 'relative' | 'absolute' | 'fixed';
  amount: number;
}

const pattern = /^\s*(<=|>=|<|>|=)\s*([+-])?\s*(\d+(?:\.\d+)?)\s*(%)?\s*$/;

export function parseCriterion(text: string): Criterion {
  const m = pattern.exec(text);
  if (!m) {
    throw new Error(`criterion '${text}': expected a comparison like '<=+10%', '>=-5%', '<=+0.2' or '<600'`);
  }
  const [, comparator, sign, number, percent] = m as unknown as [
    string,
    Comparator,
    string | undefined,
    string,
    string | undefined,
  ];
  const magnitude = Number(number);
  if (percent && !sign) throw new Error(`criterion '${text}': a percentage needs a sign (e.g. '<=+10%')`);
  const amount = sign === '-' ? -magnitude : magnitude;
  return { text: text.trim(), comparator, kind: percent ? 'relative' : sign ? 'absolute' : 'fixed', amount };
}

function compare(value: number, comparator: Comparator, bound: number): boolean {
  switch (comparator) {
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
    case '=':
      return value === bound;
  }
}

/** The bound the current value is held to, given the baseline. */
export function criterionBound(criterion: Criterion, baseline: number): number {
  if (criterion.kind === 'fixed') return criterion.amount;
  if (criterion.kind === 'absolute') return baseline + criterion.amount;
  return baseline * (1 + criterion.amount / 100);
}

export function meetsCriterion(criterion: Criterion, current: number, baseline: number): boolean {
  return compare(current, criterion.comparator, criterionBound(criterion, baseline));
}
