"""The project's own files stay consistent: environment.yml matches pyproject.toml; notebooks are clean."""

from __future__ import annotations

import json
import re
import tomllib

from conftest import REPO

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
