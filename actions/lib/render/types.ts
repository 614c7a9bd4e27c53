/** Shapes shared by the rendering modules. */
import type { LoadedEnvironment } from '../settings/index.js';

export type { KubeObject } from '../kube/object.js';

/** Which Deployment an object belongs to; `shared` objects serve both tracks (or the namespace). */
export type ObjectTrack = 'stable' | 'canary' | 'shared';

export type RenderTrack = 'stable' | 'canary' | 'all';

/** What every rendering step needs: the settings plus the values derived once from them. */
export interface RenderContext {
  env: LoadedEnvironment;
  /** The image both tracks run (the settings' image unless overridden). */
  image: string;
  /** Value of the pods' `version` label, derived from the image tag or digest. */
  version: string;
  /** Percent of traffic the traffic-split objects send to the canary. */
  canaryWeight: number;
}
