import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConditionError, parseCondition } from '../../actions/lib/gates/condition.js';

const holds = (source: string, result: number[]) => parseCondition(source).evaluate(result);

test('comparisons on a single-value result, with or without an index', () => {
  assert.equal(holds('result < 5', [4]), true);
  assert.equal(holds('result < 5', [5]), false);
  assert.equal(holds('result[0] >= 0.95', [0.96]), true);
  assert.equal(holds('result[-1] == 3', [1, 2, 3]), true);
  assert.equal(holds('result != 0', [0]), false);
});

test('boolean operators, words, precedence and arithmetic', () => {
  assert.equal(holds('result > 1 && result < 3 || result == 10', [10]), true);
  assert.equal(holds('!(result > 1) or result == 2', [2]), true);
  assert.equal(holds('not (result > 1) and true', [2]), false);
  assert.equal(holds('result * 100 / 4 - 1 == 24', [1]), true);
  assert.equal(holds('-result + 2 * 3 == 5', [1]), true);
  assert.equal(holds('result % 2 == 1', [7]), true);
});

test('functions: len, isNaN, isInf, default, min/max/sum/avg, all/any/none with #', () => {
  assert.equal(holds('len(result) == 0 || result[0] < 1', []), true);
  assert.equal(holds('isNaN(result)', [Number.NaN]), true);
  assert.equal(holds('isInf(result)', [Number.POSITIVE_INFINITY]), true);
  assert.equal(holds('default(result, 0) < 0.05', []), true);
  assert.equal(
    holds('max(result) <= 3 && min(result) >= 1 && sum(result) == 6 && avg(result) == 2', [1, 2, 3]),
    true,
  );
  assert.equal(holds('all(result, # < 1000)', [1, 999]), true);
  assert.equal(holds('any(result, # > 5)', [1, 2]), false);
  assert.equal(holds('none(result, abs(#) > 5)', [-6]), false);
});

test('a result with several values must be indexed or aggregated', () => {
  assert.throws(
    () => holds('result < 5', [1, 2]),
    /result has 2 values; use result\[i\], len\(\), all\(\), any\(\) or default\(\)/,
  );
  assert.throws(() => holds('result < 5', []), /result is empty/);
  assert.throws(() => holds('result[3] < 5', [1]), /index 3 is out of range/);
});

test('syntax errors name the column; no names, calls or tricks beyond the language', () => {
  const error = (source: string) => {
    try {
      parseCondition(source);
    } catch (e) {
      assert.ok(e instanceof ConditionError);
      return e.message;
    }
    assert.fail(`'${source}' parsed`);
  };
  assert.equal(error('result <'), 'unexpected end of expression at column 9');
  assert.equal(error('result >> 2'), "unexpected '>' at column 9");
  assert.equal(error('1 < result < 3'), "unexpected '<' at column 12");
  assert.match(error('process.exit(1)'), /unknown name 'process' at column 1|unexpected '\.'/);
  assert.match(error('constructor(1)'), /unknown function 'constructor' at column 1/);
  assert.match(error("result == 'a'"), /unexpected ''' at column 11/);
  assert.match(error('len(result, 2)'), /len\(\) takes 1 argument\(s\), got 2/);
});

test('a condition must give true or false', () => {
  assert.throws(() => holds('result + 1', [1]), /gives a number, not true or false/);
  assert.throws(
    () => holds('result && true', [1]),
    /expected a condition \(true\/false\), got a list of 1 value\(s\)/,
  );
});
