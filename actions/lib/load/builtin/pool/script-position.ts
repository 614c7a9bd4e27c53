/**
 * Where a position of a bundle comes from in the user's script: the bundle's inline source map (esbuild writes one)
 * turns a bundle line and column into `file:line`; without a usable map, the bundle line is named instead.
 */
import {
  GREATEST_LOWER_BOUND,
  LEAST_UPPER_BOUND,
  originalPositionFor,
  TraceMap,
} from '@jridgewell/trace-mapping';

const inlineMap =
  /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/;

export type ScriptPosition = (line: number, column: number) => string;

/** A describer of bundle positions (line 1-based, column 0-based, as acorn gives them). */
export function scriptPositions(bundle: string): ScriptPosition {
  const map = readMap(bundle);
  return (line, column) => {
    if (map) {
      for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
        const original = originalPositionFor(map, { line, column, bias });
        if (original.source !== null && original.line !== null) return `${original.source}:${original.line}`;
      }
    }
    return `bundle line ${line}`;
  };
}

function readMap(bundle: string): TraceMap | undefined {
  const encoded = inlineMap.exec(bundle)?.[1];
  if (!encoded) return undefined;
  try {
    return new TraceMap(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}
