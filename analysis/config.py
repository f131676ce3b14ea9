"""Read and check a data folder's ``council.toml``.

A wrong type or a missing required key is an error naming the key (and its
line); an unknown key is a warning, so a typo never passes silently.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.errors import ConfigError

CANONICAL_CHANNELS = (
    "email", "letter", "online_form", "report_it", "in_person", "phone", "webchat", "social_media",
)
DATASET_NAMES = (
    "action_plan", "contacts", "calls", "complaints", "feedback", "survey", "panel",
    "panel_invitations", "population", "measures", "manual_measures", "ombudsman",
    "commentary",  # officers' words on a measure's year, shown beside it (after measures: ids are checked against them)
)
BANK_HOLIDAY_REGIONS = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}
STATUSES = ("achieved", "not_achieved", "ongoing", "withdrawn")
DEFAULT_STATUS_LABELS = {
    "achieved": ["Achieved", "Complete", "Completed"],
    "not_achieved": ["Not achieved", "Not complete"],
    "ongoing": ["Ongoing", "In progress"],
    "withdrawn": ["Withdrawn"],
}
DEFAULT_DIGITAL = ["email", "online_form", "report_it", "webchat", "social_media"]
# Formats of exports the workbook knows by their own column names (``format = "..."`` under [datasets.NAME]).
DATA_FORMATS = ("fixmystreet",)
# Sections of [datasets] that are not datasets themselves but extra sources of one:
# [datasets.report_it] is a FixMyStreet export whose rows are added to contacts.
EXTRA_SOURCES = {"report_it": ("contacts", "fixmystreet")}
# Datasets whose id may be made from the file and row (id = "row"): each record stands alone.
ID_FROM_ROW = {"contacts": "contact_id", "calls": "call_id", "feedback": "feedback_id"}
DATASET_KEYS = ("path", "columns", "values", "sheet", "sheets", "header_row", "section_rows", "format", "id", "skip")
# A financial year as councils write it: 2023/24, 2023-24, 2023/2024, 2023-2024 (always shown as 2023/24).
YEAR_LABEL = re.compile(r"^(\d{4})[/\-\u2013](\d{2}|\d{4})$")
DEFAULT_LOCATIONS_NAME = "in-person places"


@dataclass(frozen=True)
class Standard:
    """A 'within N' standard that may change from one financial year onwards.

    ``by_year`` maps the first financial year (start year, e.g. 2023 for
    2023/24) to the N that applies from then on.
    """

    by_year: tuple[tuple[int, int], ...]

    def for_year(self, start_year: int) -> int | None:
        applicable = [n for first, n in self.by_year if first <= start_year]
        if applicable:
            return applicable[-1]
        # Before the first recorded change, the earliest standard applies.
        return self.by_year[0][1] if self.by_year else None

    @property
    def changes(self) -> bool:
        return len({n for _, n in self.by_year}) > 1


@dataclass(frozen=True)
class SurveyQuestion:
    question_id: str
    text: str
    scale: tuple[str, ...]
    positive: tuple[str, ...]
    replaces: str | None = None  # an earlier question this one rewords: never compared with it


@dataclass(frozen=True)
class DatasetSource:
    """Where a dataset lives and how its columns are named in the council's export.

    ``header_row`` is the row of the column names as the user sees it (1 is the
    first row), for CSV and Excel files with title rows above the header; when it
    is not given the loader finds the header itself. ``format`` names a known
    export layout: ``"fixmystreet"`` reads a FixMyStreet dashboard export as
    contacts on the report_it channel.
    """

    path: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    sheet: str | int | None = None
    header_row: int | None = None
    format: str | None = None
    # column -> {the export's value: the contract's value}, for columns with a set of values
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    sheets: str | tuple[str, ...] | None = None  # "all", or the names of the sheets to read as one
    section_rows: str | None = None  # "theme": a row with one filled cell is a heading giving the theme below
    id: str | None = None            # "row": the export has no id column; one is made from file and row
    # column (the export's name or the contract's) -> values whose rows are not records of this dataset
    # (a cancelled case, an Ombudsman enquiry in the complaints export): left out, and said
    skip: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    folder: Path
    name: str
    year_start_month: int
    sample: bool
    bank_holidays: str
    closure_days: tuple[dt.date, ...]
    respond_within: dict[str, Standard]
    acknowledge_within: dict[str, Standard]
    phone_answer_within_seconds: int | None
    complaint_acknowledge_within: int | None
    complaint_stage1_within: int | None
    complaint_stage2_within: int | None
    digital_channels: tuple[str, ...]
    in_person_locations: tuple[str, ...]
    locations_name: str  # the council's word for its in-person places, e.g. "Advice and Information Centres"
    themes: tuple[str, ...]
    status_labels: dict[str, str]  # lower-cased spreadsheet label -> canonical status
    survey_questions: dict[str, SurveyQuestion]
    minimum_count: int
    datasets: dict[str, DatasetSource]
    warnings: tuple[str, ...] = ()
    baseline_year: str | None = None  # [strategy] baseline_year: the year the strategy began (default: the first in the data)
    spc_screen_outliers: bool = True  # [spc] screen_outliers: moving ranges above 3.267 x their mean left out of the limits
    spc_rebase: dict[str, tuple[str, ...]] = field(default_factory=dict)  # [spc.rebase] measure -> months "YYYY-MM"
    # [complaints] self_assessment_url: where the council publishes its self-assessment against the Complaint
    # Handling Code, for the annual complaints report's line on it (None: the report says it is not given)
    complaints_self_assessment_url: str | None = None
    # [committee]: the meeting the year's pack goes to, for the covering report (all optional)
    committee: "Committee" = field(default_factory=lambda: Committee())


@dataclass(frozen=True)
class Committee:
    """The covering report's header and recommendation; what is not given is left out of it."""

    name: str | None = None            # the committee the report goes to
    meeting_date: dt.date | None = None
    report_of: str | None = None       # the officer's post
    lead_member: str | None = None
    recommendation: str | None = None
    reasons: str | None = None         # reasons for the recommendation
    contact_officer: str | None = None  # who to ask about the report (a post and a telephone or e-mail)
    wards_affected: str | None = None  # e.g. "All"
    key_decision: bool | None = None   # printed "Yes" or "No"
    background_papers: str | None = None
    implications: dict[str, str] = field(default_factory=dict)  # heading -> text, e.g. "Legal" -> "None."


# --- a small declarative spec: each leaf is (checker, required, default) -----------------


class _Problems:
    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def where(self, key: str) -> str:
        """'line N' of the key's first appearance, best effort, for the user's editor."""
        parts = key.split(".")
        leaf = parts[-1].strip('"')
        table_prefix = ".".join(parts[:-1])
        in_table = not table_prefix
        for number, line in enumerate(self.lines, start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                name = stripped.split("#", 1)[0].strip().strip("[]").strip()
                in_table = not table_prefix or name == table_prefix or table_prefix.startswith(name + ".")
                if name == key:
                    return f" (line {number})"
                continue
            if in_table and re.match(rf'^"?{re.escape(leaf)}"?\s*=', stripped):
                return f" (line {number})"
        if table_prefix:
            return self.where(table_prefix)
        return ""

    def error(self, key: str, message: str) -> None:
        self.errors.append(f"{self.path.name}: [{key}]{self.where(key)} {message}")

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(f"{self.path.name}: [{key}]{self.where(key)} {message}")


def _type_name(value: Any) -> str:
    return {
        bool: "true/false", int: "a whole number", float: "a number", str: "text",
        list: "a list", dict: "a table",
    }.get(type(value), type(value).__name__)


def _get_table(raw: dict, key: str, problems: _Problems, known: set[str] | None) -> dict:
    value = raw.get(key.split(".")[-1], {})
    if not isinstance(value, dict):
        problems.error(key, f"must be a table (got {_type_name(value)})")
        return {}
    if known is not None:
        for unknown in sorted(set(value) - known):
            problems.warn(f"{key}.{unknown}", "is not a key the workbook knows; it is ignored")
    return value


def _text(table: dict, key: str, problems: _Problems, *, required: bool = False, default: str | None = None):
    leaf = key.split(".")[-1]
    if leaf not in table:
        if required:
            problems.error(key, "is missing: it is required")
        return default
    value = table[leaf]
    if not isinstance(value, str) or not value.strip():
        problems.error(key, f"must be non-empty text in quotes (got {value!r})")
        return default
    return value


def _whole(table: dict, key: str, problems: _Problems, *, default: int | None = None,
           minimum: int = 0, maximum: int | None = None):
    leaf = key.split(".")[-1]
    if leaf not in table:
        return default
    value = table[leaf]
    if isinstance(value, bool) or not isinstance(value, int):
        problems.error(key, f"must be a whole number (got {value!r})")
        return default
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        problems.error(key, f"must be at least {minimum}{upper} (got {value})")
        return default
    return value


def _flag(table: dict, key: str, problems: _Problems, *, default: bool) -> bool:
    leaf = key.split(".")[-1]
    if leaf not in table:
        return default
    value = table[leaf]
    if not isinstance(value, bool):
        problems.error(key, f"must be true or false without quotes (got {value!r})")
        return default
    return value


def _text_list(table: dict, key: str, problems: _Problems, *, default: list[str] | None = None):
    leaf = key.split(".")[-1]
    if leaf not in table:
        return list(default or [])
    value = table[leaf]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.error(key, f'must be a list of text, e.g. ["a", "b"] (got {value!r})')
        return list(default or [])
    return value


def parse_year_label(label: str) -> int | None:
    """'2023/24', '2023-24', '2023/2024' or '2023-2024' -> 2023; None when the label is not a financial year."""
    match = YEAR_LABEL.fullmatch(label) if isinstance(label, str) else None
    if not match:
        return None
    start, end = int(match.group(1)), match.group(2)
    if (len(end) == 2 and (start + 1) % 100 != int(end)) or (len(end) == 4 and int(end) != start + 1):
        return None
    return start


def year_label_text(label: str) -> str | None:
    """A financial year as the pages write it: '2023-2024' -> '2023/24'; None when it is not one."""
    start = parse_year_label(label)
    return None if start is None else f"{start}/{(start + 1) % 100:02d}"


def _standards(table: dict, key: str, problems: _Problems) -> dict[str, Standard]:
    standards: dict[str, Standard] = {}
    for channel, value in table.items():
        item_key = f"{key}.{channel}"
        if channel not in CANONICAL_CHANNELS:
            problems.warn(item_key, f"is not a channel of the contract ({', '.join(CANONICAL_CHANNELS)}); it is ignored")
            continue
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            standards[channel] = Standard(((0, value),))
        elif isinstance(value, dict) and value:
            by_year = []
            for year, n in value.items():
                start = parse_year_label(year)
                if start is None:
                    problems.error(item_key, f'has a year "{year}": years are written like "2023/24" or "2023-24"')
                elif isinstance(n, bool) or not isinstance(n, int) or n < 0:
                    problems.error(item_key, f'"{year}" must be a whole number of working days (got {n!r})')
                else:
                    by_year.append((start, n))
            if by_year:
                standards[channel] = Standard(tuple(sorted(by_year)))
        else:
            problems.error(
                item_key,
                f'must be a whole number of working days, or a table of them by the year they '
                f'apply from, e.g. {{ "2021/22" = 10, "2023/24" = 5 }} (got {value!r})',
            )
    return standards


def _closure_days(table: dict, key: str, problems: _Problems) -> tuple[dt.date, ...]:
    value = table.get("closure_days", [])
    if not isinstance(value, list):
        problems.error(key, f'must be a list of dates, e.g. ["2024-12-27"] (got {value!r})')
        return ()
    days = []
    for item in value:
        if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
            days.append(item)
            continue
        try:
            days.append(dt.date.fromisoformat(str(item)))
        except ValueError:
            problems.error(key, f'has "{item}", which is not a date written YYYY-MM-DD')
    return tuple(sorted(days))


def _status_labels(table: dict, key: str, problems: _Problems) -> dict[str, str]:
    raw = {status: table.get(status, DEFAULT_STATUS_LABELS[status]) for status in STATUSES}
    for unknown in sorted(set(table) - set(STATUSES)):
        problems.warn(f"{key}.{unknown}", f"is not a status; use one of {', '.join(STATUSES)}")
    mapping: dict[str, str] = {}
    for status, labels in raw.items():
        if not isinstance(labels, list) or not all(isinstance(v, str) for v in labels):
            problems.error(f"{key}.{status}", f'must be a list of labels, e.g. ["Achieved"] (got {labels!r})')
            continue
        for label in labels:
            normalised = label.strip().lower()
            if normalised in mapping and mapping[normalised] != status:
                problems.error(f"{key}.{status}", f'label "{label}" is also listed under {mapping[normalised]}')
            mapping[normalised] = status
    return mapping


def _survey_questions(table: dict, key: str, problems: _Problems) -> dict[str, SurveyQuestion]:
    questions: dict[str, SurveyQuestion] = {}
    for question_id, spec in table.items():
        item_key = f"{key}.{question_id}"
        if not isinstance(spec, dict):
            problems.error(item_key, "must be a table with text, scale and positive")
            continue
        for unknown in sorted(set(spec) - {"text", "scale", "positive", "replaces"}):
            problems.warn(f"{item_key}.{unknown}", "is not a key the workbook knows; it is ignored")
        text = _text(spec, f"{item_key}.text", problems, required=True)
        scale = _text_list(spec, f"{item_key}.scale", problems)
        positive = _text_list(spec, f"{item_key}.positive", problems)
        if "scale" not in spec:
            problems.error(f"{item_key}.scale", "is missing: list every answer the question allows")
        for answer in positive:
            if answer not in scale:
                problems.error(f"{item_key}.positive", f'"{answer}" is not one of the answers in scale')
        replaces = _text(spec, f"{item_key}.replaces", problems)
        if replaces is not None and replaces not in table:
            problems.error(f"{item_key}.replaces", f'names "{replaces}", which is not a question in [survey.questions]')
        if text is not None:
            questions[question_id] = SurveyQuestion(question_id, text, tuple(scale), tuple(positive), replaces)
    return questions


def _datasets(table: dict, key: str, problems: _Problems) -> dict[str, DatasetSource]:
    sources: dict[str, DatasetSource] = {}
    for name, spec in table.items():
        item_key = f"{key}.{name}"
        if name not in DATASET_NAMES and name not in EXTRA_SOURCES:
            problems.warn(item_key, (f"is not a dataset of the contract ({', '.join(DATASET_NAMES)}) nor "
                                     f"{', '.join(EXTRA_SOURCES)}; it is ignored"))
            continue
        if not isinstance(spec, dict):
            problems.error(item_key, "must be a table, e.g. path = \"export.csv\"")
            continue
        for unknown in sorted(set(spec) - set(DATASET_KEYS)):
            problems.warn(f"{item_key}.{unknown}", "is not a key the workbook knows; it is ignored")
        path = spec.get("path", [])
        if isinstance(path, str):
            path = [path]
        if not isinstance(path, list) or not all(isinstance(p, str) and p for p in path):
            problems.error(f"{item_key}.path", f"must be a file name, a glob or a list of them (got {path!r})")
            path = []
        columns = spec.get("columns", {})
        if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
            problems.error(f"{item_key}.columns", 'must map export names to canonical ones, e.g. { "Case Ref" = "contact_id" }')
            columns = {}
        sheet = spec.get("sheet")
        if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, (str, int))):
            problems.error(f"{item_key}.sheet", f"must be a sheet name in quotes or a sheet number from 0 (got {sheet!r})")
            sheet = None
        header_row = spec.get("header_row")
        if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int)
                                       or header_row < 1):
            problems.error(f"{item_key}.header_row", (
                f"must be the number of the row holding the column names, as the spreadsheet shows it "
                f"(1 for the first row), without quotes (got {header_row!r})"))
            header_row = None
        default_format = EXTRA_SOURCES[name][1] if name in EXTRA_SOURCES else None
        data_format = spec.get("format", default_format)
        if data_format is not None:
            allowed = set(EXTRA_SOURCES) | {target for target, _ in EXTRA_SOURCES.values()}
            if not isinstance(data_format, str) or data_format.strip().lower() not in DATA_FORMATS:
                problems.error(f"{item_key}.format", (
                    f'must be one of {", ".join(repr(f) for f in DATA_FORMATS)} (got {data_format!r}); '
                    "leave it out for an export with one row per record and its own column names"))
                data_format = default_format
            elif name not in allowed:
                problems.error(f"{item_key}.format", (
                    f'"{data_format}" is a layout of contacts: use it under [datasets.contacts] or '
                    "[datasets.report_it], not here"))
                data_format = None
            else:
                data_format = data_format.strip().lower()
        values = _value_maps(spec.get("values", {}), f"{item_key}.values", problems)
        sheets = spec.get("sheets")
        if isinstance(sheets, str) and sheets.strip().lower() == "all":
            sheets = "all"
        elif isinstance(sheets, list) and sheets and all(isinstance(v, str) and v for v in sheets):
            sheets = tuple(sheets)
        elif sheets is not None:
            problems.error(f"{item_key}.sheets", f'must be "all" or a list of sheet names, e.g. ["2023-24", "2024-25"] '
                                                 f"(got {sheets!r})")
            sheets = None
        if sheets is not None and sheet is not None:
            problems.error(f"{item_key}.sheets", "cannot be given with sheet: keep one of them")
            sheets = None
        section_rows = spec.get("section_rows")
        if section_rows is not None and section_rows != "theme":
            problems.error(f"{item_key}.section_rows", (
                f'must be "theme" (a row with one filled cell names the theme of the rows below it); got {section_rows!r}'))
            section_rows = None
        if section_rows is not None and name != "action_plan":
            problems.error(f"{item_key}.section_rows", "is for the action plan only")
            section_rows = None
        id_rule = spec.get("id")
        if id_rule is not None and id_rule != "row":
            problems.error(f"{item_key}.id", f'must be "row" (an id is made from the file and row); got {id_rule!r}')
            id_rule = None
        if id_rule is not None and name not in ID_FROM_ROW:
            problems.error(f"{item_key}.id", (
                f"is for {', '.join(ID_FROM_ROW)} only: the ids of {name} join records together, so they "
                "must come from the export"))
            id_rule = None
        skip = {}
        for column, listed in (spec.get("skip") or {}).items() if isinstance(spec.get("skip", {}), dict) else ():
            listed = [listed] if isinstance(listed, str) else listed
            if not isinstance(listed, list) or not all(isinstance(v, str) and v.strip() for v in listed):
                problems.error(f"{item_key}.skip.{column}", f'must be a list of values, e.g. ["Cancelled"] (got {listed!r})')
                continue
            skip[str(column)] = tuple(listed)
        if not isinstance(spec.get("skip", {}), dict):
            problems.error(f"{item_key}.skip", 'must be a table, e.g. [datasets.contacts.skip] then "Status" = ["Cancelled"]')
        sources[name] = DatasetSource(tuple(path), dict(columns), sheet, header_row, data_format, values,
                                      sheets, section_rows, id_rule, skip)
    return sources


def _web_address(table: dict, key: str, problems: _Problems) -> str | None:
    """An http(s) address for a link on members' pages. Anything else (a file path, a javascript: link) is an
    error: a page must never link to something a councillor's browser cannot open, or that runs code."""
    address = _text(table, key, problems)
    if address is None:
        return None
    address = address.strip()
    if not re.fullmatch(r"https?://[^\s\"'<>]+", address, flags=re.IGNORECASE):
        problems.error(key, f'must be a web address starting https:// or http://, e.g. '
                            f'"https://www.example.gov.uk/complaints-self-assessment" (got "{address}")')
        return None
    return address


def _rebase(table: dict, key: str, problems: _Problems) -> dict[str, tuple[str, ...]]:
    """[spc.rebase]: measure_id = ["2024-05", ...], the months from which fresh process limits are worked out."""
    rebase = {}
    for measure_id, months in table.items():
        item_key = f"{key}.{measure_id}"
        if isinstance(months, str):
            months = [months]
        if not isinstance(months, list) or not all(isinstance(m, str) for m in months):
            problems.error(item_key, f'must be a list of months, e.g. ["2024-05"] (got {months!r})')
            continue
        good = []
        for month in months:
            match = re.fullmatch(r"(\d{4})-(\d{2})", month.strip())
            if not match or not 1 <= int(match.group(2)) <= 12:
                problems.error(item_key, f'has "{month}", which is not a month written YYYY-MM, e.g. "2024-05"')
            else:
                good.append(month.strip())
        rebase[measure_id] = tuple(sorted(set(good)))
    return rebase


def _value_map_column_required(key: str, column: str) -> bool:
    """Whether the column a [datasets.NAME.values.COLUMN] table maps is one every record must have (``key`` is
    "datasets.NAME.values"; an extra source such as report_it is its dataset's). A column the contract does not
    have is not: the loader says that the table maps nothing."""
    # Imported here: the loader's contract reads this module's names, so it cannot be imported at its top.
    from analysis.loader.schema import SCHEMAS

    name = key.split(".")[1] if key.count(".") >= 2 else ""
    dataset = EXTRA_SOURCES.get(name, (name,))[0]
    return any(c.name == column and c.required for c in SCHEMAS.get(dataset, ()))


def _value_maps(table, key: str, problems: _Problems) -> dict[str, dict[str, str]]:
    """[datasets.NAME.values.COLUMN] tables: the export's value = the contract's value; an empty one ("N/A" = "")
    means no value (a blank cell), for an optional column only."""
    if not isinstance(table, dict):
        problems.error(key, 'must be tables of values, e.g. [datasets.contacts.values.channel] then "Web" = "online_form"')
        return {}
    maps: dict[str, dict[str, str]] = {}
    for column, mapping in table.items():
        item_key = f"{key}.{column}"
        if not isinstance(mapping, dict):
            problems.error(item_key, f'must be a table of values, e.g. "Web" = "online_form" (got {mapping!r})')
            continue
        good = {}
        for theirs, ours in mapping.items():
            if isinstance(ours, bool):
                ours = "true" if ours else "false"
            if isinstance(ours, str) and not ours.strip():
                # "N/A" = "" says the export's word means no value: a blank cell, which an optional
                # column may have. A required column may not: the rows would be reported as empty.
                if _value_map_column_required(key, str(column)):
                    problems.error(item_key, (
                        f'"{theirs}" maps to nothing, but {column} is required, so every record must have one. '
                        f'To leave such rows out, list the value under [{key.rsplit(".", 1)[0]}.skip] instead, '
                        f'e.g. "{column}" = ["{theirs}"]'))
                    continue
                ours = ""
            if not isinstance(ours, (str, int)):
                problems.error(item_key, f'"{theirs}" must map to a value in quotes (got {ours!r})')
                continue
            good[str(theirs)] = str(ours)
        maps[str(column)] = good
    return maps


TOP_LEVEL = {
    "council", "calendar", "standards", "channels", "locations", "action_plan", "survey",
    "disclosure", "datasets", "strategy", "spc", "complaints", "committee",
}


def _committee(raw: dict, problems: _Problems) -> Committee:
    """[committee]: texts as written; meeting_date a date (TOML's 2025-06-10 or the text "2025-06-10");
    [committee.implications] a table of headings and texts ("Legal" = "None directly resulting ...")."""
    table = _get_table(raw, "committee", problems, {
        "name", "meeting_date", "report_of", "lead_member", "recommendation", "reasons", "implications",
        "contact_officer", "wards_affected", "key_decision", "background_papers"})
    texts = {key: _text(table, f"committee.{key}", problems)
             for key in ("name", "report_of", "lead_member", "recommendation", "reasons", "contact_officer",
                         "wards_affected", "background_papers")}
    texts = {key: (value.strip() or None) if isinstance(value, str) else None for key, value in texts.items()}
    meeting = table.get("meeting_date")
    meeting_date = None
    if isinstance(meeting, dt.datetime):
        meeting_date = meeting.date()
    elif isinstance(meeting, dt.date):
        meeting_date = meeting
    elif isinstance(meeting, str) and meeting.strip():
        try:
            meeting_date = dt.date.fromisoformat(meeting.strip())
        except ValueError:
            problems.error("committee.meeting_date", f'must be a date written like 2025-06-10 (got "{meeting}")')
    elif meeting is not None:
        problems.error("committee.meeting_date", f"must be a date written like 2025-06-10 (got {meeting!r})")
    implications = {}
    for heading, text in _get_table(table, "committee.implications", problems, None).items():
        if not isinstance(text, str) or not text.strip():
            problems.error(f"committee.implications", f'"{heading}" must be a text in quotes, e.g. '
                                                      f'"{heading}" = "None directly resulting from this report."')
            continue
        implications[str(heading).strip()] = text.strip()
    key_decision = _flag(table, "committee.key_decision", problems, default=None) if "key_decision" in table else None
    return Committee(meeting_date=meeting_date, implications=implications, key_decision=key_decision, **texts)


def load_config(folder: str | Path) -> Config:
    """Read ``folder/council.toml``; raise :class:`ConfigError` listing every problem."""
    folder = Path(folder)
    path = folder / "council.toml"
    if not folder.is_dir():
        raise ConfigError(f"The data folder {folder} does not exist.")
    if not path.is_file():
        raise ConfigError(
            f"{path} is missing. Every data folder needs a council.toml: copy "
            "data/sample/council.toml and change it for your council."
        )
    text = path.read_text(encoding="utf-8-sig")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name} is not valid TOML: {exc}. Check quotes and brackets on that line.") from None
    problems = _Problems(path, text)
    for unknown in sorted(set(raw) - TOP_LEVEL):
        problems.warn(unknown, "is not a section the workbook knows; it is ignored")

    council = _get_table(raw, "council", problems, {"name", "year_start_month", "sample"})
    if "council" not in raw:
        problems.error("council", "is missing: add a [council] section with at least name = \"...\"")
    name = _text(council, "council.name", problems, required="council" in raw, default="")
    year_start_month = _whole(council, "council.year_start_month", problems, default=4, minimum=1, maximum=12)
    sample = _flag(council, "council.sample", problems, default=False)

    calendar = _get_table(raw, "calendar", problems, {"bank_holidays", "closure_days"})
    bank_holidays = _text(calendar, "calendar.bank_holidays", problems, default="england-and-wales")
    if bank_holidays not in BANK_HOLIDAY_REGIONS:
        problems.error("calendar.bank_holidays", f'must be one of {", ".join(BANK_HOLIDAY_REGIONS)} (got "{bank_holidays}")')
        bank_holidays = "england-and-wales"
    closure_days = _closure_days(calendar, "calendar.closure_days", problems)

    standards = _get_table(raw, "standards", problems, {
        "respond_within_working_days", "acknowledge_within_working_days", "phone", "complaints"})
    respond = _standards(_get_table(standards, "standards.respond_within_working_days", problems, None),
                         "standards.respond_within_working_days", problems)
    acknowledge = _standards(_get_table(standards, "standards.acknowledge_within_working_days", problems, None),
                             "standards.acknowledge_within_working_days", problems)
    phone = _get_table(standards, "standards.phone", problems, {"answer_within_seconds"})
    answer_within = _whole(phone, "standards.phone.answer_within_seconds", problems)
    complaints = _get_table(standards, "standards.complaints", problems, {
        "acknowledge_within_working_days", "stage1_respond_within_working_days", "stage2_respond_within_working_days"})

    channels = _get_table(raw, "channels", problems, {"digital"})
    digital = _text_list(channels, "channels.digital", problems, default=DEFAULT_DIGITAL)
    for channel in digital:
        if channel not in CANONICAL_CHANNELS:
            problems.error("channels.digital", f'"{channel}" is not a channel of the contract ({", ".join(CANONICAL_CHANNELS)})')
    locations = _get_table(raw, "locations", problems, {"in_person", "name"})
    in_person = _text_list(locations, "locations.in_person", problems)
    locations_name = _text(locations, "locations.name", problems, default=DEFAULT_LOCATIONS_NAME)

    action_plan = _get_table(raw, "action_plan", problems, {"themes", "status_labels"})
    themes = _text_list(action_plan, "action_plan.themes", problems)
    status_labels = _status_labels(
        _get_table(action_plan, "action_plan.status_labels", problems, None), "action_plan.status_labels", problems)

    survey = _get_table(raw, "survey", problems, {"questions"})
    questions = _survey_questions(_get_table(survey, "survey.questions", problems, None), "survey.questions", problems)

    disclosure = _get_table(raw, "disclosure", problems, {"minimum_count"})
    minimum_count = _whole(disclosure, "disclosure.minimum_count", problems, default=5, minimum=1)

    datasets = _datasets(_get_table(raw, "datasets", problems, None), "datasets", problems)
    strategy = _get_table(raw, "strategy", problems, {"baseline_year"})
    baseline_year = _text(strategy, "strategy.baseline_year", problems)
    if baseline_year is not None and year_label_text(baseline_year) is None:
        problems.error("strategy.baseline_year", f'must be a financial year such as "2021/22" (got "{baseline_year}")')
    baseline_year = year_label_text(baseline_year) if baseline_year else None
    spc = _get_table(raw, "spc", problems, {"screen_outliers", "rebase"})
    screen_outliers = _flag(spc, "spc.screen_outliers", problems, default=True)
    rebase = _rebase(_get_table(spc, "spc.rebase", problems, None), "spc.rebase", problems)
    self_assessment_url = _web_address(
        _get_table(raw, "complaints", problems, {"self_assessment_url"}), "complaints.self_assessment_url", problems)
    committee = _committee(raw, problems)
    complaint_standards = [
        _whole(complaints, f"standards.complaints.{key}", problems)
        for key in ("acknowledge_within_working_days", "stage1_respond_within_working_days",
                    "stage2_respond_within_working_days")
    ]

    if problems.errors:
        raise ConfigError("\n".join(problems.errors), warnings=problems.warnings)
    return Config(
        folder=folder,
        name=name,
        year_start_month=year_start_month,
        sample=sample,
        bank_holidays=bank_holidays,
        closure_days=closure_days,
        respond_within=respond,
        acknowledge_within=acknowledge,
        phone_answer_within_seconds=answer_within,
        complaint_acknowledge_within=complaint_standards[0],
        complaint_stage1_within=complaint_standards[1],
        complaint_stage2_within=complaint_standards[2],
        digital_channels=tuple(digital),
        in_person_locations=tuple(in_person),
        locations_name=locations_name,
        themes=tuple(themes),
        status_labels=status_labels,
        survey_questions=questions,
        minimum_count=minimum_count,
        datasets=datasets,
        warnings=tuple(problems.warnings),
        baseline_year=baseline_year,
        spc_screen_outliers=screen_outliers,
        spc_rebase=rebase,
        complaints_self_assessment_url=self_assessment_url,
        committee=committee,
    )
