"""Stage 0 of the loader, the contract itself: the canonical datasets, their columns and what each may hold.

``SCHEMAS`` gives every dataset's columns (:class:`Col`: name, kind, required, set of
values, unique); beside it the keys that must be unique together, the forms each kind
accepts (``EXPECTED``), the spellings of set values that need no map in council.toml
(``OBVIOUS_SPELLINGS``), and how set values and headers are matched (``value_key``,
``_normalise_header``). Nothing here reads a file: every other stage reads these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from analysis.config import CANONICAL_CHANNELS, DATASET_NAMES


SUFFIXES = (".csv", ".xlsx", ".parquet")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
EXAMPLES_SHOWN = 3
ROWS_SHOWN = 5
HEADER_SCAN_ROWS = 50  # the header is looked for in the first rows of a sheet or CSV
COLUMNS_LISTED = 15    # a message lists at most this many of a file's columns
OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "withdrawn", "open")
CALL_OUTCOMES = ("answered", "abandoned", "callback")
RATINGS = ("good", "average", "poor")
UNITS = ("percent", "count", "seconds", "days", "score", "ratio")
POLARITIES = ("higher_is_better", "lower_is_better", "neutral")
DIMENSIONS = ("age_band", "sex", "ward")
OMBUDSMEN = ("lgsco", "housing")
OMBUDSMAN_OUTCOMES = ("upheld", "not_upheld", "not_investigated")


@dataclass(frozen=True)
class Col:
    """One canonical column: its kind decides how it is parsed and what 'expected' says."""

    name: str
    kind: str  # text | timestamp | date | bool | number | year | carried_from | label | choice
    required: bool = False
    choices: tuple[str, ...] = ()
    unique: bool = False
    minimum: float | None = None
    category: bool = False  # low-cardinality text kept as pandas categorical


SCHEMAS: dict[str, tuple[Col, ...]] = {
    "action_plan": (
        Col("plan_year", "year", True),
        Col("action_id", "text", True),
        Col("theme", "text", True),
        Col("action", "text", True),
        Col("status", "label", True),
        Col("owner", "text"),
        Col("due", "date"),
        Col("progress_note", "text"),
        Col("carried_from", "carried_from"),
        Col("measure_id", "text"),    # optional: the outcome measure the action is meant to move
        Col("status_label", "text"),  # the label as the spreadsheet has it ("Carried forward"), kept for the pages
    ),
    "contacts": (
        Col("contact_id", "text", True, unique=True),
        Col("received_at", "timestamp", True),
        Col("channel", "choice", True, choices=CANONICAL_CHANNELS, category=True),
        Col("service", "text", True, category=True),
        Col("category", "text", category=True),
        Col("location", "text", category=True),
        Col("ward", "text", category=True),
        Col("acknowledged_at", "timestamp"),
        Col("responded_at", "timestamp"),
        Col("resolved_first_contact", "bool"),
    ),
    "calls": (
        Col("call_id", "text", True, unique=True),
        Col("offered_at", "timestamp", True),
        Col("answered", "bool"),        # one of answered or outcome is required (REQUIRED_ONE_OF)
        Col("outcome", "choice", choices=CALL_OUTCOMES, category=True),
        Col("wait_seconds", "duration", True, minimum=0),
        Col("queue", "text", category=True),
    ),
    "complaints": (
        Col("complaint_id", "text", True),
        Col("stage", "choice", True, choices=("1", "2")),
        Col("received_at", "timestamp", True),
        Col("service", "text", True, category=True),
        Col("acknowledged_at", "timestamp"),
        Col("responded_at", "timestamp"),
        Col("outcome", "choice", choices=OUTCOMES),
        Col("referred_to_ombudsman", "bool"),
        Col("ward", "text"),
        # The Complaint Handling Code's annual report. The text columns are shown to members only as escaped
        # plain text, never parsed: any text in not_accepted_reason means the complaint was not accepted.
        Col("extended_to", "date"),       # the deadline agreed with the complainant
        Col("category", "text", category=True),
        Col("not_accepted_reason", "text"),
        Col("learning", "text"),          # the service improvement made because of it
    ),
    "feedback": (
        Col("feedback_id", "text", unique=True),  # GovMetric exports have none
        Col("given_at", "timestamp", True),
        Col("channel", "choice", True, choices=CANONICAL_CHANNELS, category=True),
        Col("rating", "choice", True, choices=RATINGS, category=True),
        Col("service", "text", category=True),
    ),
    "survey": (
        Col("survey_id", "text", True),
        Col("survey_year", "year", True),
        Col("respondent_id", "text", True),
        Col("question_id", "text", True, category=True),
        Col("question_text", "text"),  # optional: the wording asked that year, to catch rewording
        Col("answer", "text", True),
        Col("age_band", "text", category=True),
        Col("sex", "text", category=True),
        Col("ward", "text", category=True),
    ),
    "panel": (
        Col("member_id", "text", True, unique=True),
        Col("joined_on", "date", True),
        Col("left_on", "date"),
        Col("age_band", "text"),
        Col("sex", "text"),
        Col("ward", "text"),
    ),
    "panel_invitations": (
        Col("consultation_id", "text", True),
        Col("member_id", "text", True),
        Col("invited_on", "date", True),
        Col("opened_on", "date"),
        Col("completed_on", "date"),
    ),
    "population": (
        Col("dimension", "choice", True, choices=DIMENSIONS),
        Col("category", "text", True),
        Col("count", "number", True, minimum=0),
    ),
    "measures": (
        Col("measure_id", "text", True, unique=True),
        Col("name", "text", True),
        Col("unit", "choice", True, choices=UNITS),
        Col("polarity", "choice", True, choices=POLARITIES),
        Col("target", "number"),
        Col("theme", "text"),
        Col("description", "text"),
    ),
    "manual_measures": (
        Col("measure_id", "text", True),
        Col("year", "year", True),
        Col("value", "number"),
        Col("note", "text"),
    ),
    "ombudsman": (  # one row per decision of an Ombudsman on a complaint about the council
        Col("decision_id", "text", True, unique=True),
        Col("decided_on", "date", True),
        Col("ombudsman", "choice", True, choices=OMBUDSMEN, category=True),
        Col("outcome", "choice", True, choices=OMBUDSMAN_OUTCOMES, category=True),
        Col("service", "text", category=True),
        Col("remedy_complied", "bool"),
        Col("remedy_before_ombudsman", "bool"),
    ),
    # Officers' words on one measure's year, shown to members beside it as escaped plain text. measure_id must be
    # a measure the workbook computes or one of the register's (checked by load_dataset, with the nearest id).
    "commentary": (
        Col("measure_id", "text", True),
        Col("year", "year", True),
        Col("commentary", "text", True),  # why the figure moved
        Col("next_steps", "text"),        # what happens next
        Col("owner", "text"),             # who is responsible: a post rather than a person's name
    ),
}
SKIP_PREFIX = "_skip:"  # an export column read only to leave rows out ([datasets.NAME.skip])
# Columns the loader works out itself, never read from an export.
DERIVED = {"status_label"}
# One of these columns is required: a queue report gives answered (yes/no) or an outcome.
REQUIRED_ONE_OF = {"calls": ("answered", "outcome")}
# Several columns together must be unique.
UNIQUE_TOGETHER = {
    "action_plan": ("plan_year", "action_id"),
    "complaints": ("complaint_id", "stage"),
    "panel_invitations": ("consultation_id", "member_id"),
    "population": ("dimension", "category"),
    "manual_measures": ("measure_id", "year"),
    "commentary": ("measure_id", "year"),  # one commentary per measure and year: two would contradict each other
}
assert set(SCHEMAS) == set(DATASET_NAMES)

EXPECTED = {
    "timestamp": "a date and time such as 2023-04-03 14:05, 03/04/2023 14:05 or an Excel date",
    "date": "a date such as 2023-04-03, 03/04/2023 or an Excel date",
    "bool": "true/false, yes/no, y/n or 1/0",
    "number": "a number",
    "duration": "a wait in seconds (35 or 35.5), or as hh:mm:ss or mm:ss (00:00:35)",
    "year": "a financial year written like 2023/24 or 2023-24",
    "carried_from": "the earlier action as YEAR:ID, e.g. 2022/23:4c (or as '4c (22/23)')",
}
TRUE_WORDS = {"true", "yes", "y", "1", "1.0", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "0.0", "f"}

# Spellings of a set value that need no map in council.toml, as value keys (see value_key).
OBVIOUS_SPELLINGS = {
    "channel": {
        "telephone": "phone", "tel": "phone", "phone_call": "phone", "telephone_call": "phone",
        "face_to_face": "in_person", "f2f": "in_person", "walk_in": "in_person", "in_person_visit": "in_person",
        "e_mail": "email", "post": "letter", "web_chat": "webchat", "live_chat": "webchat",
        "web_form": "online_form", "e_form": "online_form", "eform": "online_form", "fixmystreet": "report_it",
        "social": "social_media",
    },
    "stage": {"stage_1": "1", "stage1": "1", "stage_one": "1", "s1": "1", "1.0": "1",
              "stage_2": "2", "stage2": "2", "stage_two": "2", "s2": "2", "2.0": "2"},
    # The Ombudsmen's own names, as their decision letters and the council's casework systems write them.
    "ombudsman": {"local_government_and_social_care_ombudsman": "lgsco", "local_government_&_social_care_ombudsman":
                  "lgsco", "local_government_ombudsman": "lgsco", "lgo": "lgsco", "housing_ombudsman": "housing",
                  "housing_ombudsman_service": "housing", "hos": "housing"},
    "outcome": {"partially_upheld": "partly_upheld", "part_upheld": "partly_upheld", "upheld_in_part": "partly_upheld",
                "call_back": "callback", "callback_requested": "callback", "call_back_requested": "callback"},
}
BOOLEAN_SPELLINGS = {**{w: "true" for w in TRUE_WORDS}, **{w: "false" for w in FALSE_WORDS}}
DISTINCT_SHOWN = 10  # unknown values each get a problem of their own; the rest are listed in one more


def value_key(text: pd.Series) -> pd.Series:
    """How set values are matched: without regard to capitals, spaces at either end, repeated spaces, or the
    difference between a space, a hyphen and an underscore ('Not Upheld' -> 'not_upheld')."""
    return text.str.casefold().str.strip().str.replace(r"[\s\-_]+", "_", regex=True).str.strip("_")


def _key(value: str) -> str:
    return value_key(pd.Series([value], dtype="string")).iloc[0]


EXCEL_ERRORS = ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!"]

# Dates that cannot come before another in the same record: (the first, the later ones, how it is counted).
DATE_ORDER = {
    "contacts": ("received_at", ("acknowledged_at", "responded_at"), (
        "correct the dates in the export. Until then the workbook counts these as done on the day the "
        "contact was received (working day 0), so within the standard.")),
    "complaints": ("received_at", ("acknowledged_at", "responded_at"), (
        "correct the dates in the export. Until then the workbook counts these as done on the day the "
        "complaint was received (working day 0), so within the standard.")),
    "panel": ("joined_on", ("left_on",), (
        "correct the dates in the export. Until then these members are never counted as members.")),
}


def _normalise_header(name: object) -> str:
    return re.sub(r"\s+", " ", str(name)).strip().casefold()
