/**
 * Links from a report to the graphs behind a gate, for exactly the gate's time range: the Prometheus expression
 * browser (`/graph?g0.expr=…&g0.range_input=…&g0.end_input=…`) and Grafana Explore (`/explore?panes=…`).
 */

export interface LinkWindow {
  start: string;
  end: string;
}

function base(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Prometheus' UI reads `end_input` as UTC `YYYY-MM-DD HH:mm:ss`. */
function prometheusTime(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19).replace('T', ' ');
}

export function prometheusGraphUrl(prometheusUrl: string, expr: string, window: LinkWindow): string {
  const rangeSeconds = Math.max(1, Math.ceil((Date.parse(window.end) - Date.parse(window.start)) / 1000));
  const params = new URLSearchParams({
    'g0.expr': expr,
    'g0.tab': '0',
    'g0.range_input': `${rangeSeconds}s`,
    'g0.end_input': prometheusTime(window.end),
  });
  return `${base(prometheusUrl)}/graph?${params.toString()}`;
}

export function grafanaExploreUrl(
  grafanaUrl: string,
  expr: string,
  window: LinkWindow,
  datasourceUid?: string,
): string {
  const datasource = datasourceUid ? { type: 'prometheus', uid: datasourceUid } : undefined;
  const pane = {
    ...(datasourceUid ? { datasource: datasourceUid } : {}),
    queries: [{ refId: 'A', expr, ...(datasource ? { datasource } : {}) }],
    range: { from: String(Date.parse(window.start)), to: String(Date.parse(window.end)) },
  };
  const params = new URLSearchParams({ schemaVersion: '1', panes: JSON.stringify({ scalegate: pane }) });
  return `${base(grafanaUrl)}/explore?${params.toString()}`;
}

/** The links a report shows for one gate: Prometheus and/or Grafana, whichever is configured. */
export function gateLinkTargets(
  links: { prometheusUrl?: string; grafanaUrl?: string; grafanaDatasource?: string } | undefined,
  expr: string,
  window: LinkWindow,
): Array<{ label: string; url: string }> {
  const out: Array<{ label: string; url: string }> = [];
  if (links?.prometheusUrl)
    out.push({ label: 'Prometheus', url: prometheusGraphUrl(links.prometheusUrl, expr, window) });
  if (links?.grafanaUrl)
    out.push({
      label: 'Grafana',
      url: grafanaExploreUrl(links.grafanaUrl, expr, window, links.grafanaDatasource),
    });
  return out;
}
