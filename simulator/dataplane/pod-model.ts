import { HttpStats } from './http-stats.js';
import { coldStartMultiplier, type WorkloadModel } from './workload.js';

/** What the model needs to know about one container of the pod. */
export interface ContainerShape {
  name: string;
  /** Cores the container may use: its CPU limit, else its request, else one core. */
  cpuCores: number;
  /** Bytes above which the container is OOMKilled; undefined when it has no memory limit. */
  memoryLimitBytes: number | undefined;
}

/** How a request left the pod: 200, 500 (the app's error ratio) or 502 (the container died under it). */
export type RequestStatus = 200 | 500 | 502;

export interface UsageWindow {
  /** End of the window, ms since epoch. */
  timestamp: number;
  seconds: number;
  /** Average cores used per container, in the order of `containers`. */
  cpuCores: number[];
  /** Average working set per container. */
  memoryBytes: number[];
  requestsPerSecond: number;
}

/** Called once per request: how it ended and how long the modelled app took to answer it, in seconds. */
export type RequestDone = (status: RequestStatus, seconds: number) => void;

interface Job {
  /** Model time (ms since epoch) of the request's arrival. */
  arrivedAt: number;
  remainingCpu: number;
  status: 200 | 500;
  timer: NodeJS.Timeout | undefined;
  done: RequestDone;
}

interface UsageSample {
  t: number;
  cpuSeconds: number[];
  memoryByteSeconds: number;
  requests: number;
}

const accessLogLines = 1000;
/** CPU seconds within which phases end together: what floating-point integration leaves apart. */
const cpuEpsilon = 1e-9;

/** Real time with sub-millisecond resolution, ms since epoch. */
export const realClock = (): number => performance.timeOrigin + performance.now();

/**
 * One running pod as a processor-sharing server. The first container serves traffic: its in-flight requests
 * share its CPU capacity (each request uses at most one core), so service time stretches with concurrency.
 * A request's life: CPU phase (cost × cold-start multiplier), then the base latency; its memory is held until it
 * answers. CPU time and memory are integrated exactly between arrivals and departures, which gives the cumulative
 * counters cAdvisor exports and the windowed averages metrics-server serves. Other containers idle at zero usage.
 *
 * Timers only wake the model: each CPU phase ends at its computed instant, in order, however late the host's event
 * loop runs, and a request's latency is the model's. Else a busy machine running the simulator would charge CPU
 * past a request's cost and add its own delay to every request alike, which inflates the HPA's reading and evens
 * out a slower canary's latency against stable's.
 */
export class PodModel {
  readonly http: HttpStats;
  private readonly cpuSeconds: number[];
  private memoryByteSeconds = 0;
  private readonly cpuJobs = new Set<Job>();
  private readonly waitingJobs = new Set<Job>();
  private lastAdvance: number;
  private cpuTimer: NodeJS.Timeout | undefined;
  private errorCredit = 0.5;
  private samples: UsageSample[] = [];
  /** The serving container's access log (what `kubectl logs` shows), newest last. */
  private readonly log: string[] = [];
  /** Set between an OOMKill and the container's restart: the pod takes no traffic. */
  down = false;

  constructor(
    readonly containers: ContainerShape[],
    public workload: WorkloadModel,
    /** When the pod last turned Ready (ms since epoch), for the cold-start penalty. */
    public readySince: number,
    private readonly onOutOfMemory: (container: string) => void,
    private readonly now: () => number = realClock,
  ) {
    this.cpuSeconds = containers.map(() => 0);
    this.lastAdvance = now();
    // The app's histogram buckets are fixed when it starts, as a Prometheus client's are.
    this.http = new HttpStats(workload.latencyBucketsSeconds);
  }

  get inFlight(): number {
    return this.cpuJobs.size + this.waitingJobs.size;
  }

  /** Appends one served request to the access log, keeping the last `accessLogLines` like a rotated log file. */
  logAccess(line: string): void {
    this.log.push(line);
    if (this.log.length > accessLogLines) this.log.shift();
  }

  /** Log lines of one container: the access log for the serving (first) container, nothing for the others. */
  logLines(container: string): string[] {
    return container === this.containers[0]?.name ? [...this.log] : [];
  }

  /** Current working set of each container. */
  memoryBytes(): number[] {
    return this.containers.map((_, i) =>
      i === 0 ? this.workload.baseMemoryBytes + this.workload.memoryBytesPerRequest * this.inFlight : 0,
    );
  }

  /** Cumulative CPU seconds of each container up to now. */
  cumulativeCpuSeconds(): number[] {
    this.advance();
    return [...this.cpuSeconds];
  }

  private get serving(): ContainerShape | undefined {
    return this.containers[0];
  }

  private perJobRate(): number {
    const n = this.cpuJobs.size;
    return n === 0 ? 0 : Math.min(1, (this.serving?.cpuCores ?? 1) / n);
  }

  /**
   * Brings the model to now: every CPU phase that ended meanwhile ends at its own instant, in order (the others'
   * shares grow from there), and CPU work and memory are integrated between those instants.
   */
  private advance(): void {
    const now = this.now();
    while (this.cpuJobs.size > 0) {
      const rate = this.perJobRate();
      let least = Number.POSITIVE_INFINITY;
      for (const job of this.cpuJobs) least = Math.min(least, job.remainingCpu);
      const endsAt = this.lastAdvance + (Math.max(0, least) / rate) * 1000;
      if (endsAt > now) break;
      // Chosen before integrating, so each turn ends at least one phase whatever the rounding.
      const ending = [...this.cpuJobs].filter((job) => job.remainingCpu <= least + cpuEpsilon);
      this.integrate(endsAt);
      for (const job of ending) {
        this.cpuJobs.delete(job);
        this.startWaiting(job, endsAt);
      }
    }
    this.integrate(now);
  }

  /** Integrates CPU work and memory from the last change until `until`, with no phase ending in between. */
  private integrate(until: number): void {
    const dt = Math.max(0, (until - this.lastAdvance) / 1000);
    this.lastAdvance = Math.max(this.lastAdvance, until);
    if (dt === 0) return;
    const rate = this.perJobRate();
    for (const job of this.cpuJobs) job.remainingCpu -= rate * dt;
    this.cpuSeconds[0] = (this.cpuSeconds[0] ?? 0) + rate * this.cpuJobs.size * dt;
    this.memoryByteSeconds += (this.memoryBytes()[0] ?? 0) * dt;
  }

  /** Accepts one request; `done` is called once, when the modelled app answers it. */
  serve(done: RequestDone): void {
    this.advance();
    this.errorCredit += this.workload.errorRatio;
    const failed = this.errorCredit >= 1;
    if (failed) this.errorCredit -= 1;
    const arrivedAt = this.lastAdvance;
    const sinceReady = (arrivedAt - this.readySince) / 1000;
    const job: Job = {
      arrivedAt,
      remainingCpu: this.workload.cpuSecondsPerRequest * coldStartMultiplier(this.workload, sinceReady),
      status: failed ? 500 : 200,
      timer: undefined,
      done,
    };
    if (job.remainingCpu > 0) this.cpuJobs.add(job);
    else this.startWaiting(job, arrivedAt);
    const limit = this.serving?.memoryLimitBytes;
    if (limit !== undefined && (this.memoryBytes()[0] ?? 0) > limit) {
      this.kill();
      this.onOutOfMemory(this.serving?.name ?? '');
      return;
    }
    this.scheduleCpu();
  }

  /** The job's CPU phase ended at `cpuEndedAt` (model time): it answers one base latency later. */
  private startWaiting(job: Job, cpuEndedAt: number): void {
    const answersAt = cpuEndedAt + this.workload.baseLatencySeconds * 1000;
    this.waitingJobs.add(job);
    job.timer = setTimeout(
      () => {
        this.advance();
        this.waitingJobs.delete(job);
        job.done(job.status, (answersAt - job.arrivedAt) / 1000);
      },
      Math.max(0, answersAt - this.now()),
    );
  }

  private scheduleCpu(): void {
    if (this.cpuTimer) clearTimeout(this.cpuTimer);
    this.cpuTimer = undefined;
    if (this.cpuJobs.size === 0) return;
    const rate = this.perJobRate();
    let next = Number.POSITIVE_INFINITY;
    for (const job of this.cpuJobs) next = Math.min(next, job.remainingCpu / rate);
    this.cpuTimer = setTimeout(() => this.finishCpu(), Math.max(0, Math.ceil(next * 1000)));
  }

  private finishCpu(): void {
    this.cpuTimer = undefined;
    this.advance();
    this.scheduleCpu();
  }

  /** The container died: every in-flight request fails with 502 and the pod takes no traffic until restarted. */
  kill(): void {
    this.advance();
    this.down = true;
    this.abortAll();
  }

  /** The container runs again after a restart: fresh and cold. */
  restart(readySince: number): void {
    this.advance();
    this.down = false;
    this.readySince = readySince;
  }

  private abortAll(): void {
    if (this.cpuTimer) clearTimeout(this.cpuTimer);
    this.cpuTimer = undefined;
    const jobs = [...this.cpuJobs, ...this.waitingJobs];
    this.cpuJobs.clear();
    this.waitingJobs.clear();
    for (const job of jobs) {
      if (job.timer) clearTimeout(job.timer);
      job.done(502, (this.lastAdvance - job.arrivedAt) / 1000);
    }
  }

  /** The pod is gone: in-flight requests fail, timers stop. */
  stop(): void {
    this.abortAll();
  }

  /** Records a usage sample now and drops samples older than `keepMs`. */
  sample(keepMs: number): void {
    this.advance();
    const t = this.lastAdvance;
    this.samples.push({
      t,
      cpuSeconds: [...this.cpuSeconds],
      memoryByteSeconds: this.memoryByteSeconds,
      requests: this.http.requests,
    });
    const firstKept = this.samples.findIndex((s) => t - s.t <= keepMs);
    if (firstKept > 0) this.samples = this.samples.slice(firstKept);
  }

  /**
   * Average usage between the oldest sample at most `windowMs` before the latest one and the latest one;
   * undefined until two samples exist (metrics-server likewise needs two scrapes).
   */
  usage(windowMs: number): UsageWindow | undefined {
    const latest = this.samples.at(-1);
    const first = this.samples.find((s) => latest !== undefined && latest.t - s.t <= windowMs * 1.05);
    if (!latest || !first || first === latest) return undefined;
    const seconds = (latest.t - first.t) / 1000;
    const memory = (latest.memoryByteSeconds - first.memoryByteSeconds) / seconds;
    return {
      timestamp: latest.t,
      seconds,
      cpuCores: latest.cpuSeconds.map((c, i) => (c - (first.cpuSeconds[i] ?? 0)) / seconds),
      memoryBytes: this.containers.map((_, i) => (i === 0 ? memory : 0)),
      requestsPerSecond: (latest.requests - first.requests) / seconds,
    };
  }
}
