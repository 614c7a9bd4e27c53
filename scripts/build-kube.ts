// Builds the real control plane's Go components (simulator/kubernetes/components.ts) into the binaries' cache
// folder. Idempotent: a component whose go.mod, go.sum, Go sources and Go version are unchanged since its last build
// (recorded in a stamp file beside the binaries) is skipped, so a second run takes seconds. Go's module and build
// caches live under ~/.cache/scalegate/go, so even a changed component rebuilds warm.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  buildTimesFile,
  crdDir,
  crdSources,
  type GoComponent,
  goCacheRoot,
  goComponents,
  kubeBinDir,
} from '../simulator/kubernetes/components.js';

const root = new URL('..', import.meta.url).pathname;
const bin = kubeBinDir();

// Go's official install puts it in /usr/local/go/bin, which a non-login shell (CI's `bash .ci/run`) may not have on
// PATH: look there too before giving up.
const goCandidates = ['go', '/usr/local/go/bin/go'];

function findGo(): { go: string; version: string } {
  for (const go of goCandidates) {
    try {
      return { go, version: execFileSync(go, ['version'], { encoding: 'utf8' }).trim() };
    } catch {}
  }
  console.error('build-kube: `go` was not found on PATH; install Go ≥ 1.24 to build the real control plane');
  process.exit(1);
}

function fingerprint(component: GoComponent, version: string): string {
  const dir = join(root, 'go', component.module);
  const hash = createHash('sha256').update(version).update(JSON.stringify(component));
  for (const file of readdirSync(dir).sort()) {
    if (file === 'go.mod' || file === 'go.sum' || file.endsWith('.go'))
      hash.update(file).update(readFileSync(join(dir, file)));
  }
  return hash.digest('hex');
}

/** Whether Go's build cache holds any compiled output yet (its 256 two-hex-digit folders are all empty or absent). */
function buildCacheEmpty(dir: string): boolean {
  if (!existsSync(dir)) return true;
  return readdirSync(dir)
    .filter((entry) => /^[0-9a-f]{2}$/.test(entry))
    .every((entry) => readdirSync(join(dir, entry)).length === 0);
}

/**
 * Each module's last build time, for `npm run bench`, and whether the run began with an empty Go build cache: only
 * then is it the cold figure a new machine sees (a module built after another in that run shares its packages).
 */
function recordBuildTime(module: string, seconds: number, coldCache: boolean): void {
  const file = buildTimesFile();
  const times = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  times[module] = { seconds, at: new Date().toISOString(), goBuildCache: coldCache ? 'empty' : 'in use' };
  writeFileSync(file, `${JSON.stringify(times, null, 2)}\n`);
}

const { go, version } = findGo();
const env = {
  ...process.env,
  GOMODCACHE: join(goCacheRoot, 'mod'),
  GOCACHE: join(goCacheRoot, 'build'),
  GOFLAGS: '-modcacherw',
};
mkdirSync(bin, { recursive: true });
const coldCache = buildCacheEmpty(env.GOCACHE);
const started = Date.now();
for (const component of goComponents) {
  const stamp = join(bin, `.${component.module}.stamp`);
  const want = fingerprint(component, version);
  const built = component.binaries.every((b) => existsSync(join(bin, b)));
  if (built && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) {
    console.log(`build-kube: ${component.module} is up to date`);
    continue;
  }
  const t0 = Date.now();
  console.log(`build-kube: building ${component.module} (${component.binaries.join(', ')})`);
  execFileSync(
    go,
    [
      'build',
      '-trimpath',
      `-ldflags=${['-s', '-w', ...(component.ldflags ?? [])].join(' ')}`,
      '-o',
      component.packages.length === 1 ? join(bin, component.binaries[0] as string) : `${bin}/`,
      ...component.packages,
    ],
    {
      cwd: join(root, 'go', component.module),
      env,
      stdio: 'inherit',
    },
  );
  writeFileSync(stamp, want);
  const seconds = (Date.now() - t0) / 1000;
  recordBuildTime(component.module, seconds, coldCache);
  console.log(`build-kube: ${component.module} built in ${seconds.toFixed(1)} s`);
}
// The CRD files come from the upstream modules as the module proxy serves them: downloaded, never built.
const crds = crdDir();
mkdirSync(crds, { recursive: true });
for (const source of crdSources) {
  const targets = source.files.map((f) => join(crds, basename(f)));
  if (targets.every((t) => existsSync(t))) continue;
  const download = execFileSync(go, ['mod', 'download', '-json', `${source.module}@${source.version}`], {
    env,
    encoding: 'utf8',
  });
  const { Dir } = JSON.parse(download) as { Dir: string };
  for (const [i, file] of source.files.entries()) copyFileSync(join(Dir, file), targets[i] as string);
  console.log(`build-kube: CRDs of ${source.module}@${source.version} copied`);
}
console.log(`build-kube: ${bin} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
