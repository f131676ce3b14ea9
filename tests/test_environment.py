"""The project's own files stay consistent: environment.yml and the lock files match pyproject.toml,
the running environment was installed from the lock, and notebooks are clean."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO

LOCK = REPO / "requirements" / "lock.txt"
LOCK_TEST = REPO / "requirements" / "lock-test.txt"

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _requirement(text: str) -> tuple[str, str]:
    name, spec = REQUIREMENT.match(text).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def _environment_dependencies() -> tuple[dict[str, str], list[str]]:
    conda, pip, in_pip, section = {}, [], False, None
    for line in (REPO / "environment.yml").read_text(encoding="utf-8").splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if re.match(r"^[a-z_]+:", stripped):
            section = stripped.split(":")[0]
        if section != "dependencies" or not stripped.strip().startswith("- "):
            in_pip = in_pip and stripped.startswith("      ")
            continue
        item = stripped.strip()[2:].strip()
        if item == "pip:":
            in_pip = True
        elif line.startswith("      ") and in_pip:
            pip.append(item)
        elif item not in ("pip",):
            name, spec = _requirement(item)
            conda[name] = spec
    return conda, pip


def test_environment_yml_has_the_same_dependencies_as_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    expected = dict(_requirement(d) for d in project["dependencies"])
    expected["python"] = project["requires-python"].replace(" ", "")
    conda, pip = _environment_dependencies()
    assert conda == expected
    assert pip == ["-e ."], "environment.yml installs the package itself with pip"


def _notebooks():
    return sorted(REPO.glob("notebooks/**/*.ipynb"))


def test_there_are_yearly_notebooks():
    assert len(list(REPO.glob("notebooks/*.ipynb"))) >= 2


def test_notebooks_are_stored_clean_with_one_parameters_cell():
    for path in _notebooks():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert all(not c["outputs"] and c["execution_count"] is None for c in code), f"{path.name} has outputs"
        tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged parameters"
        source = "".join(tagged[0]["source"])
        adhoc = "adhoc" in path.parts
        for name in ("question", "data_dir", "year", "as_at") if adhoc else ("data_dir", "year", "as_at", "output_dir"):
            assert re.search(rf"^{name}\s*=", source, re.MULTILINE), f"{path.name} lacks parameter {name}"
        headings = [c for c in notebook["cells"] if c["cell_type"] == "markdown"
                    and re.search(r"^# ", "".join(c["source"]), re.MULTILINE)]
        assert len(headings) == 1, f"{path.name} needs exactly one top-level heading (the page's h1)"


def test_notebooks_do_not_read_files_themselves():
    for path in _notebooks():
        source = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
        assert not re.search(r"read_(csv|excel|parquet)|open\(", source), f"{path.name} reads files itself"


# --- The lock files -----------------------------------------------------------------------------

def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _runtime_requirements() -> list[Requirement]:
    """What `make run` needs: pyproject.toml's dependencies."""
    return [Requirement(d) for d in _project()["dependencies"]]


def _test_requirements() -> list[Requirement]:
    """What `make test` needs: the dependencies plus every optional extra (the test lock takes them all)."""
    extras = _project().get("optional-dependencies", {})
    return _runtime_requirements() + [Requirement(d) for group in extras.values() for d in group]


def lock_entries(text: str) -> tuple[dict[str, tuple[str, list[str]]], list[str]]:
    """Read a lock file: {canonical name: (exact version, hashes)} for each `name==version` line,
    and every other requirement or option line, which a lock should not have (a range, a local
    path, an index or find-links URL would make the install depend on the machine or the day)."""
    pins, others = {}, []
    logical = re.sub(r"\\\n", " ", text)  # a requirement's --hash options continue it over several lines
    for line in logical.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        requirement, *options = line.split()
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!_-]+)", requirement)
        if match is None or any(not o.startswith("--hash=") for o in options):
            others.append(line)
            continue
        pins[canonicalize_name(match[1])] = (match[2], [o.removeprefix("--hash=") for o in options])
    return pins, others


def unpinned(requirements: list[Requirement], pins: dict) -> list[str]:
    """The required packages (for this platform) that the lock does not pin."""
    return sorted({canonicalize_name(r.name) for r in requirements
                   if (r.marker is None or r.marker.evaluate()) and canonicalize_name(r.name) not in pins})


def outside_ranges(requirements: list[Requirement], pins: dict) -> list[str]:
    """Each requirement whose locked version falls outside pyproject.toml's range, as 'requirement: version'."""
    return [f"{r}: {pins[canonicalize_name(r.name)][0]}" for r in requirements
            if canonicalize_name(r.name) in pins
            and not r.specifier.contains(pins[canonicalize_name(r.name)][0], prereleases=True)]


def _lock(path: Path) -> dict[str, tuple[str, list[str]]]:
    pins, others = lock_entries(path.read_text(encoding="utf-8"))
    assert others == [], f"{path.relative_to(REPO)} has lines that are not `name==version --hash=...`: {others}"
    return pins


def test_lock_checks_catch_a_missing_a_ranged_a_local_and_an_out_of_range_pin():
    # A hand-made lock: pandas pinned below pyproject's range, numpy given a range instead of a pin,
    # a local find-links line, and scipy absent.
    text = ("# a comment\n"
            "pandas==2.1.4 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via scrutiny-workbook\n"
            "numpy>=1.26\n"
            "--find-links /opt/wheels\n"
            "Jinja2==3.1.6 --hash=sha256:cc\n")
    pins, others = lock_entries(text)
    assert pins == {"pandas": ("2.1.4", ["sha256:aa", "sha256:bb"]), "jinja2": ("3.1.6", ["sha256:cc"])}
    assert others == ["numpy>=1.26", "--find-links /opt/wheels"]
    required = [Requirement(r) for r in ("pandas>=2.2", "numpy>=1.26", "scipy>=1.11", "jinja2>=3.1",
                                         "pywin32>=306; sys_platform == 'win32'")]
    # numpy (only a range) and scipy (absent) are unpinned; pywin32 is not needed on Linux.
    assert unpinned(required, pins) == ["numpy", "scipy"]
    # 2.1.4 < 2.2, so pandas is outside its range; jinja2 3.1.6 >= 3.1 is inside.
    assert outside_ranges(required, pins) == ["pandas>=2.2: 2.1.4"]


def test_the_locks_pin_every_dependency_of_pyproject_exactly_with_hashes():
    for path, required in ((LOCK, _runtime_requirements()), (LOCK_TEST, _test_requirements())):
        pins = _lock(path)
        assert unpinned(required, pins) == [], f"run `make lock`: {path.relative_to(REPO)} lacks these"
        assert [name for name, (_, hashes) in pins.items() if not hashes] == [], "every pin has its hashes"
    assert {"pytest", "hypothesis", "playwright", "axe-playwright-python"} <= set(_lock(LOCK_TEST))
    assert "pytest" not in _lock(LOCK), "the runtime lock leaves the test tools out"


def test_the_locked_versions_are_within_pyproject_ranges():
    assert outside_ranges(_runtime_requirements(), _lock(LOCK)) == []
    assert outside_ranges(_test_requirements(), _lock(LOCK_TEST)) == []


def test_run_and_test_use_the_same_version_of_every_package_they_share():
    runtime, test = _lock(LOCK), _lock(LOCK_TEST)
    assert {name: test.get(name, (None,))[0] for name in runtime} == {n: v for n, (v, _) in runtime.items()}


def test_the_locks_name_no_local_path_or_index():
    for path in (LOCK, LOCK_TEST):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"file:|/opt/|/work/|/tmp/|/home/|/root/|index-url|find-links", text), path.name


@pytest.mark.skipif(Path(sys.prefix).resolve() != (REPO / ".venv").resolve(),
                    reason="compares the Makefile's .venv with the lock; this is another environment")
def test_the_running_venv_has_exactly_the_locked_versions():
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()}
    differ = {name: (version, installed.get(name)) for name, (version, _) in _lock(LOCK_TEST).items()
              if installed.get(name) != version}
    assert differ == {}, f"(locked, installed) differ: run `make test` to reinstall from the lock: {differ}"


def _dry_run(tmp_path: Path, *args: str) -> list[str]:
    """The commands `make` would run in a stand-in checkout (nothing is executed: -n)."""
    result = subprocess.run(["make", "-n", "-f", str(REPO / "Makefile"), "-C", str(tmp_path), *args],
                            capture_output=True, text=True, env={**os.environ, "MAKEFLAGS": ""})
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def _stand_in_checkout(tmp_path: Path) -> None:
    """pyproject.toml, the locks, the venv's python and both install stamps, each newer than what
    it is made from, so make finds everything up to date."""
    files = ["pyproject.toml", "requirements/lock.txt", "requirements/lock-test.txt",
             ".venv/bin/python", ".venv/.installed", ".venv/.installed-test"]
    for age, name in enumerate(reversed(files)):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
        os.utime(tmp_path / name, (1_700_000_000 - age * 60,) * 2)


def _pip_installs(commands: list[str]) -> list[str]:
    return [re.sub(r".*pip install (--quiet )?", "", c) for c in commands if "pip install" in c]


def test_make_run_and_make_test_install_only_from_the_lock(tmp_path):
    _stand_in_checkout(tmp_path)
    run = _dry_run(tmp_path, "-B", "run")
    test = _dry_run(tmp_path, "-B", "test")
    # Besides pip itself, the only installs are the lock (every version exact) and the package
    # with --no-deps (so nothing is resolved from pyproject.toml's ranges).
    assert _pip_installs(run) == ["--upgrade pip", "-r requirements/lock.txt", "--no-deps -e ."]
    assert _pip_installs(test) == ["--upgrade pip", "-r requirements/lock.txt", "--no-deps -e .",
                                   "-r requirements/lock-test.txt"]
    assert any("workbook run --data data/sample" in c for c in run)
    assert any(c.endswith("-m pytest") for c in test)


def test_make_reinstalls_when_the_lock_or_pyproject_changes(tmp_path):
    _stand_in_checkout(tmp_path)
    assert _pip_installs(_dry_run(tmp_path, ".venv/.installed-test")) == [], "up to date: nothing to install"
    # -W FILE: as if FILE had just changed.
    assert _pip_installs(_dry_run(tmp_path, "-W", "requirements/lock.txt", ".venv/.installed")) == [
        "-r requirements/lock.txt", "--no-deps -e ."]
    assert _pip_installs(_dry_run(tmp_path, "-W", "pyproject.toml", ".venv/.installed")) == [
        "-r requirements/lock.txt", "--no-deps -e ."]
    assert _pip_installs(_dry_run(tmp_path, "-W", "requirements/lock-test.txt", ".venv/.installed-test")) == [
        "-r requirements/lock-test.txt"]
