import { scenario4 } from '../scenarios/04-keda.js';

scenario4('builtin');
