"""The Helm chart: rendered and validated against the Kubernetes schemas offline
(`make chart-check`), then read back to check that it runs what the code provides: settings
the services read, modules and files the image holds, the topics of the event catalogue, the
ACL table of the local stack and the local proxy's routes."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from resonance.common.events.catalogue import all_topics
from resonance.common.settings import settings_class
from resonance.devstack.kafka import WRITES
from resonance.devstack.proxy import ROUTES

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "resonance"
SERVICES = ("ambassadors", "content", "metrics", "sharing")
# Strimzi's and KEDA's kinds: no package on the registries ships their schemas, so
# chart-check skips exactly these and the tests below check what matters in them.
CRD_KINDS = {"KafkaTopic", "KafkaUser", "ScaledObject", "TriggerAuthentication"}
Doc = dict[str, Any]
# The first run builds helm and kubeconform with Go (minutes on a busy machine); later runs
# take seconds from the cache.
pytestmark = pytest.mark.timeout(1800)


@pytest.fixture(scope="module")
def check(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("render")
    result = subprocess.run(
        [str(REPO / "deploy" / "helm" / "chart-check.sh"), str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    return result, out


def _load(out: Path, name: str) -> list[Doc]:
    return [d for d in yaml.safe_load_all((out / f"{name}.yaml").read_text()) if d]


@pytest.fixture(scope="module")
def default(check: tuple[subprocess.CompletedProcess[str], Path]) -> list[Doc]:
    result, out = check
    assert result.returncode == 0, result.stdout + result.stderr
    return _load(out, "default")


@pytest.fixture(scope="module")
def trial(check: tuple[subprocess.CompletedProcess[str], Path]) -> list[Doc]:
    result, out = check
    assert result.returncode == 0, result.stdout + result.stderr
    return _load(out, "trial")


def _kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def _containers(docs: list[Doc]) -> Iterator[tuple[Doc, Doc]]:
    for d in docs:
        if d["kind"] in ("Deployment", "Job"):
            for c in d["spec"]["template"]["spec"]["containers"]:
                yield d, c


def test_chart_check_validates_every_object(
    check: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, out = check
    assert result.returncode == 0, result.stdout + result.stderr
    # kubeconform's summary, one per rendered file: nothing invalid, nothing without a schema
    # but the four CRD kinds skipped by name.
    summaries = re.findall(
        r"Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)", result.stdout
    )
    assert len(summaries) == 1, result.stdout
    valid, invalid, errors, skipped = map(int, summaries[0])
    assert (invalid, errors) == (0, 0)
    docs = _load(out, "default") + _load(out, "trial")
    crds = [d for d in docs if d["kind"] in CRD_KINDS]
    assert skipped == len(crds)
    assert valid == len(docs) - len(crds)


def test_each_service_has_an_api_and_a_worker_deployment(default: list[Doc]) -> None:
    names = {d["metadata"]["name"] for d in _kind(default, "Deployment")}
    # ... and metrics its fold.
    assert names == {f"resonance-{s}-{c}" for s in SERVICES for c in ("api", "worker")} | {
        "resonance-metrics-fold"
    }


def test_the_fold_runs_apart_from_the_consumers(default: list[Doc]) -> None:
    env = {
        d["metadata"]["name"]: {e["name"]: e.get("value") for e in c["env"]}
        for d, c in _containers(default)
        if d["kind"] == "Deployment"
    }
    fold = env["resonance-metrics-fold"]
    assert fold["RESONANCE_METRICS_FOLDER_PORT"] == "8000"
    assert "RESONANCE_METRICS_FOLD_IN_CONSUMERS" not in fold
    assert env["resonance-metrics-worker"]["RESONANCE_METRICS_FOLD_IN_CONSUMERS"] == "false"
    # KEDA counts waiting rows (never parked ones) with a libpq URL of its own.
    (scaled,) = [
        o
        for o in _kind(default, "ScaledObject")
        if o["spec"]["scaleTargetRef"]["name"] == "resonance-metrics-fold"
    ]
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "postgresql"
    assert "FROM share_queue WHERE parked IS NULL" in trigger["metadata"]["query"]
    (auth,) = [
        a
        for a in _kind(default, "TriggerAuthentication")
        if a["metadata"]["name"] == trigger["authenticationRef"]["name"]
    ]
    assert auth["spec"]["secretTargetRef"] == [
        {"parameter": "connection", "name": "resonance-metrics", "key": "keda-database-url"}
    ]


def test_env_names_are_settings_the_services_read(default: list[Doc], trial: list[Doc]) -> None:
    seen = 0
    for doc, container in _containers(default + trial):
        service = doc["metadata"]["labels"]["app.kubernetes.io/name"]
        fields = set(settings_class(service).model_fields)
        for env in container["env"]:
            name = env["name"]
            if not name.startswith("RESONANCE_"):
                continue
            prefix = f"RESONANCE_{service.upper()}_"
            assert name.startswith(prefix), (doc["metadata"]["name"], name)
            assert name[len(prefix) :].lower() in fields, (doc["metadata"]["name"], name)
            seen += 1
    assert seen > 100


def test_otel_exports_over_otlp_by_default(default: list[Doc]) -> None:
    for doc, container in _containers(default):
        if doc["kind"] != "Deployment":
            continue
        env = {e["name"]: e.get("value") for e in container["env"]}
        service = doc["metadata"]["labels"]["app.kubernetes.io/name"].upper()
        assert env[f"RESONANCE_{service}_OTEL_EXPORTER"] == "otlp"
        assert env[f"RESONANCE_{service}_OTEL_ENDPOINT"].startswith("http")


def test_every_secret_key_referenced_exists_in_the_trial_secrets(trial: list[Doc]) -> None:
    secrets = {s["metadata"]["name"]: set(s["stringData"]) for s in _kind(trial, "Secret")}
    for doc, container in _containers(trial):
        for env in container["env"]:
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if not ref or ref.get("optional"):
                continue
            if ref["key"] == "password":  # Strimzi writes the KafkaUser's Secret
                users = {u["metadata"]["name"] for u in _kind(trial, "KafkaUser")}
                assert ref["name"] in users
                continue
            assert ref["key"] in secrets.get(ref["name"], set()), (doc["metadata"]["name"], ref)


def test_probes_resources_and_disruption_budgets(default: list[Doc]) -> None:
    budgets = {
        tuple(sorted(p["spec"]["selector"]["matchLabels"].items()))
        for p in _kind(default, "PodDisruptionBudget")
    }
    for doc in _kind(default, "Deployment"):
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["resources"]["requests"]["cpu"]
        assert tuple(sorted(doc["spec"]["selector"]["matchLabels"].items())) in budgets


def test_apis_autoscale_on_cpu_and_consumers_on_lag(default: list[Doc]) -> None:
    hpa_targets = {
        h["spec"]["scaleTargetRef"]["name"] for h in _kind(default, "HorizontalPodAutoscaler")
    }
    assert hpa_targets == {f"resonance-{s}-api" for s in SERVICES}
    scaled = {o["spec"]["scaleTargetRef"]["name"]: o for o in _kind(default, "ScaledObject")}
    assert set(scaled) == {
        "resonance-sharing-worker",
        "resonance-metrics-worker",
        "resonance-metrics-fold",
    }
    sharing = scaled["resonance-sharing-worker"]["spec"]
    trigger = sharing["triggers"][0]["metadata"]
    # The group the posting workers really join, on the topic they read.
    sharing_settings = settings_class("sharing")()
    assert trigger["consumerGroup"] == sharing_settings.worker_group  # type: ignore[attr-defined]
    assert trigger["topic"] == "share.request"
    partitions = {
        t["spec"]["topicName"]: t["spec"]["partitions"] for t in _kind(default, "KafkaTopic")
    }
    # More workers than partitions would sit idle: the ceiling is share.request's partitions.
    assert sharing["maxReplicaCount"] <= partitions["share.request"]
    metrics = scaled["resonance-metrics-worker"]["spec"]
    group = metrics["triggers"][0]["metadata"]["consumerGroup"]
    facts = REPO / "services/metrics/src/resonance/metrics/events/facts.py"
    assert f'"{group}"' in facts.read_text()


def test_topics_are_the_catalogue_and_acls_the_local_table(default: list[Doc]) -> None:
    topics = {t["spec"]["topicName"] for t in _kind(default, "KafkaTopic")}
    assert topics == set(all_topics())
    writes: dict[str, set[str]] = {}
    for user in _kind(default, "KafkaUser"):
        principal = user["metadata"]["name"].removeprefix("resonance-")
        written = {
            acl["resource"]["name"]
            for acl in user["spec"]["authorization"]["acls"]
            if acl["resource"]["type"] == "topic"
            and "Write" in acl["operations"]
            and not acl["resource"]["name"].endswith(".dlq")
        }
        if written:
            writes[principal] = written
    assert writes == {p: set(t) for p, t in WRITES.items()}


def test_ingress_routes_equal_the_local_proxy(default: list[Doc]) -> None:
    (ingress,) = _kind(default, "Ingress")
    paths = ingress["spec"]["rules"][0]["http"]["paths"]
    routed = []
    for p in paths:
        # "/(content)/(.*)" strips, "/()(scim/v2/.*)" keeps: group 1 is what is dropped.
        match = re.fullmatch(r"/\(([^)]*)\)/?\((.*)\)", p["path"])
        assert match, p["path"]
        dropped, kept = match.groups()
        prefix = f"/{dropped}/" if dropped else "/" + kept.removesuffix(".*")
        service = p["backend"]["service"]["name"].removeprefix("resonance-")
        routed.append((prefix, service, bool(dropped)))
    assert routed == [(r.prefix, r.service, r.strip) for r in ROUTES]


def test_migrations_run_before_the_rollout(default: list[Doc]) -> None:
    jobs = _kind(default, "Job")
    assert {j["metadata"]["name"] for j in jobs} == {f"resonance-{s}-migrations" for s in SERVICES}
    for job in jobs:
        assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
        service = job["metadata"]["labels"]["app.kubernetes.io/name"]
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert container["command"] == [
            "alembic",
            "-c",
            f"services/{service}/alembic.ini",
            "upgrade",
            "head",
        ]


def test_the_image_holds_what_the_chart_runs(default: list[Doc]) -> None:
    dockerfile = (REPO / "deploy/docker/Dockerfile").read_text()
    # The default command serves resonance.<svc>.main:create_app ...
    assert "resonance.${SERVICE}.main:create_app --factory" in dockerfile
    for service in SERVICES:
        assert importlib.util.find_spec(f"resonance.{service}.main") is not None
    # ... the migrations' ini and tree sit where the Job's relative path finds them ...
    assert "WORKDIR /app" in dockerfile
    assert "/app/services/${SERVICE}/alembic.ini" in dockerfile
    assert "/app/services/${SERVICE}/migrations" in dockerfile
    for service in SERVICES:
        ini = REPO / f"services/{service}/alembic.ini"
        assert "script_location = %(here)s/migrations" in ini.read_text()
        assert (ini.parent / "migrations" / "env.py").exists()
    # ... and a worker's command names a module with a __main__ entry point.
    for doc, container in _containers(default):
        command = container.get("command")
        if doc["kind"] != "Deployment" or not command:
            continue
        assert command[:2] == ["python", "-m"]
        spec = importlib.util.find_spec(command[2])
        assert spec is not None and spec.origin is not None
        assert 'if __name__ == "__main__":' in Path(spec.origin).read_text()
    # runAsNonRoot needs a numeric user in the image.
    assert re.search(r"^USER \d+$", dockerfile, re.MULTILINE)


def test_network_policies_deny_by_default(default: list[Doc]) -> None:
    policies = {p["metadata"]["name"]: p["spec"] for p in _kind(default, "NetworkPolicy")}
    deny = policies["resonance-default-deny"]
    assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    # Public egress never reaches private ranges (fetched URLs cannot hit pods or metadata).
    for name, spec in policies.items():
        for rule in spec.get("egress", []):
            for peer in rule.get("to", []):
                if peer.get("ipBlock", {}).get("cidr") == "0.0.0.0/0":
                    assert "169.254.0.0/16" in peer["ipBlock"]["except"], name


def test_every_container_names_the_tenants_its_identity_provider_speaks_for(
    default: list[Doc],
) -> None:
    deployments = [(d, c) for d, c in _containers(default) if d["kind"] == "Deployment"]
    assert len(deployments) == 2 * len(SERVICES) + 1  # metrics' fold
    for doc, container in deployments:
        service = doc["metadata"]["labels"]["app.kubernetes.io/name"].upper()
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env[f"RESONANCE_{service}_OIDC_TENANTS"] == '["example"]', doc["metadata"]["name"]


@pytest.mark.parametrize("tenants", ["oidc.tenants[0]=*", "oidc.tenants=null"])
def test_the_chart_refuses_to_trust_any_tenant_claim(
    check: tuple[subprocess.CompletedProcess[str], Path], tenants: str
) -> None:
    # The local stack trusts any `tenant` claim of its own provider; a cluster must not.
    result, _ = check
    assert result.returncode == 0, result.stdout + result.stderr
    cache = Path.home() / ".cache" / "resonance"
    helm = next((cache / "bin").glob("helm-*"))
    command = [str(helm), "template", "resonance", str(CHART), "--kube-version", "1.33.0"]
    refused = subprocess.run(
        [*command, "--set", tenants],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"HELM_CACHE_HOME": str(cache / "helm" / "cache"), "PATH": "/usr/bin:/bin"},
    )
    assert refused.returncode != 0
    assert "oidc.tenants must list the tenants" in refused.stderr
