/** Environment settings: the typed, validated contents of `environments/<env>.yaml`. */
export { type ImageReference, imageVersion, parseImageReference } from './image.js';
export {
  displayPath,
  type LoadedEnvironment,
  type LoadOptions,
  loadEnvironment,
  parseEnvironment,
  resolveEnvironmentFile,
} from './load.js';
export * from './schema.js';
