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
  const modulePath = group.endsWith(".strimzi.io")
    ? `@kubernetes-models/strimzi-kafka-operator/${group}/${version}`
    : group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
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
const kafkaUsers = new Set(byKind("KafkaUser").map((o) => o.metadata.name));
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
    const management = (c.ports ?? []).find((p) => p.name === "management");
    if (!management) problems.push(`${at}: needs a port named 'management' (health and metrics)`);
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
      const path = c[probe]?.httpGet?.path ?? "";
      if (!path.startsWith("/q/health")) problems.push(`${at}: ${probe} must be an HTTP GET on /q/health (is '${path}')`);
      if (c[probe]?.httpGet?.port !== "management") {
        problems.push(`${at}: ${probe} must probe the management port (is '${c[probe]?.httpGet?.port}')`);
      }
    }
    const annotations = deployment.spec.template.metadata?.annotations ?? {};
    if (annotations["prometheus.io/scrape"] !== "true" || annotations["prometheus.io/path"] !== "/q/metrics"
        || String(annotations["prometheus.io/port"]) !== String(management?.containerPort)) {
      problems.push(`${at}: Prometheus must scrape /q/metrics on the management port ${management?.containerPort}`);
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
      if (secret !== undefined && secret !== "rebalancer-secrets" && !kafkaUsers.has(secret)) {
        problems.push(`${at}: ${e.name} comes from Secret ${secret}, neither rebalancer-secrets nor a KafkaUser's`);
      }
    }
  }
}

// --- disruption budgets and network policies ------------------------------------------------------------------------
const selects = (selector, name) => {
  if (!selector) return false;
  const labels = { "app.kubernetes.io/name": name };
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) =>
    e.operator === "In" ? e.values.includes(labels[e.key]) : e.operator === "NotIn" ? !e.values.includes(labels[e.key]) : false);
  return byLabels && byExpressions;
};
const MANAGEMENT_PORTS = [9080, 9081, 9082, 9083];
const policies = byKind("NetworkPolicy");
for (const name of SERVICES) {
  if (!byKind("PodDisruptionBudget").some((b) => selects(b.spec.selector, name))) {
    problems.push(`${name}: no PodDisruptionBudget selects it`);
  }
  const mine = policies.filter((p) => selects(p.spec.podSelector, name));
  if (!mine.some((p) => ["Ingress", "Egress"].every((t) => p.spec.policyTypes?.includes(t))
      && !(p.spec.ingress?.length) && !(p.spec.egress?.length))) {
    problems.push(`${name}: no NetworkPolicy denies its ingress and egress by default`);
  }
  for (const p of mine) {
    for (const rule of p.spec.ingress ?? []) {
      const ports = (rule.ports ?? []).map((x) => x.port);
      const api = name === "portfolio-service" && ports.length > 0 && ports.every((x) => x === 8080 || x === "http");
      const management = ports.length > 0 && ports.every((x) => MANAGEMENT_PORTS.includes(x)) && (rule.from ?? []).length > 0;
      if (!api && !management) {
        problems.push(`NetworkPolicy/${p.metadata.name}: lets ${name} be reached on ${ports.join(",") || "every port"}: only portfolio-service's API, and the management ports from named sources, may be`);
      }
    }
    for (const rule of p.spec.egress ?? []) {
      if ((rule.ports ?? []).some((x) => x.port === 443) && name === "drift-monitor") {
        problems.push(`NetworkPolicy/${p.metadata.name}: the drift monitor has no business outside the cluster`);
      }
      if (!(rule.ports ?? []).length) {
        problems.push(`NetworkPolicy/${p.metadata.name}: an egress rule of ${name} without ports opens everything`);
      }
    }
  }
}

// --- Kafka users: who may write and read which topic (Strimzi simple authorization) ---------------------------------
if (kafkaUsers.size > 0) {
  const T = (name) => `rebalancer.${name}.v1`;
  const WRITERS_ONLY = { [T("rebalance-requests")]: ["drift-monitor", "portfolio-service"], [T("control")]: ["portfolio-service"] };
  const READERS = {
    [T("targets")]: ["drift-monitor"], [T("positions")]: ["drift-monitor"], [T("cash-deposits")]: ["drift-monitor"],
    [T("calendar")]: ["drift-monitor"], [T("rebalance-requests")]: ["order-executor", "portfolio-service"],
    [T("runs")]: ["portfolio-service", "drift-monitor", "notifier"], [T("alerts")]: ["notifier"],
    [T("control")]: ["order-executor"],
  };
  const may = (user, operation, topic) => (user.spec.authorization?.acls ?? []).some((acl) =>
    acl.resource.type === "topic"
    && (acl.resource.patternType === "prefix" ? topic.startsWith(acl.resource.name)
      : acl.resource.name === topic || acl.resource.name === "*")
    && (acl.operations ?? [acl.operation]).some((o) => o === operation || o === "All"));
  const users = byKind("KafkaUser");
  for (const name of SERVICES) {
    const user = users.find((u) => u.metadata.name === name);
    if (!user) problems.push(`KafkaUser/${name} is missing`);
    else if (user.spec.authentication?.type !== "scram-sha-512") problems.push(`KafkaUser/${name}: not a SCRAM-SHA-512 user`);
  }
  for (const [topic, writers] of Object.entries(WRITERS_ONLY)) {
    for (const user of users) {
      const allowed = writers.includes(user.metadata.name);
      if (may(user, "Write", topic) !== allowed) {
        problems.push(`KafkaUser/${user.metadata.name}: ${allowed ? "cannot" : "may"} write ${topic} (writers: ${writers.join(", ")})`);
      }
    }
  }
  for (const [topic, readers] of Object.entries(READERS)) {
    for (const user of users) {
      const allowed = readers.includes(user.metadata.name);
      if (may(user, "Read", topic) !== allowed) {
        problems.push(`KafkaUser/${user.metadata.name}: ${allowed ? "cannot" : "may"} read ${topic} (readers: ${readers.join(", ")})`);
      }
    }
  }
  for (const kafka of byKind("Kafka")) {
    if (kafka.spec.kafka.authorization?.type !== "simple") problems.push(`Kafka/${kafka.metadata.name}: authorization is not simple`);
    for (const listener of kafka.spec.kafka.listeners ?? []) {
      if (!listener.tls || !listener.authentication) {
        problems.push(`Kafka/${kafka.metadata.name}: listener ${listener.name} takes clients without TLS and authentication`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`${problems.length} problem(s) in the manifests:\n  ` + problems.join("\n  "));
  process.exit(1);
}
console.log(`${objects.length} objects valid (${[...new Set(objects.map((o) => o.kind))].join(", ")})`);
