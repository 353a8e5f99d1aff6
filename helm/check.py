"""Lint, render and validate the Bulwark Helm chart with Helm's own code (helm-sdkpy).

Run through `.ci/helm.sh` (which makes the Python 3.12 venv this needs):

    .ci/helm.sh [--out DIR]

What it does, for every case in CASES (the chart's defaults, values-sidecar.yaml,
values-gateway.yaml, a few variants that switch on the optional templates or render for
Kubernetes 1.28, and helm/examples/app-with-bulwark, a parent chart whose own Deployment gets the
sidecar through the named templates, with helm/bulwark vendored as its dependency):

1. `helm lint` (Helm's lint action, which renders every template and checks the output is valid
   YAML with valid metadata). helm-sdkpy's lint takes no values files, so the case's values are
   coalesced onto a copy of the chart's values.yaml first. Any message above INFO fails.
   (helm-sdkpy drops lint messages' text: the render in step 2 gives Helm's error text.)
2. Render with Helm's install action against a stand-in Kubernetes API server on 127.0.0.1 (it
   answers discovery and accepts the creates; HELM_DRIVER=memory keeps the release in memory).
   helm-sdkpy has no `template`/dry-run call, so this is how Helm's own engine renders the chart
   with the case's values. The manifest is written to OUT/<case>.yaml (and .json).
3. Validate every rendered object against the Kubernetes JSON schemas bundled in the
   `kubernetes-validate` package (strict: unknown fields are errors), for the Kubernetes version
   the stand-in server reports. CRD kinds (ServiceMonitor, PodMonitor, PrometheusRule) have no
   bundled schema: they get the structural checks below only.
4. Structural checks of our own (see `check_objects`): metadata, container security contexts,
   probes, preStop / grace period, mounts, and that every referenced ConfigMap, Secret, Service,
   ServiceAccount, port name, scale target and selector exists in the render (or is a Secret the
   values name as existing outside the chart).

Exit 0 when all pass; otherwise every problem is printed and the exit code is 1.
"""
from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

if os.environ.get("HELM_DRIVER") != "memory":
    # Helm's Go runtime reads the environment when the library loads: set it for a fresh process.
    os.environ["HELM_DRIVER"] = "memory"
    os.execv(sys.executable, [sys.executable, *sys.argv])

import helm_sdkpy  # noqa: E402
import kubernetes_validate  # noqa: E402
import yaml  # noqa: E402

HERE = Path(__file__).resolve().parent
CHART = HERE / "bulwark"
RELEASE = "demo"
NAMESPACE = "bulwark-ci"

# name -> (values files relative to the chart, extra values, Kubernetes version the server reports)
CASES: dict[str, tuple[list[str], dict[str, Any], str]] = {
    "defaults": ([], {}, "1.31.0"),
    "sidecar": (["values-sidecar.yaml"], {}, "1.31.0"),
    "gateway": (["values-gateway.yaml"], {}, "1.31.0"),
    # Variants that switch on the remaining optional templates.
    "sidecar-k8s-1.28": (["values-sidecar.yaml"], {"serviceMonitor": {"enabled": True}}, "1.28.0"),
    "gateway-bundled-redis": (
        ["values-gateway.yaml"],
        {
            "redis": {"mode": "bundled"},
            "secrets": {"existingSecret": "", "create": True, "values": {"OPENAI_API_KEY": "sk-demo", "BULWARK_ADMIN_KEY": "admin-demo", "BULWARK_CLIENT_KEY": "bw-demo"}},
            "gateway": {"autoscaling": {"enabled": False}, "replicas": 3, "pdb": {"minAvailable": 2}},
            "workers": 2,
            "otel": {"headersSecret": {"name": "otel-auth", "key": "headers"}, "resourceAttributes": {"deployment.environment": "ci"}},
            "prometheusRule": {"groups": [{"name": "bulwark.local", "rules": [{
                "alert": "BulwarkHighOverhead", "expr": "histogram_quantile(0.99, sum by (le) (rate(bulwark_overhead_duration_seconds_bucket[5m]))) > 0.05",
                "for": "15m", "labels": {"severity": "warning"},
                "annotations": {"summary": 'Overhead of {{ include "bulwark.fullname" . }} on {{`{{ $labels.instance }}`}} is above 50 ms.'}}]}]},
        },
        "1.31.0",
    ),
}
# Cases that render another chart: your own app chart using bulwark's named templates, with
# helm/bulwark vendored as its dependency (what `helm dependency build` would do).
PARENT_CHARTS = {"parent-chart": HERE / "examples" / "app-with-bulwark"}
CASES["parent-chart"] = ([], {}, "1.31.0")
CASES["parent-chart-k8s-1.28"] = ([], {}, "1.28.0")
PARENT_CHARTS["parent-chart-k8s-1.28"] = PARENT_CHARTS["parent-chart"]
# The kinds each main case must contain (the tests check the details).
REQUIRED_KINDS = {
    "sidecar": {"ConfigMap", "Deployment", "ServiceAccount"},
    "gateway": {"ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor", "PrometheusRule"},
    "gateway-bundled-redis": {"Secret", "Service", "PodDisruptionBudget"},
    "parent-chart": {"ConfigMap", "Deployment"},
}
CRD_KINDS = {"ServiceMonitor", "PodMonitor", "PrometheusRule"}
LINT_SEVERITY = {0: "UNKNOWN", 1: "INFO", 2: "WARNING", 3: "ERROR"}
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


# ------------------------------------------------------------------ values
def coalesce(base: Any, over: Any) -> Any:
    """Helm's values merge: maps merge key by key, anything else is replaced, null deletes."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = coalesce(base.get(k), v)
        return out
    return copy.deepcopy(over)


def case_values(files: list[str], extra: dict[str, Any]) -> dict[str, Any]:
    """The user-supplied values of a case (what `-f file -f ...` plus `--set` would give)."""
    vals: dict[str, Any] = {}
    for f in files:
        vals = coalesce(vals, yaml.safe_load((CHART / f).read_text()) or {})
    return coalesce(vals, extra)


# ------------------------------------------------------------------ stand-in API server
class FakeKube:
    """Just enough of the Kubernetes API for `helm install --wait=false`: discovery, 404 on
    reads of single objects, empty lists, and creates echoed back. Loopback only."""

    RESOURCES = {
        ("", "v1"): [("configmaps", "ConfigMap"), ("secrets", "Secret"), ("services", "Service"), ("serviceaccounts", "ServiceAccount"), ("pods", "Pod")],
        ("apps", "v1"): [("deployments", "Deployment"), ("statefulsets", "StatefulSet"), ("daemonsets", "DaemonSet")],
        ("autoscaling", "v2"): [("horizontalpodautoscalers", "HorizontalPodAutoscaler")],
        ("policy", "v1"): [("poddisruptionbudgets", "PodDisruptionBudget")],
        ("monitoring.coreos.com", "v1"): [("servicemonitors", "ServiceMonitor"), ("podmonitors", "PodMonitor"), ("prometheusrules", "PrometheusRule")],
    }

    def __init__(self, version: str = "1.31.0") -> None:
        self.version = version
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def reply(self, code: int, obj: Any) -> None:
                body = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self.reply(*fake.get(self.path.split("?")[0]))

            def _echo(self, code: int) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                self.reply(code, json.loads(self.rfile.read(n) or b"{}"))

            def do_POST(self) -> None:
                self._echo(201)

            def do_PUT(self) -> None:
                self._echo(200)

            def do_PATCH(self) -> None:
                self._echo(200)

            def do_DELETE(self) -> None:
                self.reply(200, {"kind": "Status", "apiVersion": "v1", "status": "Success"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def get(self, path: str) -> tuple[int, Any]:
        major, minor = self.version.split(".")[:2]
        if path == "/version":
            return 200, {"major": major, "minor": minor, "gitVersion": f"v{self.version}", "platform": "linux/amd64"}
        if path == "/api":
            return 200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
        if path == "/apis":
            groups = [{"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v}], "preferredVersion": {"groupVersion": f"{g}/{v}", "version": v}} for (g, v) in self.RESOURCES if g]
            return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        for (g, v), resources in self.RESOURCES.items():
            if path == ("/api/v1" if not g else f"/apis/{g}/{v}"):
                return 200, {
                    "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{g}/{v}" if g else v,
                    "resources": [{"name": n, "singularName": k.lower(), "namespaced": True, "kind": k, "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]} for n, k in resources],
                }
        parts = path.strip("/").split("/")
        # .../namespaces/<ns>/<resource>/<name> -> not found; collections -> empty list
        if "namespaces" in parts and len(parts) - parts.index("namespaces") >= 4:
            return 404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"}
        return 200, {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": []}

    @property
    def kubeconfig(self) -> str:
        port = self.server.server_address[1]
        return (
            "apiVersion: v1\nkind: Config\n"
            f"clusters: [{{name: ci, cluster: {{server: 'http://127.0.0.1:{port}'}}}}]\n"
            "users: [{name: ci, user: {token: ci}}]\n"
            f"contexts: [{{name: ci, context: {{cluster: ci, user: ci, namespace: {NAMESPACE}}}}}]\n"
            "current-context: ci\n"
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ------------------------------------------------------------------ helm
def assemble(src: Path, work: Path) -> Path:
    """A copy of the chart at `src` (symlinks followed); a parent chart gets helm/bulwark vendored
    under charts/ as its dependency."""
    chart = work / src.name
    if chart.exists():
        shutil.rmtree(chart)
    shutil.copytree(src, chart)
    if src != CHART:
        shutil.copytree(CHART, chart / "charts" / "bulwark")
    return chart


def lint(values: dict[str, Any], work: Path, src: Path) -> list[str]:
    chart = assemble(src, work)
    merged = coalesce(yaml.safe_load((src / "values.yaml").read_text()), values)
    (chart / "values.yaml").write_text(yaml.safe_dump(merged, sort_keys=False))
    result = asyncio.run(helm_sdkpy.Lint(helm_sdkpy.Configuration(namespace=NAMESPACE)).run(str(chart)))
    problems = []
    for msg in result.get("Messages") or []:
        sev = int(msg.get("Severity", 0))
        if sev >= 2:
            problems.append(f"helm lint {LINT_SEVERITY.get(sev, sev)} in {msg.get('Path')}")
    if result.get("Errors"):
        problems.append(f"helm lint reported {len(result['Errors'])} error(s)")
    return problems


def render(values: dict[str, Any], kube_version: str, chart: Path) -> str:
    kube = FakeKube(kube_version)
    try:
        cfg = helm_sdkpy.Configuration(namespace=NAMESPACE, kubeconfig=kube.kubeconfig)
        rel = asyncio.run(helm_sdkpy.Install(cfg).run(RELEASE, str(chart), values=values or None, wait=False, timeout=60))
    finally:
        kube.close()
    return rel["manifest"]


# ------------------------------------------------------------------ checks
def pod_specs(objs: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(workload, pod template) for every workload kind."""
    return [(o, o["spec"]["template"]) for o in objs if o["kind"] in ("Deployment", "StatefulSet", "DaemonSet")]


def labels_match(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_container(where: str, c: dict[str, Any], pod: dict[str, Any], problems: list[str]) -> None:
    sc = c.get("securityContext") or {}
    psc = pod.get("securityContext") or {}
    if sc.get("allowPrivilegeEscalation") is not False:
        problems.append(f"{where}: securityContext.allowPrivilegeEscalation must be false")
    if sc.get("readOnlyRootFilesystem") is not True:
        problems.append(f"{where}: securityContext.readOnlyRootFilesystem must be true")
    if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
        problems.append(f"{where}: securityContext.capabilities.drop must contain ALL")
    if not (sc.get("runAsNonRoot") or psc.get("runAsNonRoot")):
        problems.append(f"{where}: runAsNonRoot must be true (container or pod)")
    if sc.get("privileged"):
        problems.append(f"{where}: must not be privileged")
    mounts = {m["name"] for m in c.get("volumeMounts") or []}
    volumes = {v["name"] for v in pod.get("volumes") or []}
    for m in mounts - volumes:
        problems.append(f"{where}: volumeMount {m!r} has no volume")
    ports = {p.get("name") for p in c.get("ports") or []}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        port = ((c.get(probe) or {}).get("httpGet") or {}).get("port")
        if isinstance(port, str) and port not in ports:
            problems.append(f"{where}: {probe} uses port {port!r}, which the container does not name")


def check_bulwark_container(where: str, c: dict[str, Any], pod: dict[str, Any], objs: list[dict[str, Any]], problems: list[str]) -> None:
    def probe_path(name: str) -> str | None:
        return ((c.get(name) or {}).get("httpGet") or {}).get("path")

    if probe_path("livenessProbe") != "/healthz":
        problems.append(f"{where}: livenessProbe must GET /healthz")
    if probe_path("readinessProbe") != "/readyz":
        problems.append(f"{where}: readinessProbe must GET /readyz")
    if not c.get("startupProbe"):
        problems.append(f"{where}: no startupProbe")
    pre = (((c.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}).get("command") or []
    if len(pre) != 2 or pre[0] != "sleep":
        problems.append(f"{where}: preStop must be a sleep")
        sleep = 0
    else:
        sleep = int(pre[1])
    args = c.get("args") or []
    if "--config" not in args or args[args.index("--config") + 1] != "/etc/bulwark/proxy.toml":
        problems.append(f"{where}: args must pass --config /etc/bulwark/proxy.toml")
    mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts") or []}
    vols = {v["name"]: v for v in pod.get("volumes") or []}
    for path in ("/tmp", "/var/lib/bulwark"):
        if "emptyDir" not in vols.get(mounts.get(path, ""), {}):
            problems.append(f"{where}: {path} must be an emptyDir mount (read-only root filesystem)")
    cfg_vol = vols.get(mounts.get("/etc/bulwark", ""), {})
    cm_name = (cfg_vol.get("configMap") or {}).get("name")
    cms = {o["metadata"]["name"]: o for o in objs if o["kind"] == "ConfigMap"}
    if cm_name not in cms:
        problems.append(f"{where}: /etc/bulwark must be the proxy.toml ConfigMap (got {cm_name!r})")
        return
    text = cms[cm_name]["data"].get("proxy.toml", "")
    try:
        toml = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"ConfigMap {cm_name}: proxy.toml is not valid TOML: {exc}")
        return
    grace = pod.get("terminationGracePeriodSeconds")
    drain = (toml.get("server") or {}).get("shutdown_grace_seconds", 25)
    if grace is None or grace < sleep + drain:
        problems.append(f"{where}: terminationGracePeriodSeconds {grace} < preStop sleep {sleep} + shutdown_grace_seconds {drain}")
    ann = (pod.get("metadata") or {}).get("annotations") or {}
    if not re.fullmatch(r"[0-9a-f]{64}", ann.get("checksum/bulwark-config", "")):
        problems.append(f"{where}: pod template lacks the checksum/bulwark-config annotation")


def check_objects(objs: list[dict[str, Any]], external_secrets: set[str], problems: list[str], bundled_alerts: list[Any] | None = None) -> None:
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for o in objs:
        for key in ("apiVersion", "kind", "metadata"):
            if key not in o:
                problems.append(f"object without {key}: {str(o)[:120]}")
        name = (o.get("metadata") or {}).get("name", "")
        if not DNS1123.match(name) or len(name) > 63:
            problems.append(f"{o.get('kind')} {name!r}: name is not a DNS-1123 name of at most 63 characters")
        if not (o.get("metadata") or {}).get("labels", {}).get("app.kubernetes.io/name"):
            problems.append(f"{o.get('kind')} {name}: missing app.kubernetes.io/name label")
        by_kind.setdefault(o.get("kind", ""), {})[name] = o
    secrets = set(by_kind.get("Secret", {})) | external_secrets
    cms = set(by_kind.get("ConfigMap", {}))
    sas = set(by_kind.get("ServiceAccount", {})) | {"default"}

    pods = pod_specs(objs)
    for wl, tmpl in pods:
        pod = tmpl["spec"]
        wname = f"{wl['kind']} {wl['metadata']['name']}"
        if not labels_match(wl["spec"]["selector"].get("matchLabels", {}), tmpl["metadata"].get("labels", {})):
            problems.append(f"{wname}: selector does not match its pod template labels")
        if pod.get("serviceAccountName", "default") not in sas:
            problems.append(f"{wname}: serviceAccount {pod.get('serviceAccountName')!r} is not rendered")
        for v in pod.get("volumes") or []:
            if "configMap" in v and v["configMap"]["name"] not in cms:
                problems.append(f"{wname}: volume {v['name']} references missing ConfigMap {v['configMap']['name']!r}")
            if "secret" in v and v["secret"]["secretName"] not in secrets:
                problems.append(f"{wname}: volume {v['name']} references missing Secret {v['secret']['secretName']!r}")
        containers = [("containers", c) for c in pod.get("containers") or []] + [("initContainers", c) for c in pod.get("initContainers") or []]
        for section, c in containers:
            where = f"{wname} {section}/{c['name']}"
            check_container(where, c, tmpl["spec"] | {"metadata": tmpl.get("metadata")}, problems)
            for ef in c.get("envFrom") or []:
                if "secretRef" in ef and ef["secretRef"]["name"] not in secrets:
                    problems.append(f"{where}: envFrom references missing Secret {ef['secretRef']['name']!r}")
                if "configMapRef" in ef and ef["configMapRef"]["name"] not in cms:
                    problems.append(f"{where}: envFrom references missing ConfigMap {ef['configMapRef']['name']!r}")
            for e in c.get("env") or []:
                ref = (e.get("valueFrom") or {}).get("secretKeyRef")
                if ref and ref["name"] not in secrets:
                    problems.append(f"{where}: env {e['name']} references missing Secret {ref['name']!r}")
                ref = (e.get("valueFrom") or {}).get("configMapKeyRef")
                if ref and ref["name"] not in cms:
                    problems.append(f"{where}: env {e['name']} references missing ConfigMap {ref['name']!r}")
            if c["name"] == "bulwark":
                check_bulwark_container(where, c, tmpl["spec"] | {"metadata": tmpl.get("metadata")}, objs, problems)
                if section == "initContainers" and c.get("restartPolicy") != "Always":
                    problems.append(f"{where}: a Bulwark init container must be a native sidecar (restartPolicy: Always)")
                if section == "containers" and "restartPolicy" in c:
                    problems.append(f"{where}: restartPolicy is only valid on init containers")

    def pods_selected(selector: dict[str, str]) -> list[dict[str, Any]]:
        return [t for _, t in pods if labels_match(selector, t["metadata"].get("labels", {}))]

    def port_names(tmpls: list[dict[str, Any]]) -> set[str]:
        return {p.get("name") for t in tmpls for c in (t["spec"].get("containers") or []) + (t["spec"].get("initContainers") or []) for p in c.get("ports") or []}

    for name, svc in by_kind.get("Service", {}).items():
        sel = pods_selected(svc["spec"].get("selector", {}))
        if not sel:
            problems.append(f"Service {name}: selector matches no rendered pod template")
        for p in svc["spec"].get("ports", []):
            if isinstance(p.get("targetPort"), str) and p["targetPort"] not in port_names(sel):
                problems.append(f"Service {name}: targetPort {p['targetPort']!r} is not a port name of the selected pods")
    for name, hpa in by_kind.get("HorizontalPodAutoscaler", {}).items():
        ref = hpa["spec"]["scaleTargetRef"]
        if ref["name"] not in by_kind.get(ref["kind"], {}):
            problems.append(f"HorizontalPodAutoscaler {name}: scale target {ref['kind']} {ref['name']!r} is not rendered")
        elif "replicas" in by_kind[ref["kind"]][ref["name"]]["spec"]:
            problems.append(f"HorizontalPodAutoscaler {name}: its target sets spec.replicas (each upgrade would reset the scale)")
    for name, pdb in by_kind.get("PodDisruptionBudget", {}).items():
        if not pods_selected(pdb["spec"]["selector"].get("matchLabels", {})):
            problems.append(f"PodDisruptionBudget {name}: selector matches no rendered pod template")
    for name, sm in by_kind.get("ServiceMonitor", {}).items():
        svcs = [s for s in by_kind.get("Service", {}).values() if labels_match(sm["spec"]["selector"]["matchLabels"], s["metadata"].get("labels", {}))]
        if not svcs:
            problems.append(f"ServiceMonitor {name}: selector matches no rendered Service")
        for ep in sm["spec"].get("endpoints", []):
            if not any(ep.get("port") == p.get("name") for s in svcs for p in s["spec"]["ports"]):
                problems.append(f"ServiceMonitor {name}: endpoint port {ep.get('port')!r} is not a port of the selected Services")
    for name, pm in by_kind.get("PodMonitor", {}).items():
        sel = pods_selected(pm["spec"]["selector"]["matchLabels"])
        if not sel:
            problems.append(f"PodMonitor {name}: selector matches no rendered pod template")
        for ep in pm["spec"].get("podMetricsEndpoints", []):
            if ep.get("port") not in port_names(sel):
                problems.append(f"PodMonitor {name}: port {ep.get('port')!r} is not a port name of the selected pods")
    for name, pr in by_kind.get("PrometheusRule", {}).items():
        if bundled_alerts is not None and pr["spec"].get("groups", [])[: len(bundled_alerts)] != bundled_alerts:
            problems.append(f"PrometheusRule {name}: its first groups are not those of deploy/prometheus/alerts.yaml")
        for g in pr["spec"].get("groups", []):
            for r in g.get("rules", []):
                if not r.get("expr") or not (r.get("alert") or r.get("record")):
                    problems.append(f"PrometheusRule {name}: rule without expr or alert/record: {r}")
                if "{{ include" in json.dumps(r):
                    problems.append(f"PrometheusRule {name}: rule {r.get('alert')} has an unrendered template")


def bulwark_values(values: dict[str, Any], src: Path) -> dict[str, Any]:
    """The bulwark chart's effective values in a case (under `bulwark:` for a parent chart)."""
    if src != CHART:
        values = coalesce(yaml.safe_load((src / "values.yaml").read_text()), values).get("bulwark") or {}
    return coalesce(yaml.safe_load((CHART / "values.yaml").read_text()), values)


def external_secret_names(v: dict[str, Any]) -> set[str]:
    """Secrets the (effective bulwark) values say exist outside the chart."""
    names = {v["secrets"].get("existingSecret"), v["redis"]["external"].get("existingSecret"), v["otel"]["headersSecret"].get("name")}
    return {n for n in names if n}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.environ.get("HELM_CHECK_OUT") or str(Path(tempfile.gettempdir()) / "bulwark-helm"))
    ap.add_argument("--case", action="append", help="only these cases")
    ap.add_argument("--chart", help="check this chart directory instead of helm/bulwark")
    ap.add_argument("--custom", metavar="JSON", help='run one case "custom": {"files": [...], "values": {...}, "kube": "1.31.0"}')
    args = ap.parse_args()
    global CHART
    if args.chart:
        CHART = Path(args.chart).resolve()
    if args.custom:
        spec = json.loads(args.custom)
        CASES.clear()
        CASES["custom"] = (spec.get("files", []), spec.get("values", {}), spec.get("kube", "1.31.0"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {"helm": helm_sdkpy.get_version(), "cases": {}}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for name, (files, extra, kube_version) in CASES.items():
            if args.case and name not in args.case:
                continue
            problems: list[str] = []
            values = case_values(files, extra)
            src = PARENT_CHARTS.get(name, CHART)
            problems += lint(values, Path(tmp), src)
            objs: list[dict[str, Any]] = []
            schema_checked: list[str] = []
            structural_only: list[str] = []
            try:
                manifest = render(values, kube_version, assemble(src, Path(tmp) / "render"))
            except helm_sdkpy.HelmError as exc:
                problems.append(f"helm render failed: {exc}")
                manifest = ""
            (out / f"{name}.yaml").write_text(manifest)
            objs = [d for d in yaml.safe_load_all(manifest) if d]
            (out / f"{name}.json").write_text(json.dumps(objs, indent=1))
            for o in objs:
                label = f"{o.get('kind')}/{(o.get('metadata') or {}).get('name')}"
                if o.get("kind") in CRD_KINDS:
                    structural_only.append(label)
                    continue
                try:
                    kubernetes_validate.validate(o, kube_version, strict=True)
                    schema_checked.append(label)
                except kubernetes_validate.ValidationError as exc:
                    problems.append(f"{label}: Kubernetes {kube_version} schema: {exc.message} at {'/'.join(str(p) for p in exc.path)}")
                except kubernetes_validate.SchemaNotFoundError:
                    problems.append(f"{label}: no Kubernetes {kube_version} schema for {o.get('apiVersion')} {o.get('kind')}")
            merged = bulwark_values(values, src)
            bundled = None
            if merged["prometheusRule"].get("bundledAlerts") and (CHART / "files" / "alerts.yaml").exists():
                bundled = (yaml.safe_load((CHART / "files" / "alerts.yaml").read_text()) or {}).get("groups") or []
            check_objects(objs, external_secret_names(merged), problems, bundled)
            missing = REQUIRED_KINDS.get(name, set()) - {o["kind"] for o in objs}
            if missing:
                problems.append(f"rendered manifests lack {sorted(missing)}")
            summary["cases"][name] = {
                "values_files": files, "kube_version": kube_version, "lint": "ok" if not any(p.startswith("helm lint") for p in problems) else "failed",
                "objects": [f"{o['kind']}/{o['metadata']['name']}" for o in objs], "schema_validated": schema_checked,
                "structural_only": structural_only, "problems": problems,
            }
            status = "ok" if not problems else "FAILED"
            print(f"[{status}] {name}: lint + render ({len(objs)} objects, {len(schema_checked)} schema-validated against Kubernetes {kube_version}, {len(structural_only)} CRD objects structural only)")
            for p in problems:
                print(f"    - {p}")
            failed = failed or bool(problems)
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    print(f"manifests and summary.json in {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
