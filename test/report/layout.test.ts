/**
 * The HTML report as headless Chromium lays it out: a long failing summary wraps inside its box, no two labels of a
 * chart overlap (many short load stages, long series names, a threshold), and every latency line names its
 * quantile. The page is the report itself plus a measuring script the test appends (the report has none).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { GateResult } from '../../actions/lib/gates/types.js';
import type { LoadWindows } from '../../actions/lib/load/types.js';
import { renderHtmlReport } from '../../actions/lib/report/html.js';
import type { ReportInput } from '../../actions/lib/report/model.js';
import { ensureChromium, openPage } from '../e2e/chromium.js';
import { sampleGates, sampleVerdict } from './report-fixtures.js';

const start = Date.parse('2026-11-22T06:00:00Z');
const iso = (seconds: number) => new Date(start + seconds * 1000).toISOString();
const points = (values: number[]): Array<[number, number]> =>
  values.map((v, i) => [start / 1000 + i * 6, v] as [number, number]);

// Eight stages of a few seconds each: their labels would sit on top of one another at the bands' left edges.
const windows: LoadWindows = {
  start: iso(0),
  end: iso(60),
  scenarios: [
    {
      name: 'spiky-ramp',
      executor: 'ramping-vus',
      start: iso(0),
      end: iso(60),
      stages: Array.from({ length: 8 }, (_, i) => ({
        index: i + 1,
        target: 10 * (i + 1),
        durationMs: 3000,
        start: iso(i * 3),
        end: iso(i * 3 + 3),
      })),
    },
  ],
};

const token = `histogram_quantile(0.99,sum_by_le(rate(${'http_request_duration_seconds_bucket_'.repeat(8)}[2m])))`;
const longFailure: GateResult = {
  ...(sampleGates[2] as GateResult),
  name: 'p99-checkout',
  reason: `p99 was 1.2s, above the 300ms limit; the query ${token} shows the canary pods waiting on the database pool`,
};

const input: ReportInput = {
  verdict: sampleVerdict([longFailure, ...sampleGates.filter((g) => g.type !== 'latency')]),
  environment: 'staging',
  windows,
  series: {
    latency: [
      { name: 'canary p99 (checkout, eu-west-1, including retries)', points: points([200, 900, 1200, 800]) },
      { name: 'stable p99 (checkout, eu-west-1, including retries)', points: points([180, 200, 210, 190]) },
      { name: 'canary p50', points: points([40, 60, 80, 50]) },
    ],
  },
};

const measure = `<script>
const out = { overlaps: [], outside: [] };
const box = document.querySelector('.verdict');
out.verdictOverflows = box.scrollWidth > box.clientWidth + 1;
out.pageOverflows = document.documentElement.scrollWidth > window.innerWidth + 1;
for (const figure of document.querySelectorAll('figure[data-chart]')) {
  const svg = figure.querySelector('svg').getBoundingClientRect();
  const texts = [...figure.querySelectorAll('text')].map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }));
  texts.forEach((a, i) => {
    if (a.r.left < svg.left - 0.5 || a.r.right > svg.right + 0.5 || a.r.bottom > svg.bottom + 0.5)
      out.outside.push([figure.dataset.chart, a.text]);
    for (const b of texts.slice(i + 1)) {
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 0.5 && h > 0.5) out.overlaps.push([figure.dataset.chart, a.text, b.text]);
    }
  });
}
out.latencyLines = [...document.querySelectorAll('figure[data-chart="latency"] polyline')].map((p) => p.dataset.name);
document.body.setAttribute('data-layout', JSON.stringify(out));
</script>`;

let dir: string;
let layout: {
  overlaps: string[][];
  outside: string[][];
  verdictOverflows: boolean;
  pageOverflows: boolean;
  latencyLines: string[];
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scalegate-layout-'));
  const page = join(dir, 'report.html');
  await writeFile(page, renderHtmlReport(input).replace('</body>', `${measure}\n</body>`));
  const chromium = ensureChromium({ install: process.env.CI === 'true' || process.getuid?.() === 0 });
  const dom = await openPage(chromium, pathToFileURL(page).href, join(dir, 'report.png'), {
    width: 1024,
    height: 1600,
  });
  const attribute = /data-layout="([^"]*)"/.exec(dom)?.[1];
  assert.ok(attribute, 'the measuring script ran');
  layout = JSON.parse(attribute.replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('HTML report layout in Chromium', () => {
  it('wraps a long failing summary inside its box, and nothing runs off the page', () => {
    assert.equal(layout.verdictOverflows, false);
    assert.equal(layout.pageOverflows, false);
  });

  it('keeps every chart label clear of the others and inside its chart', () => {
    assert.deepEqual(layout.overlaps, []);
    assert.deepEqual(layout.outside, []);
  });

  it('names the quantile of every latency line', () => {
    assert.equal(layout.latencyLines.length, 3);
    for (const name of layout.latencyLines) assert.match(name, /\bp\d+(\.\d+)?\b/);
  });
});
