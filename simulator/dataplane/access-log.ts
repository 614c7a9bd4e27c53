import type { LogLine, PodLogSource } from '../api/pod-log.js';

/**
 * The access lines of the requests the gateway routed to each pod (nginx's combined format), kept per pod up to
 * a bound and offered to `pods/log`, including to followers (`kubectl logs -f`).
 */

const maxLinesPerPod = 1000;

export class AccessLog implements PodLogSource {
  private readonly lines = new Map<string, LogLine[]>();
  private readonly followers = new Map<string, Set<(line: LogLine) => void>>();

  record(namespace: string, pod: string, line: LogLine): void {
    const key = `${namespace}/${pod}`;
    let list = this.lines.get(key);
    if (!list) {
      list = [];
      this.lines.set(key, list);
    }
    list.push(line);
    if (list.length > maxLinesPerPod) list.splice(0, list.length - maxLinesPerPod);
    for (const follower of this.followers.get(key) ?? []) follower(line);
  }

  forget(namespace: string, pod: string): void {
    this.lines.delete(`${namespace}/${pod}`);
  }

  linesOf(namespace: string, pod: string): LogLine[] {
    return [...(this.lines.get(`${namespace}/${pod}`) ?? [])];
  }

  follow(namespace: string, pod: string, onLine: (line: LogLine) => void): () => void {
    const key = `${namespace}/${pod}`;
    let set = this.followers.get(key);
    if (!set) {
      set = new Set();
      this.followers.set(key, set);
    }
    set.add(onLine);
    return () => set.delete(onLine);
  }
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `127.0.0.1 - - [06/Dec/2026:17:50:16 +0000] "GET / HTTP/1.1" 200 2 "-" "k6/0.50"`. */
export function accessLine(
  time: number,
  request: { method: string; path: string; remote?: string; agent?: string },
  status: number,
  bytes: number,
): string {
  const d = new Date(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  return `${request.remote ?? '127.0.0.1'} - - [${stamp}] "${request.method} ${request.path} HTTP/1.1" ${status} ${bytes} "-" "${request.agent ?? '-'}"`;
}
