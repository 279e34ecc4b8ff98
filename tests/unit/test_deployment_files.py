"""The files that run LE Desk on several machines parse, and say what they must: compose has both
databases, the Prefect server, the setup step, workers of pool `ledesk` and the API, each LE Desk service
on LE Desk's PostgreSQL; the image carries every package; the Kubernetes job template is a Prefect base job
template whose every placeholder is a declared variable."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENTS = ROOT / "deployments"


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((DEPLOYMENTS / "compose.yaml").read_text())


def test_compose_has_every_part_and_keeps_the_two_databases_apart() -> None:
    services = compose()["services"]
    assert set(services) == {"ledesk-db", "prefect-db", "prefect-server", "setup", "worker", "api"}
    ledesk_services = [name for name, s in services.items() if s.get("image") == "ledesk:latest"]
    assert sorted(ledesk_services) == ["api", "setup", "worker"]
    for name in ledesk_services:
        env = services[name]["environment"]
        url = env["LEDESK_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://") and "@ledesk-db:" in url
        assert env["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    prefect_db = services["prefect-server"]["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"]
    assert "@prefect-db:" in prefect_db and "ledesk-db" not in prefect_db
    assert "--pool ledesk" in services["worker"]["command"]
    assert services["worker"]["deploy"]["replicas"] == "${LEDESK_WORKERS:-2}"
    assert services["worker"]["depends_on"]["setup"]["condition"] == "service_completed_successfully"
    assert "deployments/deploy.sh" in " ".join(services["setup"]["command"])


def test_the_image_carries_the_package_whole() -> None:
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    assert include == ["ledesk", "ledesk.*"]
    copied = set(re.findall(r"^COPY (\w+) \1$", (DEPLOYMENTS / "Dockerfile").read_text(), re.M))
    assert "ledesk" in copied
    assert not any(p.is_symlink() for p in (ROOT / "ledesk").rglob("*"))  # nothing it holds lives elsewhere


def test_the_kubernetes_job_template_declares_every_placeholder() -> None:
    template = json.loads((DEPLOYMENTS / "k8s" / "base-job-template.json").read_text())
    manifest = template["job_configuration"]["job_manifest"]
    assert manifest["kind"] == "Job" and manifest["spec"]["backoffLimit"] == 0
    container = manifest["spec"]["template"]["spec"]["containers"][0]
    assert {"secretRef": {"name": "{{ ledesk_secret }}"}} in container["envFrom"]
    used = set(re.findall(r"{{ (\w+) }}", json.dumps(template["job_configuration"])))
    assert used <= set(template["variables"]["properties"]), used - set(template["variables"]["properties"])
