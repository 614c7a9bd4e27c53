/**
 * GitHub's documented size limits on the fields scalegate writes (REST reference of each endpoint). Over a limit
 * GitHub refuses the whole request with 422, so text is cut to fit rather than losing the comment, check or issue.
 */
export const githubLimits = {
  /** Issue and pull-request comments, and issue or pull-request bodies. */
  body: 65_536,
  /** Issue and pull-request titles. */
  title: 256,
  /** A check run's output summary and text (in bytes, in practice). */
  checkRunText: 65_535,
  annotationTitle: 255,
  /** An annotation's message and raw_details: 64 KB. */
  annotationMessage: 64 * 1024,
  deploymentStatusDescription: 140,
} as const;

const ellipsis = '…';

/**
 * `text` cut to at most `max` characters, or UTF-8 bytes where GitHub counts the limit in bytes (annotation messages;
 * check-run summaries, whose "characters" GitHub counts as bytes), ending in an ellipsis when cut, never splitting a
 * character.
 */
export function capText(text: string, max: number, unit: 'characters' | 'bytes' = 'characters'): string {
  const size = (s: string) => (unit === 'bytes' ? Buffer.byteLength(s) : [...s].length);
  if (size(text) <= max) return text;
  let room = max - size(ellipsis);
  let kept = '';
  for (const char of text) {
    room -= size(char);
    if (room < 0) break;
    kept += char;
  }
  return kept + ellipsis;
}
