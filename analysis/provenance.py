"""Where a run's pages came from: the commit of the code that made them.

Kept apart from :mod:`analysis.workbook` so that :mod:`analysis.publish` (which
stamps every page with the commit) does not have to import the whole yearly run,
and the run can import publish at the top without an import circle.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent


def git_commit() -> str:
    """The short commit hash of the code, or "unknown" when it is not a git checkout (or git is missing)."""
    try:
        out = subprocess.run(["git", "-C", str(REPO_DIR), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_version() -> str:
    """The workbook's version (``analysis.__version__``)."""
    import analysis

    return analysis.__version__
