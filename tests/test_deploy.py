"""Deployment artefacts: the Helm chart (linted, rendered and validated with Helm's own code
through `.ci/helm.sh`) and the Docker image's entrypoint, run outside Docker."""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from proxy import cli
from proxy.config import load_config

ROOT = Path(__file__).resolve().parent.parent
HELM_SH = ROOT / ".ci" / "helm.sh"
DOCKERFILE = ROOT / "Dockerfile"
IMAGE_CONFIG = "/etc/bulwark/proxy.toml"


# ------------------------------------------------------------------ chart
@pytest.fixture(scope="module")
def helm(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run `.ci/helm.sh` once; {"rc", "output", "summary", "out"} for the tests below."""
    out = tmp_path_factory.mktemp("helm")
    venv_ready = (ROOT / ".cache" / "helm-venv" / "bin" / "python").exists()
    try:
        proc = subprocess.run(["bash", str(HELM_SH), "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                              timeout=60 if venv_ready else 600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"could not run {HELM_SH}: {exc}")
    output = proc.stdout + proc.stderr
    if proc.returncode == 3 or not (out / "summary.json").exists():
        pytest.fail(f".ci/helm.sh could not set up or run the chart check (exit {proc.returncode}):\n{output}")
    return {"rc": proc.returncode, "output": output, "summary": json.loads((out / "summary.json").read_text()), "out": out}


def objects(helm: dict[str, Any], case: str) -> list[dict[str, Any]]:
    return json.loads((helm["out"] / f"{case}.json").read_text())


def one(objs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [o for o in objs if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {[o['metadata']['name'] for o in found]}"
    return found[0]


def test_chart_lints_renders_and_validates_in_both_modes(helm: dict[str, Any]) -> None:
    assert helm["rc"] == 0, helm["output"]
    cases = helm["summary"]["cases"]
    for case in ("sidecar", "gateway", "defaults"):
        assert cases[case]["lint"] == "ok", cases[case]["problems"]
        assert cases[case]["problems"] == []
        assert cases[case]["values_files"] == ([f"values-{case}.yaml"] if case != "defaults" else [])
        # Every non-CRD object went through the Kubernetes JSON schema.
        assert len(cases[case]["schema_validated"]) + len(cases[case]["structural_only"]) == len(cases[case]["objects"])
        assert all(o.split("/")[0] in {"ServiceMonitor", "PodMonitor", "PrometheusRule"} for o in cases[case]["structural_only"])
    assert cases["gateway"]["schema_validated"], "nothing was schema-validated"


def run_check(*args: str, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(HELM_SH), "--out", str(out), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_chart_check_fails_on_bad_charts_and_values(helm: dict[str, Any], tmp_path: Path) -> None:
    """The validation is not a rubber stamp: a template error, an unknown field, a dangling
    ConfigMap reference and values that weaken the container are each refused."""
    chart = tmp_path / "chart"
    shutil.copytree(ROOT / "helm" / "bulwark", chart)
    (chart / "templates" / "broken.yaml").write_text("{{ if .Values.mode }}\nkind: ConfigMap\n")  # unclosed action
    proc = run_check("--chart", str(chart), "--case", "gateway", out=tmp_path / "out")
    assert proc.returncode == 1
    assert "helm lint ERROR in templates/" in proc.stdout and "helm render failed" in proc.stdout
    # Helm renders once the template is fixed; the schema, reference and security checks object.
    (chart / "templates" / "broken.yaml").unlink()
    dep = chart / "templates" / "deployment.yaml"
    dep.write_text(dep.read_text().replace("  revisionHistoryLimit: 5\n", "  revisionHistoryLimit: 5\n  replicaz: 3\n"))
    helpers = chart / "templates" / "_helpers.tpl"
    helpers.write_text(helpers.read_text().replace('name: {{ include "bulwark.configMapName" . }}\n', 'name: {{ include "bulwark.configMapName" . }}-typo\n'))
    spec = {"files": ["values-gateway.yaml"], "values": {"securityContext": {"readOnlyRootFilesystem": False}}}
    proc = run_check("--chart", str(chart), "--custom", json.dumps(spec), out=tmp_path / "out")
    assert proc.returncode == 1
    assert "'replicaz' was unexpected" in proc.stdout
    assert "references missing ConfigMap 'demo-bulwark-config-typo'" in proc.stdout
    assert "readOnlyRootFilesystem must be true" in proc.stdout


def bulwark_container_checks(c: dict[str, Any], pod: dict[str, Any]) -> None:
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "bulwark-http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "bulwark-http"}
    assert c["startupProbe"]["httpGet"]["path"] == "/healthz"
    sc = c["securityContext"]
    assert sc["runAsNonRoot"] is True and sc["allowPrivilegeEscalation"] is False
    assert sc["readOnlyRootFilesystem"] is True and sc["capabilities"]["drop"] == ["ALL"]
    assert c["args"][:2] == ["--config", IMAGE_CONFIG]
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]] and "emptyDir" in volumes[mounts["/var/lib/bulwark"]]
    assert "configMap" in volumes[mounts["/etc/bulwark"]]
    sleep = int(c["lifecycle"]["preStop"]["exec"]["command"][1])
    assert pod["terminationGracePeriodSeconds"] >= sleep + 120  # drain.streamSeconds default


def test_sidecar_mode_adds_bulwark_to_the_example_app(helm: dict[str, Any]) -> None:
    objs = objects(helm, "sidecar")
    assert {o["kind"] for o in objs} == {"ConfigMap", "Deployment", "ServiceAccount"}  # no gateway objects
    dep = one(objs, "Deployment")
    pod = dep["spec"]["template"]["spec"]
    # Kubernetes 1.31: a native sidecar (init container that keeps running).
    [c] = [c for c in pod["initContainers"] if c["name"] == "bulwark"]
    assert c["restartPolicy"] == "Always"
    bulwark_container_checks(c, pod)
    [app] = pod["containers"]
    env = {e["name"]: e for e in app["env"]}
    assert env["OPENAI_BASE_URL"]["value"] == "http://127.0.0.1:8080/v1"
    assert env["OPENAI_API_KEY"]["valueFrom"]["secretKeyRef"] == {"name": "bulwark-secrets", "key": "BULWARK_CLIENT_KEY"}
    assert c["envFrom"] == [{"secretRef": {"name": "bulwark-secrets", "optional": False}}]
    assert re.fullmatch(r"[0-9a-f]{64}", dep["spec"]["template"]["metadata"]["annotations"]["checksum/bulwark-config"])
    # Older clusters: the same container as a regular sidecar.
    old = one(objects(helm, "sidecar-k8s-1.28"), "Deployment")["spec"]["template"]["spec"]
    assert "initContainers" not in old
    [c] = [c for c in old["containers"] if c["name"] == "bulwark"]
    assert "restartPolicy" not in c
    bulwark_container_checks(c, old)


def test_named_templates_add_bulwark_to_a_workload_of_another_chart(helm: dict[str, Any]) -> None:
    """helm/examples/app-with-bulwark: a parent chart's own Deployment gets the sidecar through
    `.Subcharts.bulwark`; the subchart renders the ConfigMap the container mounts."""
    for case, native in (("parent-chart", True), ("parent-chart-k8s-1.28", False)):
        objs = objects(helm, case)
        assert helm["summary"]["cases"][case]["problems"] == []
        dep = one(objs, "Deployment", "demo-shop")
        pod = dep["spec"]["template"]["spec"]
        sidecars = [c for c in pod.get("initContainers" if native else "containers", []) if c["name"] == "bulwark"]
        assert len(sidecars) == 1, pod
        assert sidecars[0]["image"] == "bulwark:0.1.0"  # the subchart's appVersion
        bulwark_container_checks(sidecars[0], pod)
        cm = one(objs, "ConfigMap")
        assert next(v for v in pod["volumes"] if v["name"] == "bulwark-config")["configMap"]["name"] == cm["metadata"]["name"]
        [shop] = [c for c in pod["containers"] if c["name"] == "shop"]
        assert {"name": "OPENAI_BASE_URL", "value": "http://127.0.0.1:8080/v1"} in shop["env"]


def test_gateway_mode_has_deployment_service_hpa_pdb(helm: dict[str, Any]) -> None:
    objs = objects(helm, "gateway")
    dep = one(objs, "Deployment")
    name = dep["metadata"]["name"]
    pod = dep["spec"]["template"]["spec"]
    [c] = pod["containers"]
    bulwark_container_checks(c, pod)
    assert "replicas" not in dep["spec"]  # the HPA owns the scale
    assert dep["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    svc = one(objs, "Service", name)
    assert svc["spec"]["selector"] == dep["spec"]["selector"]["matchLabels"]
    assert svc["spec"]["ports"][0]["targetPort"] == "bulwark-http"
    hpa = one(objs, "HorizontalPodAutoscaler", name)
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 20)
    pdb = one(objs, "PodDisruptionBudget", name)
    assert pdb["spec"]["selector"]["matchLabels"] == dep["spec"]["selector"]["matchLabels"]
    assert pdb["spec"]["minAvailable"] == 2
    env = {e["name"]: e for e in c["env"]}
    assert env["BULWARK_REDIS_URL"]["valueFrom"]["secretKeyRef"] == {"name": "bulwark-redis", "key": "redis-url"}
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"]["value"].startswith("http://")
    assert "k8s.pod.name=$(K8S_POD_NAME)" in env["OTEL_RESOURCE_ATTRIBUTES"]["value"]
    sm = one(objs, "ServiceMonitor", name)
    assert sm["spec"]["endpoints"][0]["port"] == svc["spec"]["ports"][0]["name"]
    # The alert rules are deploy/prometheus/alerts.yaml's (helm/check.py compares them group for group).
    groups = one(objs, "PrometheusRule", name)["spec"]["groups"]
    alerts_file = (ROOT / "deploy" / "prometheus" / "alerts.yaml").read_text()
    assert [g["name"] for g in groups] == re.findall(r"^  - name: (\S+)", alerts_file, re.M)
    alerts = [r["alert"] for g in groups for r in g["rules"]]
    assert alerts == re.findall(r"^      - alert: (\S+)", alerts_file, re.M) and "BulwarkDown" in alerts
    # The bundled Redis variant: Deployment + Service, and Bulwark pointed at it.
    objs = objects(helm, "gateway-bundled-redis")
    redis_svc = one(objs, "Service", f"{name}-redis")
    dep = one(objs, "Deployment", name)
    env = {e["name"]: e for e in dep["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["BULWARK_REDIS_URL"]["value"] == f"redis://{redis_svc['metadata']['name']}:6379/0"
    assert dep["spec"]["replicas"] == 3
    assert dep["spec"]["template"]["spec"]["containers"][0]["args"][-2:] == ["--workers", "2"]
    # Groups from values come after the bundled ones, rendered through tpl.
    extra = one(objs, "PrometheusRule", name)["spec"]["groups"][-1]
    assert extra["name"] == "bulwark.local"
    assert extra["rules"][0]["annotations"]["summary"] == f"Overhead of {name} on {{{{ $labels.instance }}}} is above 50 ms."


@pytest.mark.parametrize("case", ["sidecar", "gateway", "gateway-bundled-redis"])
def test_rendered_proxy_toml_passes_bulwark_check(helm: dict[str, Any], case: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    cm = one(objects(helm, case), "ConfigMap")
    path = tmp_path / "proxy.toml"
    path.write_text(cm["data"]["proxy.toml"])
    monkeypatch.setenv("BULWARK_CLIENT_KEY", "bw-test")
    monkeypatch.setenv("BULWARK_REDIS_URL", "redis://127.0.0.1:6379/0")
    cfg = load_config(path)
    assert cfg.server.shutdown_grace_seconds == 120 and cfg.server.watch_config is True
    assert cfg.state.data_dir == "/var/lib/bulwark"
    assert cfg.state.backend == ("memory" if case == "sidecar" else "redis")
    assert cfg.auth.keys[0].key == "bw-test"
    if case == "gateway":  # otel.enabled
        assert cfg.telemetry == {"service_name": "demo-bulwark", "tracing": {"enabled": True, "sample_ratio": 1.0}}
    assert cli.cmd_check(argparse.Namespace(config=str(path))) == 0  # `bulwark check`, minus logging setup
    assert "is valid" in capsys.readouterr().out


# ------------------------------------------------------------------ Docker image
def dockerfile_instruction(name: str) -> str:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = [line.split(None, 1)[1] for line in text.splitlines() if line.startswith(name + " ")]
    assert found, f"Dockerfile has no {name}"
    return found[-1].strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_dockerfile_build_time_tokenizer_check_passes() -> None:
    run = dockerfile_instruction("RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels")
    m = re.search(r"python -c \"([^\"]+)\"", run)
    assert m and "get_encoding('o200k_base')" in m.group(1)
    proc = subprocess.run([sys.executable, "-c", m.group(1)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_docker_entrypoint_serves_outside_docker(tmp_path: Path) -> None:
    """ENTRYPOINT + CMD exactly as the image runs them; only the config path (the repo's
    proxy.toml instead of the copy in /etc/bulwark) and the port are substituted."""
    argv = json.loads(dockerfile_instruction("ENTRYPOINT")) + json.loads(dockerfile_instruction("CMD"))
    assert argv[:2] == ["bulwark", "serve"] and IMAGE_CONFIG in argv and "0.0.0.0" in argv
    assert re.search(r"COPY proxy\.toml /etc/bulwark/proxy\.toml", DOCKERFILE.read_text())
    port = free_port()
    argv = [str(ROOT / "proxy.toml") if a == IMAGE_CONFIG else str(port) if a == "8080" else a for a in argv]
    exe = Path(sys.executable).parent / argv[0]
    assert exe.exists(), f"the `bulwark` console script is not installed next to {sys.executable}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BULWARK_")}
    # As in the image: secrets from the environment, writable dirs only /tmp and the state dir.
    env.update(OPENAI_API_KEY="sk-upstream-test", BULWARK_ADMIN_KEY="admin-test", BULWARK_DATA_DIR=str(tmp_path / "data"),
               TMPDIR=str(tmp_path), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([str(exe), *argv[1:]], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200, f"/healthz did not answer 200 (got {status}); exit {proc.poll()}; cmd {shlex.join(argv)}"
        assert get(base + "/readyz") == 200
        # The image's HEALTHCHECK command, pointed at the same port, succeeds.
        hc = json.loads(dockerfile_instruction("HEALTHCHECK").split("CMD", 1)[1])
        assert hc[0] == "python"
        code = hc[2].replace("127.0.0.1:8080", f"127.0.0.1:{port}")
        assert subprocess.run([sys.executable, "-c", code], timeout=10).returncode == 0
        # Kubernetes stops pods with SIGTERM: a clean exit 0.
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        output = proc.communicate(timeout=10)[0]
    assert "Traceback" not in output, output
