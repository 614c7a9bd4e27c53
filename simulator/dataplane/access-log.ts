import type { LogLine, PodLogSource } from '../api/pod-log.js';
import type { DataPlane } from './data-plane.js';

/**
 * `pods/log` of the built-in control plane, read from the pods' models: the access lines the gateway logs for the
 * serving container (each starts with its RFC 3339 time), and, for `-f`, the new ones as they are logged.
 */

const followEveryMs = 200;

function toLine(text: string): LogLine {
  const time = Date.parse(text.split(' ', 1)[0] ?? '');
  return { time: Number.isNaN(time) ? Date.now() : time, text };
}

export class ModelLogSource implements PodLogSource {
  constructor(private readonly plane: DataPlane) {}

  private texts(namespace: string, pod: string): string[] {
    const model = this.plane.runtime(namespace, pod)?.model;
    return model ? model.logLines(model.containers[0]?.name ?? '') : [];
  }

  linesOf(namespace: string, pod: string): LogLine[] {
    return this.texts(namespace, pod).map(toLine);
  }

  follow(namespace: string, pod: string, onLine: (line: LogLine) => void): () => void {
    let last = this.texts(namespace, pod).at(-1);
    const timer = setInterval(() => {
      const texts = this.texts(namespace, pod);
      // The log keeps its last lines only: continue after the last line already sent, wherever it now is.
      const from = last === undefined ? 0 : texts.lastIndexOf(last) + 1;
      for (const text of texts.slice(from)) onLine(toLine(text));
      last = texts.at(-1) ?? last;
    }, followEveryMs);
    return () => clearInterval(timer);
  }
}
