"""The container recipe and compose file start the service only through the start scripts.

Images cannot be built on the machines these tests run on (no container engine), so the
Dockerfile and compose.yaml are read, not run: whatever way the service is deployed, the
processes are `bin/web`, `bin/worker` and `bin/migrate`, which the end-to-end test
(tests/test_production_start.py) starts for real.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def dockerfile() -> dict[str, list[str]]:
    """Each instruction's arguments, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (BASE_DIR / "Dockerfile").read_text())
    instructions: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.setdefault(keyword.upper(), []).append(rest.strip())
    return instructions


def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "compose.yaml").read_text())


def test_the_image_starts_bin_web_as_a_user_who_is_not_root():
    steps = dockerfile()
    assert steps["FROM"] == ["python:3.11-slim"]
    assert [json.loads(cmd) for cmd in steps["CMD"]] == [["bin/web"]]
    assert "ENTRYPOINT" not in steps  # nothing wraps the scripts
    assert steps["USER"] == ["shotspot"]


def test_the_image_installs_dependencies_before_the_code_and_collects_static_at_build():
    steps = dockerfile()
    copies = steps["COPY"]
    assert copies[0] == "pyproject.toml ./"  # the dependency layer sees only the list
    assert copies[1].endswith(". .")
    runs = steps["RUN"]
    pip = next(i for i, run in enumerate(runs) if "pip install" in run)
    collect = next(i for i, run in enumerate(runs) if "collectstatic" in run)
    assert pip < collect
    assert "COLLECTSTATIC=false" in " ".join(steps["ENV"])  # bin/web does not collect again


def test_the_image_probes_its_web_process_with_the_health_script():
    [healthcheck] = dockerfile()["HEALTHCHECK"]
    assert healthcheck.endswith('CMD ["python", "bin/healthcheck"]')
    assert (BASE_DIR / "bin" / "healthcheck").stat().st_mode & 0o111


def test_compose_runs_the_start_scripts_and_migrates_before_web_and_worker():
    services = compose()["services"]
    assert services["web"]["command"] == ["bin/web"]
    assert services["worker"]["command"] == ["bin/worker"]
    assert services["migrate"]["command"] == ["bin/migrate"]
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert services[name]["depends_on"]["db"] == {"condition": "service_healthy"}
    for name in ("web", "worker", "migrate"):
        assert services[name]["env_file"] == "deploy.env"
        assert services[name]["build"] == "."


def test_compose_has_postgresql_15_and_redis_7_with_volumes_and_health_checks():
    recipe = compose()
    services = recipe["services"]
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert services["db"]["volumes"] == ["postgres-data:/var/lib/postgresql/data"]
    assert services["redis"]["volumes"] == ["redis-data:/data"]
    assert set(recipe["volumes"]) == {"postgres-data", "redis-data"}
    for name in ("web", "worker", "db", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert services["worker"]["healthcheck"]["test"][-3:] == [
        "twizzit_health",
        "--check",
        "workers",
    ]


def test_every_start_script_exists_and_is_executable():
    for script in ("web", "worker", "migrate"):
        path = BASE_DIR / "bin" / script
        assert path.stat().st_mode & 0o111, f"bin/{script} is not executable"


def test_every_variable_of_the_env_template_is_in_the_readme():
    template = (BASE_DIR / "deploy.env.example").read_text()
    names = re.findall(r"^([A-Z_]+)=", template, flags=re.MULTILINE)
    readme = (BASE_DIR / "README.md").read_text()
    missing = [name for name in names if f"`{name}`" not in readme]
    assert names and not missing, missing
