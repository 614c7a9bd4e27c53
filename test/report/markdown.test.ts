import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grafanaExploreUrl, prometheusGraphUrl } from '../../actions/lib/report/links.js';
import { escapeCell, renderMarkdownReport } from '../../actions/lib/report/markdown.js';
import type { ReportInput } from '../../actions/lib/report/model.js';
import { sampleGates, sampleVerdict, sampleWindows } from './report-fixtures.js';

const input: ReportInput = {
  verdict: sampleVerdict(),
  environment: 'staging',
  windows: sampleWindows,
  links: {
    prometheusUrl: 'http://prom.example:9090/',
    grafanaUrl: 'https://grafana.example',
    grafanaDatasource: 'prom1',
  },
  context: {
    image: 'acme/web@sha256:abc',
    sha: 'abcdef1234567',
    runUrl: 'https://github.com/acme/shop/actions/runs/1',
  },
};

function lines(text: string): string[] {
  return text.split('\n');
}

describe('Markdown report', () => {
  it('heads with the status, the environment, the summary and the run facts', () => {
    const out = lines(renderMarkdownReport(input));
    assert.equal(out[0], '### ❌ fail · scalegate · staging');
    assert.equal(
      out[2],
      '**2/4 gates passed; p95 &lt;canary&gt; \\| fast failed: p95 was 412.5ms, above 300ms by 112.5ms. (+1 more not passed)**',
    );
    assert.equal(
      out[4],
      'Window 2026-11-22T06:00:00.000Z → 2026-11-22T06:02:00.000Z (stage ramp) · mode once · image `acme/web@sha256:abc` · commit abcdef1 · [workflow run](https://github.com/acme/shop/actions/runs/1).',
    );
  });

  it('tabulates every gate: value, threshold, signed margin with unit, status and why', () => {
    const out = lines(renderMarkdownReport(input));
    const start = out.indexOf('| Gate | Type | Status | Value | Threshold | Margin | Why |');
    assert.ok(start > 0);
    assert.deepEqual(out.slice(start + 1, start + 6), [
      '| --- | --- | --- | --- | --- | --- | --- |',
      '| scaled-out | hpaScaleOut | ✅ pass | startReplicas=3, peakReplicas=8, timeToScaleSeconds=42 | withinSeconds=90, minReplicas=6, targetReplicas=6 | +48 s | HPA shop/web reached 6 replicas 42s into the window (within 1m30s). |',
      '| no-stuck-pods | pendingPods | ✅ pass | maxPending=1, longestPendingSeconds=4 | maxPending=2, maxPendingSeconds=30 | +1 pods | at most 1 pod was Pending at once, for at most 4s. |',
      '| p95 &lt;canary&gt; \\| fast | latency | ❌ fail | p95Ms=412.5 | quantile=0.95, maxMs=300 | -112.5 ms | p95 was 412.5ms, above 300ms by 112.5ms. |',
      '| load | loadApplied | ⚠️ inconclusive | – | minRate=50, requiredRate=50 | – | no http_requests_total series: no request reached the service. |',
    ]);
  });

  it("folds each gate's PromQL in <details> in a fence no query can close, with links for the window", () => {
    const text = renderMarkdownReport(input);
    assert.equal((text.match(/<details>/g) ?? []).length, 3, 'the gate without queries has no block');
    assert.ok(text.includes('<summary>p95 &lt;canary&gt; | fast (latency): 2 queries · <a href="'));
    // One query holds a run of two backticks: the fence must be longer than three.
    assert.ok(
      text.includes(
        '\n```promql\nhistogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop",track=~"canary|stable"}[2m])))\n',
      ),
    );
    assert.ok(
      text.includes(
        '\n```promql\nkube_horizontalpodautoscaler_status_current_replicas{namespace="shop",horizontalpodautoscaler="web"}\n```\n',
      ),
    );
    const hrefs = [...text.matchAll(/<a href="([^"]+)">(\w+)<\/a>/g)].map((m) => [
      m[2],
      m[1]!.replace(/&amp;/g, '&'),
    ]);
    assert.equal(hrefs.length, 6);
    const [label, href] = hrefs[0]!;
    assert.equal(label, 'Prometheus');
    const url = new URL(href!);
    assert.equal(url.origin + url.pathname, 'http://prom.example:9090/graph');
    assert.equal(url.searchParams.get('g0.expr'), sampleGates[0]!.queries[0]);
    assert.equal(url.searchParams.get('g0.range_input'), '120s');
    assert.equal(url.searchParams.get('g0.end_input'), '2026-11-22 06:02:00');
    const grafana = new URL(hrefs[1]![1]!);
    assert.equal(grafana.pathname, '/explore');
    assert.deepEqual(JSON.parse(grafana.searchParams.get('panes')!), {
      scalegate: {
        datasource: 'prom1',
        queries: [
          { refId: 'A', expr: sampleGates[0]!.queries[0], datasource: { type: 'prometheus', uid: 'prom1' } },
        ],
        range: {
          from: String(Date.parse('2026-11-22T06:00:00Z')),
          to: String(Date.parse('2026-11-22T06:02:00Z')),
        },
      },
    });
  });

  it('links nothing when neither Prometheus nor Grafana is configured', () => {
    const text = renderMarkdownReport({ ...input, links: {} });
    assert.ok(!text.includes('<a href'));
    assert.ok(text.includes('<summary>scaled-out (hpaScaleOut): 1 query</summary>'));
  });

  it('lists the stage windows and draws one Mermaid chart per measured kind with the gate threshold', () => {
    const text = renderMarkdownReport(input);
    const out = lines(text);
    const start = out.indexOf('| Scenario | Stage | Target | Start | End | Seconds |');
    assert.deepEqual(out.slice(start + 2, start + 5), [
      '| ramp | 0 | 20 | 2026-11-22T06:00:00.000Z | 2026-11-22T06:00:30.000Z | 30 |',
      '| ramp | 1 | 20 | 2026-11-22T06:00:30.000Z | 2026-11-22T06:02:00.000Z | 90 |',
      '| probe | constant-vus | – | 2026-11-22T06:00:00.000Z | 2026-11-22T06:02:00.000Z | 120 |',
    ]);
    const titles = [...text.matchAll(/```mermaid\nxychart-beta\n {2}title "([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(titles, ['HPA replicas', 'Pending pods', 'Request latency']);
    // Latency in ms; the null (NaN) point is a gap carried over, not a zero; the 300ms threshold is the second line.
    const latency = text.slice(text.indexOf('title "Request latency"'));
    assert.match(latency, /y-axis "ms" 0 --> 500\n {2}line \[200, 200, 250, 250, 250, 250, 410,/);
    assert.match(latency, /\n {2}line \[300, 300, 300,/);
  });

  it("uses series given in the input instead of the gates' own", () => {
    const text = renderMarkdownReport({
      ...input,
      series: {
        requestRate: [
          {
            name: 'req/s',
            points: [
              [1795327200, 10],
              [1795327260, 90],
            ],
          },
        ],
      },
    });
    assert.match(text, /title "Request rate"\n[^`]*y-axis "req\/s" 0 --> 100\n {2}line \[10, 10, /);
  });

  it("leaves out the PromQL, then the charts, to stay within a comment's size", () => {
    const full = renderMarkdownReport(input);
    const noQueries = renderMarkdownReport(input, { maxLength: full.length - 1 });
    assert.ok(!noQueries.includes('<details>'));
    assert.ok(noQueries.includes('```mermaid'));
    assert.ok(noQueries.includes('_The PromQL was left out to fit; see the verdict artifact._'));
    const bare = renderMarkdownReport(input, { maxLength: noQueries.length - 1 });
    assert.ok(!bare.includes('```mermaid'));
    assert.ok(bare.includes('| scaled-out | hpaScaleOut |'));
    const cut = renderMarkdownReport(input, { maxLength: 400 });
    assert.ok(cut.length <= 400);
    assert.ok(cut.endsWith('_Truncated to fit; see the report artifacts._\n'));
  });

  it('escapes markup, pipes and line breaks in table cells', () => {
    assert.equal(
      escapeCell('a|b <img src=x onerror=alert(1)>\n"q" & \'s\''),
      'a\\|b &lt;img src=x onerror=alert(1)&gt; &quot;q&quot; &amp; &#39;s&#39;',
    );
  });

  it('builds Prometheus and Grafana links from base URLs with or without a trailing slash', () => {
    const window = { start: '2026-11-22T06:00:00.000Z', end: '2026-11-22T06:00:30.500Z' };
    assert.equal(
      prometheusGraphUrl('http://p:9090//', 'up', window),
      'http://p:9090/graph?g0.expr=up&g0.tab=0&g0.range_input=31s&g0.end_input=2026-11-22+06%3A00%3A30',
    );
    assert.equal(
      grafanaExploreUrl('https://g/', 'up', window),
      `https://g/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify({ scalegate: { queries: [{ refId: 'A', expr: 'up' }], range: { from: '1795327200000', to: '1795327230500' } } })).replace(/%20/g, '+')}`,
    );
  });
});
