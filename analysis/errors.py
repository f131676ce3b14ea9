"""Errors a user can cause and act on. The command line prints them plainly, without a traceback."""

from __future__ import annotations


class WorkbookError(Exception):
    """A problem the user can fix; ``str()`` is the whole message for them."""

    def __init__(self, message: str, *, warnings: list[str] | tuple[str, ...] = ()):
        super().__init__(message)
        self.warnings = tuple(warnings)


class ConfigError(WorkbookError):
    """council.toml is missing, unreadable or has a wrong or missing key."""


class DataError(WorkbookError):
    """One or more datasets broke the data contract; ``problems`` lists each."""

    def __init__(self, problems, *, warnings=()):
        self.problems = list(problems)
        super().__init__("\n\n".join(str(p) for p in self.problems), warnings=warnings)
