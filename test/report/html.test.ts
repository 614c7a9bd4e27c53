import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderHtmlReport } from '../../actions/lib/report/html.js';
import type { ReportInput } from '../../actions/lib/report/model.js';
import { sampleVerdict, sampleWindows } from './report-fixtures.js';

const input: ReportInput = {
  verdict: sampleVerdict(),
  environment: 'staging <eu>',
  windows: sampleWindows,
  links: { prometheusUrl: 'http://prom.example:9090' },
  context: { runUrl: 'https://github.com/acme/shop/actions/runs/1' },
};

describe('HTML report', () => {
  const html = renderHtmlReport(input);

  it('is one self-contained page: no scripts, stylesheets, images or fonts fetched from anywhere', () => {
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.match(html, /<style>[^<]+<\/style>/);
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|<object|@import|url\(/i);
    assert.doesNotMatch(html, /\ssrc=/i);
    // Hyperlinks only to the configured Prometheus and the workflow run, never a resource the page loads.
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map(
      (m) => new URL(m[1]!.replace(/&amp;/g, '&')).origin,
    );
    assert.deepEqual([...new Set(hrefs)].sort(), ['http://prom.example:9090', 'https://github.com']);
    assert.equal(
      (html.match(/<a href="/g) ?? []).length,
      (html.match(/rel="noopener noreferrer"/g) ?? []).length,
    );
  });

  it("shows the verdict, a gate table with one row per gate and each gate's PromQL", () => {
    assert.match(
      html,
      /<div class="verdict fail" data-status="fail">FAIL: 2\/4 gates passed; p95 &lt;canary&gt; \| fast failed:/,
    );
    const rows = [...html.matchAll(/<tr class="(pass|fail|inconclusive)">(.*?)<\/tr>/g)].map((m) => [
      m[1],
      [...m[2]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]).slice(0, 6),
    ]);
    assert.deepEqual(rows, [
      [
        'pass',
        [
          'scaled-out',
          'hpaScaleOut',
          'pass',
          'startReplicas=3, peakReplicas=8, timeToScaleSeconds=42',
          'withinSeconds=90, minReplicas=6, targetReplicas=6',
          '+48 s',
        ],
      ],
      [
        'pass',
        [
          'no-stuck-pods',
          'pendingPods',
          'pass',
          'maxPending=1, longestPendingSeconds=4',
          'maxPending=2, maxPendingSeconds=30',
          '+1 pods',
        ],
      ],
      [
        'fail',
        [
          'p95 &lt;canary&gt; | fast',
          'latency',
          'fail',
          'p95Ms=412.5',
          'quantile=0.95, maxMs=300',
          '-112.5 ms',
        ],
      ],
      ['inconclusive', ['load', 'loadApplied', 'inconclusive', '–', 'minRate=50, requiredRate=50', '–']],
    ]);
    assert.ok(
      html.includes(
        '<pre>histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace=&quot;shop&quot;,track=~&quot;canary|stable&quot;}[2m])))\n',
      ),
    );
    assert.ok(html.includes('<h1>scalegate · staging &lt;eu&gt;</h1>'));
    assert.ok(!html.includes('<canary>') && !html.includes('<eu>'));
  });

  it('lists the stage windows and inlines one SVG chart per measured kind, with the stage bands', () => {
    assert.equal((html.match(/<tr><td>ramp<\/td>/g) ?? []).length, 2);
    assert.ok(html.includes('<tr><td>probe</td><td>constant-vus</td><td>–</td>'));
    const figures = [...html.matchAll(/<figure data-chart="(\w+)"><svg /g)].map((m) => m[1]);
    assert.deepEqual(figures, ['replicas', 'pendingPods', 'latency']);
    assert.equal((html.match(/<rect class="band"/g) ?? []).length, 3 * 3);
  });
});
