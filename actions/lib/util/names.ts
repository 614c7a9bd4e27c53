/**
 * Name rules shared by the settings and the gate files, as the API server and the places names end up apply them.
 */
import { z } from 'zod';

/**
 * Gate names reach logs, PR comments and check runs: letters, digits, `.`, `_` and `-` only, so no name can carry
 * a workflow command, Markdown or a line break.
 */
export const gateNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export const gateName = z
  .string()
  .regex(
    gateNamePattern,
    'a gate name: letters, digits, ., _ and - (at most 63, starting with a letter or digit)',
  )
  .describe('Unique gate name, referenced by canary steps');

export const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS label (RFC 1123), as namespaces and most object names are. */
export const dnsLabel = (description: string) =>
  z
    .string()
    .max(63)
    .regex(dnsLabelPattern, 'a DNS label: lowercase letters, digits and -, e.g. web')
    .describe(description);
