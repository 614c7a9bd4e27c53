import { scenario3 } from '../scenarios/03-canary-ratio.js';

scenario3('builtin');
