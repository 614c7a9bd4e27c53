/**
 * PromQL syntax checked where a query is written (settings, gate files) with the grammar of Prometheus' own UI
 * (@prometheus-io/lezer-promql), so a typo fails at `validate` with its position instead of as a 400 from the server
 * mid-rollout. Only syntax: whether the metrics exist is for the gates to find out (no data is inconclusive).
 */
import { parser } from '@prometheus-io/lezer-promql';
import { z } from 'zod';

/**
 * scalegate's placeholders, replaced by valid text of the same length so that positions stay true: `$window` by a
 * duration, `{{name}}` (KEDA triggers) by a name, valid both inside a label value and as an identifier.
 */
function withoutPlaceholders(query: string): string {
  return query.replaceAll('$window', '99999ms').replace(/\{\{\w+\}\}/g, (name) => 'x'.repeat(name.length));
}

/** Why `query` is not valid PromQL, naming the 1-based column in the query where parsing failed; undefined when valid. */
export function promqlSyntaxError(query: string): string | undefined {
  let at: number | undefined;
  parser.parse(withoutPlaceholders(query)).iterate({
    enter: (node) => {
      if (at === undefined && node.type.isError) at = node.from;
      return at === undefined;
    },
  });
  if (at === undefined) return undefined;
  const near = query.slice(at, at + 16).trimEnd();
  return near === ''
    ? `invalid PromQL: unexpected end of query at column ${at + 1}`
    : `invalid PromQL at column ${at + 1}, near '${near}'`;
}

/** A settings or gate-file field holding a PromQL query (placeholders allowed), checked for syntax at load. */
export const promqlQuery = (description: string) =>
  z
    .string()
    .min(1)
    .superRefine((query, ctx) => {
      const problem = promqlSyntaxError(query);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(description);
