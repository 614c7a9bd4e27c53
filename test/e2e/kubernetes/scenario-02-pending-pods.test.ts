import { scenario2 } from '../scenarios/02-pending-pods.js';

scenario2('kubernetes');
