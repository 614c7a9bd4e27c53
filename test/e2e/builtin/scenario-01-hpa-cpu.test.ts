import { scenario1 } from '../scenarios/01-hpa-cpu.js';

scenario1('builtin');
