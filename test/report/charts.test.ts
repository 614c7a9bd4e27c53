import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mermaidChart, niceCeiling, svgChart } from '../../actions/lib/report/charts.js';

const replicas = {
  title: 'HPA replicas',
  unit: 'replicas',
  series: [
    {
      name: 'web',
      points: [
        [1000, 3],
        [1010, 3],
        [1020, 6],
        [1030, 10],
      ] as Array<[number, number]>,
    },
    {
      name: 'web-canary',
      points: [
        [1000, 1],
        [1030, 2],
      ] as Array<[number, number]>,
    },
  ],
  bands: [{ label: 'peak', start: 1010, end: 1030 }],
  threshold: { label: 'gate: ≥ 6', value: 6 },
};

describe('report charts', () => {
  it('renders a Mermaid xychart with one line per series on a shared grid, plus the threshold', () => {
    const chart = mermaidChart(replicas, 4);
    assert.equal(
      chart,
      [
        '```mermaid',
        'xychart-beta',
        '  title "HPA replicas: web (line 1), web-canary (line 2)"',
        '  x-axis "seconds" [0, 10, 20, 30]',
        '  y-axis "replicas" 0 --> 10',
        '  line [3, 3, 6, 10]',
        '  line [1, 1, 1, 2]',
        '  line [6, 6, 6, 6]',
        '```',
      ].join('\n'),
    );
    assert.equal(mermaidChart({ ...replicas, series: [{ name: 'none', points: [] }] }), '');
  });

  it('renders an SVG with a polyline per series, the stage band and the threshold, escaping text', () => {
    const svg = svgChart({ ...replicas, title: 'p95 <canary> & "stable"' });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((svg.match(/<polyline class="series"/g) ?? []).length, 2);
    assert.match(svg, /data-name="web-canary"/);
    assert.match(svg, /<rect class="band" x="\d+(\.\d+)?"/);
    assert.match(svg, /class="threshold"/);
    assert.ok(svg.includes('p95 &#60;canary&#62; &#38; &#34;stable&#34;'));
    assert.ok(!svg.includes('<canary>'));
  });

  it('ends axes on round numbers', () => {
    assert.deepEqual([0.3, 7, 10, 13, 260].map(niceCeiling), [0.5, 10, 10, 20, 500]);
  });
});
