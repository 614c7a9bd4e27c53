import type { Command } from '../command.js';

/** Every CLI subcommand, in the order `scalegate --help` lists them. One import and one entry per command. */
export const commands: Command[] = [];
