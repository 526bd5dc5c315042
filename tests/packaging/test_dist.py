"""`make dist` as a test: build the sdist and the wheel, check them with twine, look inside.

The sdist must carry what a packager needs to rebuild and test (LICENSE, README, changelog,
tests, example DAGs, docs); the wheel only the package, its licence and correct metadata; and
the wheel's dependencies must be satisfied by the locked environment (an install from it adds
nothing but the provider).
"""

from __future__ import annotations

import email
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import airflow_provider_publer

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
VERSION = airflow_provider_publer.__version__
DIST_NAME = "airflow_provider_publer"


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "-q", "--installer", "uv", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out


@pytest.fixture(scope="module")
def sdist(dist) -> list[str]:
    (path,) = dist.glob("*.tar.gz")
    assert path.name == f"{DIST_NAME}-{VERSION}.tar.gz"
    with tarfile.open(path) as tar:
        return [name.split("/", 1)[1] for name in tar.getnames() if "/" in name]


@pytest.fixture(scope="module")
def wheel(dist) -> zipfile.ZipFile:
    (path,) = dist.glob("*.whl")
    assert path.name == f"{DIST_NAME}-{VERSION}-py3-none-any.whl"
    return zipfile.ZipFile(path)


def test_twine_accepts_both(dist):
    done = subprocess.run(
        [str(BIN / "twine"), "check", "--strict", *map(str, sorted(dist.iterdir()))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_sdist_carries_licence_readme_changelog_tests_and_examples(sdist):
    for required in (
        "LICENSE",
        "README.md",
        "pyproject.toml",
        "MANIFEST.in",
        "docs/changelog.md",
        "mkdocs.yml",
        "requirements/docs.in",
        "scripts/griffe_sphinx_roles.py",
        "scripts/mkdocs_hl_sections.py",
        "tests/conftest.py",
        "tests/unit/test_hook.py",
        "tests/docs/test_code_blocks.py",
        "tests/packaging/test_dist.py",
        "example_dags/example_publer_quickstart.py",
        "docs/snippets/connection.sh",
        "airflow_provider_publer/py.typed",
    ):
        assert required in sdist, f"the sdist lacks {required}"
    assert not [n for n in sdist if "__pycache__" in n or n.startswith((".venv", "build/", "dist/"))]


def test_the_wheel_holds_the_package_and_its_licence_only(wheel):
    names = wheel.namelist()
    info = f"{DIST_NAME}-{VERSION}.dist-info"
    assert f"{info}/licenses/LICENSE" in names
    assert "Apache License" in wheel.read(f"{info}/licenses/LICENSE").decode()
    assert f"{DIST_NAME}/py.typed" in names
    assert {n.split("/")[0] for n in names} == {DIST_NAME, info}


def test_the_wheel_metadata(wheel):
    meta = email.message_from_bytes(wheel.read(f"{DIST_NAME}-{VERSION}.dist-info/METADATA"))
    assert meta["Name"] == PROJECT["name"]
    assert meta["Version"] == VERSION
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["Requires-Python"] == PROJECT["requires-python"]
    assert sorted(meta.get_all("Classifier")) == sorted(PROJECT["classifiers"])
    assert meta["Description-Content-Type"] == "text/markdown"
    requires = [Requirement(r) for r in meta.get_all("Requires-Dist")]
    assert {str(r) for r in requires if not r.marker} == {
        str(Requirement(d)) for d in PROJECT["dependencies"]
    }
    assert {r.name for r in requires if r.marker} == {
        Requirement(d).name for d in PROJECT["optional-dependencies"]["sandbox"]
    }
    assert f"Source, {PROJECT['urls']['Source']}" in meta.get_all("Project-URL")
    entry_points = wheel.read(f"{DIST_NAME}-{VERSION}.dist-info/entry_points.txt").decode()
    assert "provider_info = airflow_provider_publer:get_provider_info" in entry_points
    assert "publer-sandbox = airflow_provider_publer.sandbox.__main__:main" in entry_points


def test_the_locked_environment_satisfies_the_wheel(dist):
    """Installing the wheel here would add the provider and nothing else: every declared bound
    admits the locked versions."""
    (path,) = dist.glob("*.whl")
    done = subprocess.run(
        [str(BIN / "uv"), "pip", "install", "--dry-run", "--offline", "--python", sys.executable, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    changes = [line.strip() for line in done.stderr.splitlines() if line.strip()[:2] in {"+ ", "- "}]
    assert [c.split()[1] for c in changes if c.startswith("+")] == [PROJECT["name"]], done.stderr
