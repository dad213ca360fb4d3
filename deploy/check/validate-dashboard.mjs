// Validates the Grafana dashboard (deploy/monitoring/grafana/dashboards/rebalancer.json) offline: it parses, every
// panel queries the provisioned Prometheus, every rebalancer_* series it asks for is one the README's metrics table
// lists (so a renamed metric cannot leave a panel silently empty), and every metric of that table has a panel.
import { readFileSync } from "node:fs";

const [dashboardFile, readmeFile] = process.argv.slice(2);
const problems = [];
const dashboard = JSON.parse(readFileSync(dashboardFile, "utf8"));
const readme = readFileSync(readmeFile, "utf8");

// The metrics table: rows whose first cell names `rebalancer_...` metrics.
const listed = new Set();
for (const line of readme.split("\n")) {
  if (!line.startsWith("| `rebalancer_")) continue;
  const first = line.split("|")[1];
  for (const m of first.matchAll(/`(rebalancer_[a-z_]+)`/g)) listed.add(m[1]);
}
if (listed.size === 0) problems.push("README.md has no metrics table (rows starting with | `rebalancer_...`)");

const SUFFIXES = ["_bucket", "_count", "_sum", "_max"];
const base = (series) => {
  if (listed.has(series)) return series;
  for (const suffix of SUFFIXES) {
    if (series.endsWith(suffix) && listed.has(series.slice(0, -suffix.length))) return series.slice(0, -suffix.length);
  }
  return null;
};

if (dashboard.uid !== "rebalancer" || !Array.isArray(dashboard.panels) || dashboard.panels.length === 0) {
  problems.push("the dashboard needs uid 'rebalancer' and panels");
}
const shown = new Set();
for (const panel of dashboard.panels ?? []) {
  const at = `panel '${panel.title}'`;
  if (!panel.gridPos) problems.push(`${at}: no gridPos`);
  if (!(panel.targets ?? []).length) problems.push(`${at}: no query`);
  for (const target of panel.targets ?? []) {
    const uid = target.datasource?.uid ?? panel.datasource?.uid;
    if (uid !== "prometheus") problems.push(`${at}: queries data source '${uid}', not the provisioned 'prometheus'`);
    for (const m of (target.expr ?? "").matchAll(/\b(rebalancer_[a-z_]+)/g)) {
      const metric = base(m[1]);
      if (metric === null) problems.push(`${at}: ${m[1]} is not a metric the README lists`);
      else shown.add(metric);
    }
  }
}
for (const metric of listed) {
  if (!shown.has(metric)) problems.push(`${metric} (README) has no panel`);
}

if (problems.length > 0) {
  console.error(`${problems.length} problem(s) in the dashboard:\n  ` + problems.join("\n  "));
  process.exit(1);
}
console.log(`${dashboard.panels.length} panels, every one of the ${listed.size} metrics the README lists shown`);
