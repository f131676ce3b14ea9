"""The shape of the code: the loader's modules stay small enough to read in one sitting, and the modules
that publish pages do not import the yearly run (so there is no import circle between them)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import analysis.datasets

PACKAGE = Path(__file__).resolve().parents[1] / "analysis"
LOADER = PACKAGE / "loader"
# A module of the loader is one stage, read in one sitting: 400 lines is about twenty minutes of careful reading.
# The largest today (read.py, parse.py) have about 265; a module growing past 400 is a stage that has taken on a
# second concern and should be cut in two.
LOADER_MODULE_LINES = 400


def imported_modules(source: str) -> set[str]:
    """Every module a Python source imports, at the top or inside a function (a lazy import is still an import):
    ``import a.b`` gives a.b, ``from a import b`` gives a and a.b (b may be a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def loader_modules() -> list[Path]:
    return sorted(LOADER.glob("*.py"))


def test_the_import_finder_sees_lazy_imports():
    """The check below can fail: an import inside a function, in either form, is found."""
    source = "import os\n\ndef f():\n    from analysis.workbook import git_commit\n\ndef g():\n    import analysis.spc\n"
    found = imported_modules(source)
    assert {"os", "analysis.workbook", "analysis.workbook.git_commit", "analysis.spc"} <= found
    assert "analysis.workbook" in imported_modules("from analysis import workbook\n")


def test_publish_does_not_import_the_workbook():
    """publish stamps each page with the commit (analysis.provenance) and never imports analysis.workbook, which
    imports publish: no import circle. Checked in the source (lazy imports too) and by importing it."""
    found = imported_modules((PACKAGE / "publish.py").read_text(encoding="utf-8"))
    assert "analysis.workbook" not in found
    assert "analysis.provenance" in found
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, analysis.publish; print('analysis.workbook' in sys.modules)"],
        capture_output=True, text=True, check=True, cwd=PACKAGE.parent)
    assert loaded.stdout.strip() == "False"


def test_git_commit_is_still_where_callers_find_it():
    from analysis import provenance, workbook

    assert workbook.git_commit is provenance.git_commit


@pytest.mark.parametrize("path", loader_modules(), ids=lambda p: p.name)
def test_each_loader_module_is_small_and_says_what_stage_it_is(path):
    text = path.read_text(encoding="utf-8")
    lines = len(text.splitlines())
    assert lines <= LOADER_MODULE_LINES, f"{path.name} has {lines} lines; cut it by stage (limit {LOADER_MODULE_LINES})"
    docstring = ast.get_docstring(ast.parse(text))
    assert docstring and len(docstring) > 80, f"{path.name} needs a docstring saying what stage it is"


def test_the_loader_modules_import_no_circle():
    """The stages import one another one way only (schema first, load last): a circle would make the order
    of imports matter and the modules unreadable apart."""
    names = {p.stem for p in loader_modules()} - {"__init__"}
    graph = {name: {m.rsplit(".", 1)[-1] for m in imported_modules((LOADER / f"{name}.py").read_text(encoding="utf-8"))
                    if m.startswith("analysis.loader.") and m.rsplit(".", 1)[-1] in names}
             for name in names}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, "import circle: " + " -> ".join((*path, name))
        if name in done:
            return
        for other in sorted(graph[name]):
            visit(other, (*path, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())
    assert graph["schema"] == set() and "load" not in set().union(*graph.values())


def test_every_name_imported_from_analysis_datasets_is_still_there():
    """analysis.datasets re-exports the loader's names: every ``from analysis.datasets import X`` in the package,
    the tests and the notebooks' helpers still finds X (and a prepared workbook pickled before the split its
    classes)."""
    root = PACKAGE.parent
    wanted: set[str] = set()
    for path in [*PACKAGE.rglob("*.py"), *(root / "tests").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "analysis.datasets":
                wanted.update(alias.name for alias in node.names)
    assert {"load_all", "check_all", "Datasets", "SCHEMAS", "_as_text"} <= wanted  # the scan found the imports
    missing = sorted(n for n in wanted | {"LoadedDataset", "SourceFile", "Problem", "Col"}
                     if not hasattr(analysis.datasets, n))
    assert missing == []
