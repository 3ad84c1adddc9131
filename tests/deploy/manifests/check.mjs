// tests/deploy/manifests/check.mjs NODE_MODULES ROOT: validates deploy/kubernetes/*.yaml.
//
// 1. Schema: every object against the JSON schema of its apiVersion and kind, generated from
//    the Kubernetes OpenAPI spec (npm kubernetes-models 5.1.0, pinned with its lock file):
//    types, required fields, enums, integer formats. Like kubeconform without -strict, these
//    schemas accept unknown fields, so (2) checks by name every field gapforge relies on.
// 2. Policy: what gapforge needs from its deployment (probes, non-root read-only pods, drain
//    within the grace period, the Secret's keys, selectors that match, the HPA and the PDB on
//    the Deployment, the image tag of this version), and that deploy/compose.yaml and
//    deploy/gapforge.service give the drain the same room.
//
// Prints one PASS/FAIL line per check and Check's summary line, for scripts/test to count.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [nodeModules, root] = process.argv.slice(2);
const { parseAllDocuments, parse } = await import(
  pathToFileURL(join(nodeModules, "yaml/dist/index.js")).href
);

let passed = 0;
let failed = 0;
function check(name, fn) {
  try {
    fn();
    passed++;
    console.log(`PASS ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

// ---- the manifests ----
const dir = join(root, "deploy/kubernetes");
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
const objects = []; // {file, doc}
for (const file of files) {
  const docs = parseAllDocuments(readFileSync(join(dir, file), "utf8"));
  for (const d of docs) {
    check(`${file}: parses as YAML`, () =>
      expect(d.errors.length === 0, d.errors.map((e) => e.message).join("; ")),
    );
    const doc = d.toJS();
    if (doc) objects.push({ file, doc });
  }
}

// apiVersion "apps/v1", kind "Deployment" -> kubernetes-models/apps/v1/Deployment.js
async function modelOf(doc) {
  const path = join(nodeModules, "kubernetes-models", doc.apiVersion, `${doc.kind}.js`);
  if (!existsSync(path)) return null;
  const mod = await import(pathToFileURL(path).href);
  return mod[doc.kind];
}

const byKind = {};
for (const { file, doc } of objects) {
  if (doc.kind === "Kustomization") continue; // not an API object: checked below
  const Model = await modelOf(doc);
  check(`${file}: ${doc.kind} ${doc.metadata?.name} matches the ${doc.apiVersion} schema`, () => {
    expect(Model, `no schema for apiVersion ${doc.apiVersion} kind ${doc.kind}`);
    new Model(doc).validate();
  });
  (byKind[doc.kind] ??= []).push({ file, doc });
}

function one(kind) {
  const list = byKind[kind] ?? [];
  if (list.length !== 1) throw new Error(`expected one ${kind}, found ${list.length}`);
  return list[0].doc;
}
const seconds = (s) => {
  const m = /^(\d+)(s|m)?$/.exec(String(s));
  expect(m, `not a duration: ${s}`);
  return Number(m[1]) * (m[2] === "m" ? 60 : 1);
};
const envOf = (c, name) => (c.env ?? []).find((e) => e.name === name);
const sameLabels = (sel, labels) =>
  Object.entries(sel ?? {}).length > 0 &&
  Object.entries(sel).every(([k, v]) => labels?.[k] === v);

const version = /version:\s*'([^']+)'/.exec(readFileSync(join(root, "meson.build"), "utf8"))[1];
// The Dockerfile's runtime user, which the pods must run as.
const dockerUser = /^USER\s+(\d+):(\d+)/m.exec(readFileSync(join(root, "Dockerfile"), "utf8"));
// GAPFORGE_* variables the source reads (as a string literal somewhere in src/).
const sources = [];
(function walk(d) {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (e.isDirectory()) walk(join(d, e.name));
    else if (e.name.endsWith(".c")) sources.push(readFileSync(join(d, e.name), "utf8"));
  }
})(join(root, "src"));
const readBySource = (name) => sources.some((s) => s.includes(`"${name}"`));

const deploy = () => one("Deployment");
const pod = () => deploy().spec.template.spec;
const app = () => pod().containers.find((c) => c.name === "gapforge");
const job = () => one("Job");
const secret = () => one("Secret");
const workloads = () => [
  ["Deployment", pod()],
  ["Job", job().spec.template.spec],
];

check("kustomization.yaml lists every manifest but the Secret template and the Job", () => {
  const k = objects.find((o) => o.doc.kind === "Kustomization").doc;
  const listed = new Set(k.resources);
  for (const r of listed) expect(existsSync(join(dir, r)), `${r} does not exist`);
  for (const f of files) {
    if (f === "kustomization.yaml") continue;
    const want = !["secret.yaml", "migrate-job.yaml"].includes(f);
    expect(listed.has(f) === want, `${f} ${want ? "missing from" : "must not be in"} resources`);
  }
  expect(k.images?.[0]?.name === "gapforge" && k.images[0].newTag === version,
    `images: gapforge newTag must be ${version}`);
});

check(`every image is gapforge:${version} (meson.build's version)`, () => {
  for (const [kind, spec] of workloads())
    for (const c of spec.containers)
      expect(c.image === `gapforge:${version}`, `${kind} ${c.name}: image ${c.image}`);
});

check("the Deployment runs `gapforge serve` with readiness on /readyz and liveness on /healthz", () => {
  const c = app();
  expect(JSON.stringify(c.args) === '["serve"]', `args ${JSON.stringify(c.args)}`);
  const port = (c.ports ?? []).find((p) => p.name === "http");
  expect(port?.containerPort === 8080, "no container port http: 8080");
  expect(envOf(c, "GAPFORGE_LISTEN")?.value === "0.0.0.0:8080", "GAPFORGE_LISTEN must be 0.0.0.0:8080");
  expect(c.readinessProbe?.httpGet?.path === "/readyz", "readinessProbe is not GET /readyz");
  expect(c.livenessProbe?.httpGet?.path === "/healthz", "livenessProbe is not GET /healthz");
  for (const p of [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(Boolean))
    expect([8080, "http"].includes(p.httpGet.port), `probe port ${p.httpGet.port}`);
  expect(deploy().spec.replicas >= 2, "fewer than 2 replicas");
  expect(deploy().spec.strategy?.rollingUpdate?.maxUnavailable === 0, "a rollout may drop below the replicas");
});

check("every container has CPU and memory requests and a memory limit", () => {
  for (const [kind, spec] of workloads())
    for (const c of spec.containers) {
      const r = c.resources ?? {};
      expect(r.requests?.cpu && r.requests?.memory, `${kind} ${c.name}: requests`);
      expect(r.limits?.memory, `${kind} ${c.name}: memory limit`);
    }
});

check("every pod runs as the image's non-root user on a read-only root file system", () => {
  expect(dockerUser, "no USER uid:gid in the Dockerfile");
  for (const [kind, spec] of workloads()) {
    const ps = spec.securityContext ?? {};
    expect(ps.runAsNonRoot === true, `${kind}: runAsNonRoot`);
    expect(String(ps.runAsUser) === dockerUser[1] && String(ps.runAsGroup) === dockerUser[2],
      `${kind}: runAsUser/runAsGroup must be the Dockerfile's ${dockerUser[1]}:${dockerUser[2]}`);
    expect(ps.seccompProfile?.type === "RuntimeDefault", `${kind}: seccompProfile`);
    expect(spec.automountServiceAccountToken === false, `${kind}: a service account token is mounted`);
    for (const c of spec.containers) {
      const cs = c.securityContext ?? {};
      expect(cs.readOnlyRootFilesystem === true, `${kind} ${c.name}: readOnlyRootFilesystem`);
      expect(cs.allowPrivilegeEscalation === false, `${kind} ${c.name}: allowPrivilegeEscalation`);
      expect(JSON.stringify(cs.capabilities?.drop) === '["ALL"]', `${kind} ${c.name}: capabilities.drop ALL`);
    }
  }
});

check("preStop and GAPFORGE_DRAIN_SECONDS end within terminationGracePeriodSeconds", () => {
  const c = app();
  const drain = Number(envOf(c, "GAPFORGE_DRAIN_SECONDS")?.value);
  expect(drain > 0, "GAPFORGE_DRAIN_SECONDS not set");
  const cmd = c.lifecycle?.preStop?.exec?.command ?? [];
  expect(/sleep$/.test(cmd[0] ?? ""), "preStop is not a sleep");
  const pre = Number(cmd[1]);
  const grace = pod().terminationGracePeriodSeconds;
  expect(pre + drain < grace, `preStop ${pre} s + drain ${drain} s >= grace ${grace} s`);
});

check("the Secret has every key the pods read, and only the pods' keys", () => {
  const s = secret();
  const keys = new Set(Object.keys({ ...(s.stringData ?? {}), ...(s.data ?? {}) }));
  const used = new Set();
  for (const [kind, spec] of workloads())
    for (const c of spec.containers)
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref) continue;
        expect(ref.name === s.metadata.name, `${kind} ${e.name}: Secret ${ref.name}`);
        expect(keys.has(ref.key), `${kind} ${e.name}: no key ${ref.key} in the Secret`);
        used.add(ref.key);
      }
  for (const k of keys) expect(used.has(k), `Secret key ${k} is read by no pod`);
  expect(envOf(app(), "DATABASE_URL")?.valueFrom?.secretKeyRef, "DATABASE_URL not from the Secret");
  expect(envOf(app(), "GAPFORGE_ADMIN_TOKEN")?.valueFrom?.secretKeyRef, "GAPFORGE_ADMIN_TOKEN not from the Secret");
});

check("every GAPFORGE_* variable set is one gapforge reads (no typo)", () => {
  for (const [kind, spec] of workloads())
    for (const c of spec.containers)
      for (const e of c.env ?? [])
        if (e.name.startsWith("GAPFORGE_"))
          expect(readBySource(e.name), `${kind}: ${e.name} is read nowhere in src/`);
});

check("the Service selects the Deployment's pods on the named container port", () => {
  const s = one("Service");
  expect(sameLabels(s.spec.selector, deploy().spec.template.metadata.labels), "selector matches no pod");
  expect(sameLabels(deploy().spec.selector.matchLabels, deploy().spec.template.metadata.labels),
    "the Deployment's selector does not match its own pods");
  for (const p of s.spec.ports)
    expect(app().ports.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort),
      `targetPort ${p.targetPort} is no container port`);
});

check("the HorizontalPodAutoscaler scales the Deployment from 2 replicas on CPU", () => {
  const h = one("HorizontalPodAutoscaler");
  const t = h.spec.scaleTargetRef;
  expect(t.kind === "Deployment" && t.name === deploy().metadata.name && t.apiVersion === "apps/v1",
    `scaleTargetRef ${JSON.stringify(t)}`);
  expect(h.spec.minReplicas >= 2 && h.spec.maxReplicas >= h.spec.minReplicas, "replica bounds");
  const cpu = h.spec.metrics.find((m) => m.resource?.name === "cpu");
  expect(cpu?.resource.target.type === "Utilization", "no CPU utilisation target");
  expect(app().resources.requests.cpu, "CPU utilisation needs a CPU request");
});

check("the PodDisruptionBudget covers the Deployment's pods and lets one go at a time", () => {
  const p = one("PodDisruptionBudget");
  expect(sameLabels(p.spec.selector.matchLabels, deploy().spec.template.metadata.labels),
    "selector matches no pod");
  const h = one("HorizontalPodAutoscaler");
  const ok = p.spec.maxUnavailable === 1 || (p.spec.minAvailable ?? Infinity) < h.spec.minReplicas;
  expect(ok, "the budget would block every drain or allow more than one pod out");
});

check("the migration Job runs `gapforge migrate` once, on PostgreSQL directly", () => {
  const j = job();
  const spec = j.spec.template.spec;
  expect(["Never", "OnFailure"].includes(spec.restartPolicy), `restartPolicy ${spec.restartPolicy}`);
  const c = spec.containers[0];
  expect(JSON.stringify(c.args) === '["migrate"]', `args ${JSON.stringify(c.args)}`);
  expect(envOf(c, "DATABASE_URL")?.valueFrom?.secretKeyRef?.key === "MIGRATE_DATABASE_URL",
    "DATABASE_URL must come from the Secret's MIGRATE_DATABASE_URL");
  expect(j.spec.backoffLimit >= 1 && j.spec.activeDeadlineSeconds > 0, "no retry or deadline");
});

// ---- the other two ways to run it: the same room for the drain ----
const drain = Number(envOf(app(), "GAPFORGE_DRAIN_SECONDS")?.value ?? 20);

check("deploy/compose.yaml stops gapforge after the drain, read-only and without capabilities", () => {
  const c = parse(readFileSync(join(root, "deploy/compose.yaml"), "utf8"));
  const g = c.services.gapforge;
  expect(JSON.stringify(g.command) === '["serve"]', "gapforge's command is not serve");
  expect(JSON.stringify(c.services.migrate.command) === '["migrate"]', "no migrate service");
  expect(g.depends_on?.migrate?.condition === "service_completed_successfully", "serve does not wait for migrate");
  expect(g.read_only === true && JSON.stringify(g.cap_drop) === '["ALL"]', "not read-only without capabilities");
  expect(seconds(g.stop_grace_period ?? "10s") > drain,
    `stop_grace_period ${g.stop_grace_period ?? "10s (the default)"} <= drain ${drain} s`);
  expect(g.stop_signal === undefined || g.stop_signal === "SIGTERM", "stop_signal");
});

check("deploy/gapforge.service gives the drain its time (TimeoutStopSec) and migrates first", () => {
  const u = readFileSync(join(root, "deploy/gapforge.service"), "utf8");
  const t = /^TimeoutStopSec=(\d+)s?$/m.exec(u);
  expect(t && Number(t[1]) > drain, `TimeoutStopSec ${t?.[1]} <= drain ${drain} s`);
  expect(/^KillSignal=SIGTERM$/m.test(u), "KillSignal is not SIGTERM");
  expect(/^ExecStartPre=\/usr\/bin\/gapforge migrate$/m.test(u), "no ExecStartPre migrate");
  expect(/^ExecStart=\/usr\/bin\/gapforge serve$/m.test(u), "ExecStart is not serve");
});

const n = passed + failed;
console.log(`${n ? Math.floor((100 * passed) / n) : 0}%: Checks: ${n}, Failures: ${failed}, Errors: 0`);
process.exit(failed || !n ? 1 : 0);
