/**
 * Errors that end a CLI run or an action with a one-line message and a chosen exit code, never a stack trace.
 * Anything else that escapes is a bug and is reported with its stack.
 */
import { ExitCode } from './exit-codes.js';

export class ScalegateError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.usage,
  ) {
    // One line, always: a value quoted from the input (a name with a line break) is shown escaped, as JSON does.
    super(message.replace(/\p{Cc}/gu, (c) => JSON.stringify(c).slice(1, -1)));
    this.name = new.target.name;
  }
}

/** Bad command-line usage: unknown flag, missing argument, malformed value. Exit code 2. */
export class UsageError extends ScalegateError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** Where in a settings or gate file a problem was found. Lines and columns are 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/**
 * A settings, gate or manifest file that does not fit its schema. Renders as
 * `file:line:column: field.path: what was expected` on one line. Exit code 2.
 */
export class SettingsError extends ScalegateError {
  constructor(
    readonly position: SourcePosition,
    readonly fieldPath: string,
    readonly detail: string,
  ) {
    const where = `${position.file}:${position.line}:${position.column}`;
    super(fieldPath ? `${where}: ${fieldPath}: ${detail}` : `${where}: ${detail}`, ExitCode.usage);
  }
}
