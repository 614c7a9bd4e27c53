/**
 * Text made literal in Markdown (a PR comment, a job summary, a table cell): what could open a link, an image,
 * code or HTML is escaped (emphasis is harmless and stays), `|` cannot end a table cell and a newline cannot end the row. A gate name
 * such as `[x](https://evil)` or `![](https://track)` then shows as typed instead of becoming live.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/[\\`[\]!|]/g, '\\$&')
    .replace(/\r?\n|\r/g, ' ');
}
