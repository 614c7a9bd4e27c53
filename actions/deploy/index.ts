import { runAction } from '../lib/action/entry.js';
import { run } from './main.js';

runAction(run);
