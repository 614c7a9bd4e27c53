#!/usr/bin/env node
// The CLI runs from the TypeScript sources (tsx strips types at load); only the GitHub Actions are bundled.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
