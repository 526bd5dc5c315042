"""What pyproject.toml, the Makefile, the locks and the README promise each other.

Fast checks without a build (tests/packaging/test_dist.py builds): the classifiers list exactly
the Pythons `make test` runs, each has its lock files, the version lives in one place, and the
README (rendered by PyPI, which resolves no relative link) links and shows images by absolute URL
under the project's one repository URL.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import airflow_provider_publer

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
REPO = PROJECT["urls"]["Source"]


def makefile_var(name: str) -> list[str]:
    match = re.search(rf"^{name}\s*:?=\s*(.*)$", (ROOT / "Makefile").read_text(), flags=re.M)
    assert match, f"the Makefile sets no {name}"
    return match[1].split()


def test_the_classifiers_list_exactly_the_tested_pythons():
    classified = sorted(
        c.rsplit(" :: ", 1)[1]
        for c in PROJECT["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    )
    assert classified == makefile_var("PYTHONS")
    assert PROJECT["requires-python"] == f">={makefile_var('PYTHONS')[0]}"


def test_every_tested_python_has_its_locks():
    for version in makefile_var("PYTHONS"):
        for lock in (
            f"requirements/dev-airflow-{makefile_var('NEWEST_AIRFLOW')[0]}-py{version}.lock",
            f"requirements/floor-airflow-{makefile_var('FLOOR_AIRFLOW')[0]}-py{version}.lock",
        ):
            text = (ROOT / lock).read_text()
            assert f"--python-version {version}" in text.splitlines()[1], (
                f"{lock} is locked for another Python"
            )


def test_the_airflow_bounds_are_the_tested_versions():
    floor = re.search(r"^apache-airflow==(\S+)$", (ROOT / "requirements/floor.in").read_text(), flags=re.M)
    newest = re.search(r"^apache-airflow==(\S+)$", (ROOT / "requirements/dev.in").read_text(), flags=re.M)
    assert floor
    assert newest
    assert f"apache-airflow>={floor[1]},<{int(newest[1].split('.')[0]) + 1}" in PROJECT["dependencies"]


def test_the_version_is_declared_once():
    assert "version" not in PROJECT
    assert "version" in PROJECT["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "airflow_provider_publer.__version__"
    }
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?", airflow_provider_publer.__version__)
    assert airflow_provider_publer.get_provider_info()["versions"] == [airflow_provider_publer.__version__]


def test_the_changelog_names_the_version():
    assert f"## {airflow_provider_publer.__version__}" in (ROOT / "docs/changelog.md").read_text()


def test_the_project_urls_name_one_repository():
    assert all(url.startswith(REPO) for url in PROJECT["urls"].values())


def _readme_targets() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"!?\[[^\]]*\]\(([^)\s]+)", text) + re.findall(r'<img[^>]+src="([^"]+)"', text)


def test_readme_links_and_images_are_absolute_and_point_at_real_files():
    targets = _readme_targets()
    assert any(t.endswith(".png") for t in targets), "the README shows no image"
    problems = []
    for target in targets:
        if target.startswith("#"):
            continue
        if not target.startswith(("https://", "http://")):
            problems.append(f"{target}: relative (PyPI would not resolve it); use {REPO}/...")
            continue
        for prefix in (f"{REPO}/raw/main/", f"{REPO}/blob/main/", f"{REPO}/tree/main/"):
            if target.startswith(prefix):
                path = ROOT / target.removeprefix(prefix).split("#")[0]
                if not path.exists():
                    problems.append(f"{target}: {path.relative_to(ROOT)} does not exist")
        if target.endswith(".png") and not target.startswith(f"{REPO}/raw/main/"):
            problems.append(f"{target}: images come from {REPO}/raw/main/")
    assert not problems, "\n".join(problems)
