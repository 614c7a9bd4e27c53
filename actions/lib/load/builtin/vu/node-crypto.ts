/**
 * Node's crypto for VU code, loaded on its first use: importing it costs every VU thread ~2 ms of CPU at start
 * (it loads streams and WebCrypto with it), and most scripts never hash, sign or send multipart bodies.
 */
import { createRequire } from 'node:module';

type NodeCrypto = typeof import('node:crypto');

let loaded: NodeCrypto | undefined;

export function nodeCrypto(): NodeCrypto {
  loaded ??= createRequire(import.meta.url)('node:crypto') as NodeCrypto;
  return loaded;
}
