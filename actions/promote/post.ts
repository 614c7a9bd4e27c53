import { runAction } from '../lib/action/entry.js';
import { post } from './main.js';

runAction(post);
