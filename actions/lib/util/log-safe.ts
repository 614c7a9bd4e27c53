/**
 * Text bound for the GitHub Actions log made inert: the runner executes a line that starts with `::name::`
 * (or the older `##[name]`) as a workflow command, so a gate name or a server's message with a newline could
 * otherwise emit `::add-mask::`, `::error::` or `::stop-commands::`. Each line that would be read as a command
 * gets a zero-width space in front; carriage returns (which the runner also splits on) become newlines.
 */
export function logSafe(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => (/^\s*(::|##\[)/.test(line) ? `\u200b${line}` : line))
    .join('\n');
}
