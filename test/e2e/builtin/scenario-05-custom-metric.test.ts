import { scenario5 } from '../scenarios/05-custom-metric.js';

scenario5('builtin');
