/** `KEY=VALUE` assignments (CLI `-e`, the action's multiline `env` input) → an environment object. */
export function parseEnvAssignments(lines: string[], where: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? '' : line.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`${where}: '${line}' is not KEY=VALUE`);
    env[key] = line.slice(eq + 1);
  }
  return env;
}
