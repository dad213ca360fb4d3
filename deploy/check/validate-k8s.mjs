// Validates rendered Kubernetes manifests (YAML on stdin) offline: every object against its API schema
// (kubernetes-models), and the rules this project keeps for its services. Exits 1 with the reasons when any fails.
import { parseAllDocuments } from "yaml";

const input = await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
});

const problems = [];
const objects = parseAllDocuments(input).map((d) => d.toJSON()).filter(Boolean);
const SERVICES = ["portfolio-service", "drift-monitor", "order-executor", "notifier"];

for (const object of objects) {
  const where = `${object.kind}/${object.metadata?.name}`;
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  const modulePath = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  let models;
  try {
    models = await import(modulePath);
  } catch (e) {
    problems.push(`${where}: unknown apiVersion ${object.apiVersion}`);
    continue;
  }
  const Model = models[object.kind];
  if (!Model) {
    problems.push(`${where}: unknown kind ${object.kind} in ${object.apiVersion}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (e) {
    problems.push(`${where}: ${e.message}`);
  }
}

const byKind = (kind) => objects.filter((o) => o.kind === kind);
const configMaps = new Set(byKind("ConfigMap").map((o) => o.metadata.name));
for (const name of SERVICES) {
  const deployment = byKind("Deployment").find((d) => d.metadata.name === name);
  if (!deployment) {
    problems.push(`Deployment/${name} is missing`);
    continue;
  }
  if (!byKind("Service").some((s) => s.metadata.name === name)) {
    problems.push(`Service/${name} is missing`);
  }
  for (const c of deployment.spec.template.spec.containers) {
    const at = `Deployment/${name} container ${c.name}`;
    for (const probe of ["livenessProbe", "readinessProbe"]) {
      const path = c[probe]?.httpGet?.path ?? "";
      if (!path.startsWith("/q/health")) problems.push(`${at}: ${probe} must be an HTTP GET on /q/health (is '${path}')`);
    }
    for (const bound of ["requests", "limits"]) {
      if (!c.resources?.[bound]?.cpu || !c.resources?.[bound]?.memory) {
        problems.push(`${at}: resources.${bound} needs cpu and memory`);
      }
    }
    const refs = [...(c.envFrom ?? []).map((e) => e.configMapRef?.name),
      ...(c.env ?? []).map((e) => e.valueFrom?.configMapKeyRef?.name)].filter(Boolean);
    for (const ref of refs) {
      if (!configMaps.has(ref)) problems.push(`${at}: refers to ConfigMap ${ref}, which is not rendered`);
    }
    for (const e of c.env ?? []) {
      if (e.value !== undefined && /SECRET|PASSWORD|TOKEN/.test(e.name)) {
        problems.push(`${at}: ${e.name} is written into the manifest; take it from the Secret`);
      }
      const secret = e.valueFrom?.secretKeyRef?.name;
      if (secret !== undefined && secret !== "rebalancer-secrets") {
        problems.push(`${at}: ${e.name} comes from Secret ${secret}, not rebalancer-secrets`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`${problems.length} problem(s) in the manifests:\n  ` + problems.join("\n  "));
  process.exit(1);
}
console.log(`${objects.length} objects valid (${[...new Set(objects.map((o) => o.kind))].join(", ")})`);
