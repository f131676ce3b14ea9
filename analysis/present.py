"""Tables and words for members: numbers formatted for reading, small counts suppressed, text escaped.

Members' pages never show a count from 1 to ``disclosure.minimum_count - 1``
nor a percentage whose base is below it; words stand in for them. Every
string from the data is HTML-escaped here, so a progress note can never
become markup.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.calendar import year_start
from analysis.measures import MEASURE_NEEDS

MEASURE_NAMES = {
    "actions_achieved": "Actions achieved",
    "actions_not_achieved": "Actions not achieved",
    "actions_carried_forward": "Actions carried forward to the next year",
    "contacts_received": "Contacts logged in the CRM",
    "digital_share": "Contacts logged in the CRM made online (digital share)",
    "responses_within_standard": "Responses within the standard",
    "acknowledgements_within_standard": "Acknowledgements within the standard",
    "first_contact_resolution": "Resolved at first contact",
    "calls_answered_within_standard": "Calls answered within the standard",
    "calls_abandoned": "Calls abandoned",
    "calls_callback": "Calls ended in a callback",
    "average_speed_of_answer": "Average time to answer a call",
}
CHANNEL_NAMES = {
    "email": "Email", "letter": "Letter", "online_form": "Online form", "report_it": "Report It",
    "in_person": "In person", "phone": "Phone", "webchat": "Webchat", "social_media": "Social media",
}


class Html(str):
    """A string of HTML that Jupyter displays as HTML (and nbconvert keeps as such)."""

    def _repr_html_(self) -> str:
        return str(self)


def escape(value) -> str:
    return html.escape("" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value))


def is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def is_yes(value) -> bool:
    """True for a true flag of any kind (Python, numpy or pandas boolean); False for false or missing."""
    return not is_missing(value) and bool(value)


def count_words(value, minimum_count: int = 5) -> str:
    """A count as members see it: '1,234'; 'fewer than 5' for 1 to 4; 'none' for 0."""
    if is_missing(value):
        return "not available"
    value = int(round(float(value)))
    if value == 0:
        return "none"
    if 0 < value < minimum_count:
        return f"fewer than {minimum_count}"
    return f"{value:,}"


SECONDARY_WORDS = "not shown"


def counts_words(counts: pd.DataFrame, minimum_count: int = 5, groups=None) -> tuple[pd.DataFrame, str]:
    """A table of counts (rows: categories; columns: years, say) in words, with small counts suppressed,
    and a note for its caption ('' when none is needed).

    Each count from 1 to ``minimum_count - 1`` reads "fewer than 5". Where the
    column's total (within one group of rows, when ``groups`` labels the rows)
    less the counts shown would give one back (a single small count; two that
    can only be 1 and 1, or 4 and 4), the smallest other count above 0 in it
    reads "not shown" as well (secondary suppression, :func:`plan_suppression`).
    This is one table on its own: the yearly pages use the run's record,
    :func:`disclosure`, which holds across every table of the year.
    """
    values = counts.astype("float64").round()
    small, hide = hidden_counts(values, minimum_count, groups)
    words = values.map(lambda v: count_words(v, minimum_count)).mask(hide, SECONDARY_WORDS)
    note = (f" (\u201c{SECONDARY_WORDS}\u201d: hidden as well, so that a number under {minimum_count} cannot be "
            "worked out from the total)") if hide.to_numpy().any() else ""
    return words, note


def hidden_counts(counts: pd.DataFrame, minimum_count: int = 5, groups=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Which counts of a table members may not see: (small ones, those hidden as well), as in
    :func:`counts_words`, each a True/False frame shaped like ``counts``.

    Each column (within each group of rows) is taken to add up to a total a reader can see, and
    :func:`plan_suppression` chooses what else to hide, as it does for the whole run's pages."""
    values = counts.astype("float64").round().fillna(0)
    labels = [0] * len(values) if groups is None else list(groups)
    cells, lines = {}, []
    for j, column in enumerate(values.columns):
        for group in dict.fromkeys(labels):
            parts = tuple(("cell", i, j) for i, label in enumerate(labels) if label == group)
            total = ("total", group, j)
            cells.update({p: float(values.iat[p[1], j]) for p in parts})
            cells[total] = sum(cells[p] for p in parts)
            lines.append(Line(total, parts))
    published = {key for key in cells if key[0] == "cell"} | {key for key in cells if key[0] == "total"}
    small, secondary = plan_suppression(cells, published, lines, {}, minimum_count)
    shape = lambda chosen: pd.DataFrame(  # noqa: E731 - a frame of flags shaped like ``counts``
        [[("cell", i, j) in chosen for j in range(values.shape[1])] for i in range(values.shape[0])],
        index=values.index, columns=values.columns)
    return shape(small), shape(secondary)


# --- small numbers across the year's pages ---------------------------------------------------
#
# A count hidden in one table must not come back from another: the year's contacts less the
# channels shown, a channel group less its channels, the in-person channel less its places, a
# place's visits less the purposes shown for it, a percentage times the base printed beside it.
# So which counts are hidden is worked out once for the whole run (``disclosure``), from the
# measures and facts every page reads, by one deterministic rule; every page asks that record,
# and two pages can never hide different cells for the same total.
#
# A cell is a count of people or contacts: (measure_id, breakdown, year). Counts of actions are
# not in it (actions are not people). A reader is assumed to know every relation below and to
# reason with bounds: "fewer than 5" is 1 to 4, "not shown" is 5 or more, a count no page
# shows could be anything from 0.

TOO_FEW = "too few to report"


@dataclass(frozen=True)
class Line:
    """``total`` = the sum of ``parts``: cells a reader could subtract along."""

    total: tuple
    parts: tuple


@dataclass(frozen=True)
class Rate:
    """A percentage (or ratio) shown somewhere, ``value`` = 100 x numerator / denominator. Shown
    beside or with its base it gives the other side back, so it is hidden whenever either side
    is; ``value`` NaN: hidden with its sides, never used to work a count out (a ratio to the
    population)."""

    numerator: tuple
    denominator: tuple
    value: float


def _equations(lines, rates: dict, hidden: set) -> list[dict]:
    """Each relation as {cell: coefficient} summing to 0: a line (total -1, parts +1) and every
    percentage still shown (numerator +1, denominator -value/100)."""
    equations = [{line.total: -1.0, **{p: 1.0 for p in line.parts}} for line in lines]
    for rate in rates.values():
        if rate.numerator in hidden or rate.denominator in hidden or is_missing(rate.value):
            continue
        if rate.numerator == rate.denominator:
            continue
        equations.append({rate.numerator: 1.0, rate.denominator: -float(rate.value) / 100})
    return equations


def _worked_out(equations: list[dict], values: dict, known: set, bounds: dict, wanted: set) -> set:
    """Which cells of ``wanted`` a reader can work out exactly from the ``known`` cells' values and
    the equations: fixed by the linear equations alone (zero in every direction the equations leave
    free), or pinned to one whole number by the bounds of the others (4 + 4 shown as a total of 8)."""
    unknown = sorted({c for e in equations for c in e if c not in known}, key=str)
    if not unknown:
        return set()
    index = {c: i for i, c in enumerate(unknown)}
    rows, rhs = [], []
    for equation in equations:
        row = np.zeros(len(unknown))
        constant = 0.0
        for cell, a in equation.items():
            if cell in index:
                row[index[cell]] += a
            else:
                constant -= a * values[cell]
        if row.any():
            rows.append(row)
            rhs.append(constant)
    found = set()
    if not rows:
        return found
    matrix = np.array(rows)
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9 * max(1.0, float(singular.max(initial=0)))).sum())
    free = vt[rank:]
    for cell, i in index.items():
        if cell in wanted and (free.shape[0] == 0 or np.abs(free[:, i]).max() < 1e-9):
            found.add(cell)
    low = np.array([bounds[c][0] for c in unknown], dtype="float64")
    high = np.array([bounds[c][1] for c in unknown], dtype="float64")
    for _ in range(100):  # narrow each cell's bounds from the others' until nothing moves
        moved = False
        for row, b in zip(rows, rhs):
            for j in np.flatnonzero(row):
                others = row.copy()
                others[j] = 0.0
                positive, negative = others > 0, others < 0
                least = (others[positive] * low[positive]).sum() + (others[negative] * high[negative]).sum()
                most = (others[positive] * high[positive]).sum() + (others[negative] * low[negative]).sum()
                a = row[j]
                lo, hi = ((b - most) / a, (b - least) / a) if a > 0 else ((b - least) / a, (b - most) / a)
                lo, hi = np.ceil(lo - 1e-6), np.floor(hi + 1e-6)
                if lo > low[j]:
                    low[j], moved = lo, True
                if hi < high[j]:
                    high[j], moved = hi, True
        if not moved:
            break
    found |= {c for c, i in index.items() if c in wanted and low[i] == high[i]}
    return found


def _components(cells, lines, rates: dict) -> list[set]:
    """Groups of cells linked by lines or percentages (in practice a year's contacts, its calls, its
    complaints, its panel): each is planned on its own."""
    parent = {c: c for c in cells}

    def root(c):
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    links = [(line.total, *line.parts) for line in lines] + [(r.numerator, r.denominator) for r in rates.values()]
    for link in links:
        for other in link[1:]:
            parent[root(other)] = root(link[0])
    groups: dict = {}
    for c in cells:
        groups.setdefault(root(c), set()).add(c)
    return sorted(groups.values(), key=lambda g: sorted(map(str, g))[0])


def plan_suppression(values: dict, published, lines, rates: dict, minimum_count: int = 5
                     ) -> tuple[frozenset, frozenset]:
    """Which cells to hide: (small, secondary).

    ``values`` holds every cell's count; ``published`` the cells some page shows (a count no page
    shows can still be worked out, and must not be when small); ``lines`` the totals and their
    parts; ``rates`` the percentages shown. Small: a published count from 1 to minimum_count - 1
    ("fewer than 5"). Secondary: while a reader could work out a small count (shown or not) from
    what is shown, one more cell is hidden, chosen in this order: the small count itself when no
    page shows it (which hides the percentages that give it back), a count no page shows that is
    one side of a percentage shown (which hides only that percentage), then the smallest count
    shown beside it in a total, then the total itself. The first that alone stops the working out
    is taken; if none does alone, the first, and the search goes on. A percentage is hidden when
    either of its sides is (:meth:`Disclosure.rate_hidden`)."""
    published = set(published) & set(values)
    small_all = {c for c, v in values.items() if 1 <= round(v) < minimum_count}
    small = small_all & published
    secondary: set = set()
    for component in _components(values, lines, rates):
        if not small_all & component:
            continue
        comp_lines = [ln for ln in lines if ln.total in component]
        comp_rates = {k: r for k, r in rates.items() if r.numerator in component}
        wanted = small_all & component

        def exposed(hide: set) -> set:
            """The small counts of the component a reader can work out while ``hide`` is hidden."""
            bounds = {c: ((1, minimum_count - 1) if c in small else (minimum_count, np.inf) if c in published
                          else (0, np.inf)) for c in component}
            known = {c for c in component if c in published and c not in hide}
            return _worked_out(_equations(comp_lines, comp_rates, hide), values, known, bounds, wanted)

        given_up: set = set()
        added: list = []
        while True:
            hidden = small | secondary
            found = sorted(exposed(hidden) - given_up, key=str)
            if not found:
                break
            cell = found[0]
            known = {c for c in component if c in published and c not in hidden}
            candidates = _protection_candidates(cell, comp_lines, comp_rates, known, published, values, hidden)
            choice = next((c for c in candidates if cell not in exposed(hidden | {c})),
                          candidates[0] if candidates else None)
            if choice is None:
                given_up.add(cell)  # nothing left to hide around it (cannot happen while its total is shown)
                continue
            secondary.add(choice)
            added.append(choice)
        # A cell hidden early can turn out not to be needed once later ones are hidden: show it again.
        for choice in reversed(added):
            if not exposed(small | (secondary - {choice})) - given_up:
                secondary.discard(choice)
    return frozenset(small), frozenset(secondary)


def _protection_candidates(cell, lines, rates: dict, known: set, published: set, values: dict, hidden: set) -> list:
    """The cells that could be hidden to protect ``cell``, in the order :func:`plan_suppression` tries them."""
    first = [cell] if cell not in published and cell not in hidden else []
    shown_rates = [r for r in rates.values() if r.numerator not in hidden and r.denominator not in hidden]
    sides = sorted({c for r in shown_rates for c in (r.numerator, r.denominator)
                    if c not in published and c not in hidden and c != cell}, key=str)
    around = sorted((ln for ln in lines if cell == ln.total or cell in ln.parts),
                    key=lambda ln: sum(c not in known for c in (ln.total, *ln.parts)))
    parts, totals = [], []
    for line in around:
        parts += sorted((p for p in line.parts if p in known and values[p] > 0 and p != cell),
                        key=lambda p: (values[p], str(p)))
        totals += [line.total] if line.total in known and values[line.total] > 0 else []
    return list(dict.fromkeys(first + sides + parts + totals))


@dataclass(frozen=True)
class Disclosure:
    """The run's record of what members may not see, made once by :func:`disclosure` and asked by
    every page: the counts (``values``), the percentages shown (``rates``), the small counts and
    the counts hidden as well (``secondary``)."""

    minimum_count: int
    values: dict
    rates: dict
    small: frozenset
    secondary: frozenset

    def hidden(self, key) -> bool:
        """Whether a count is hidden, small or as well."""
        return key in self.small or key in self.secondary

    def count_words(self, key, value=None) -> str:
        """A count as every page shows it: "not shown" when hidden as well, otherwise :func:`count_words`
        ("fewer than 5", "none", "1,234") of the record's count (``value`` for a count it does not hold)."""
        if key in self.secondary:
            return SECONDARY_WORDS
        return count_words(self.values[key] if key in self.values else value, self.minimum_count)

    def rate_hidden(self, key) -> bool:
        """Whether a percentage is hidden: either of its sides is, so with the other it would give a
        hidden count back (15.4% of 13 invited is 2 who completed)."""
        rate = self.rates.get(key)
        return rate is not None and (self.hidden(rate.numerator) or self.hidden(rate.denominator))

    def percent_words(self, key, value, denominator=None, decimals: int = 1) -> str:
        """A percentage as every page shows it: "too few to report" when hidden or on a small base."""
        if self.rate_hidden(key):
            return TOO_FEW
        return percent_words(value, denominator, self.minimum_count, decimals)

    def note(self, keys) -> str:
        """The caption's note for a table showing ``keys``: '' unless one reads "not shown"."""
        if not any(k in self.secondary for k in keys):
            return ""
        return (f" (\u201c{SECONDARY_WORDS}\u201d: hidden as well, so that a number under {self.minimum_count} "
                "cannot be worked out from a total shown here or on another page)")

    def table_words(self, measure_id: str, rows: pd.DataFrame) -> tuple[pd.DataFrame, str]:
        """Measure rows (year, breakdown, value) as a breakdowns x years table in words, and its caption's
        note; a breakdown missing in a year reads "none"."""
        keys = [(measure_id, b, y) for b, y in zip(rows["breakdown"], rows["year"])]
        words = rows.assign(shown=[self.count_words(k, v) for k, v in zip(keys, rows["value"])])
        wide = words.pivot(index="breakdown", columns="year", values="shown").fillna("none")
        return wide, self.note(keys)


def disclosure(wb) -> Disclosure:
    """The run's disclosure record for the prepared workbook ``wb``, worked out on first use from its
    measures and facts (deterministic, so every notebook of a run, in whatever process, gets the same)."""
    cached = getattr(wb, "_disclosure", None)
    if cached is None:
        purposes = wb.facts.get("in_person_purposes") if wb.data.recorded("contacts", "category") else None
        cached = plan_disclosure(wb.measures, purposes, wb.year, wb.config.digital_channels,
                                 wb.config.minimum_count)
        wb._disclosure = cached
    return cached


def disclosure_with(wb, shown) -> Disclosure:
    """The run's record for an ad-hoc page that also shows ``shown``: counts the record holds but no yearly page
    shows (an earlier year's consultations or panel groups, a place's less common purposes).

    They are planned again together with the yearly pages' counts, by the same rule, so that nothing on the
    ad-hoc page and the yearly pages together gives a small count away. Whatever the yearly pages hide stays
    hidden. A count or a percentage a yearly page shows cannot be hidden again from an ad-hoc page, so where
    showing ``shown`` would need that (an earlier year's consultations whose year's rate is on the scorecard),
    the counts of ``shown`` linked to it are not shown at all ("not shown")."""
    plan = disclosure(wb)
    purposes = wb.facts.get("in_person_purposes") if wb.data.recorded("contacts", "category") else None
    values, published, lines, rates = disclosure_cells(wb.measures, purposes, wb.year, wb.config.digital_channels)
    extra = {k for k in shown if k in values} - published
    on_yearly_pages = published - plan.small - plan.secondary
    # A count only the yearly pages' percentages stand on (a year's consultations invited): hiding it would hide
    # a percentage that they show. (The record lists a percentage of every count in ``shown`` as well, but
    # those are not on the yearly pages: ``shown`` is what they do not show.)
    behind_rates = {side for key, rate in rates.items() if not plan.rate_hidden(key)
                    for side in (rate.numerator, rate.denominator)}
    withheld: set = set()
    while True:
        small, secondary = plan_suppression(values, published | extra, lines, rates, wb.config.minimum_count)
        newly = (small | secondary) - plan.small - plan.secondary - extra
        clash = newly & (on_yearly_pages | behind_rates)
        if not clash:
            break
        linked = set().union(*(group for group in _components(values, lines, rates) if group & clash))
        if not extra & linked:  # cannot happen: without ``shown`` a group is planned as the yearly pages plan it
            raise AssertionError(f"the yearly pages' record would hide {sorted(clash, key=str)[0]} again")
        withheld |= extra & linked
        extra -= linked
    return Disclosure(plan.minimum_count, values, rates, plan.small | small,
                      plan.secondary | secondary | frozenset(withheld))


def disclosure_cells(measures: pd.DataFrame, purposes: pd.DataFrame | None, year: str, digital_channels
                     ) -> tuple[dict, set, list, dict]:
    """The counts of people and contacts the year's pages show or that stand behind what they show, and
    how they hang together: (values, published, lines, rates) for :func:`plan_suppression`.

    - contacts by channel, channel group (digital, non-digital) and place, each year: the year's total is
      the sum of the channels and of the two groups; each group the sum of its channels; the in-person
      channel the sum of its places (and of the visits with no place, which no page shows); each
      channel's share of the year's contacts and the digital share are shown;
    - this year's visits by place and purpose: a place's visits are the sum of its purposes; the pages
      show the three commonest at each place, with their share of the place's visits;
    - complaints by stage and by service, each year: the year's total is the sum of either;
    - panel members by age band and by sex, this year (the total every year): the total is the sum of
      either (and of members with none recorded); a group's representation is hidden with its count;
    - each consultation of this year: invited, opened, completed, and the percentages between them;
      a year's consultations add up to the headline rates on the scorecard;
    - calls offered, answered, abandoned and ended in a callback, each year, with answered within the
      standard: only calls offered and callbacks are shown as counts, the rest as percentages.
    """
    values: dict = {}
    published: set = set()
    lines: list = []
    rates: dict = {}
    rows = measures[measures["value"].notna() | measures["denominator"].notna()]
    digital = set(digital_channels)

    def add(key, value, shown: bool) -> tuple:
        values[key] = float(value)
        if shown:
            published.add(key)
        return key

    def cells_of(measure_id: str, prefix: str, y: str) -> list:
        return sorted((k for k in values if k[0] == measure_id and k[2] == y and k[1].startswith(prefix)), key=str)

    def close(total, parts, remainder_name: str) -> None:
        """total = sum(parts), with what the parts leave out as a cell no page shows."""
        if total not in values or not parts:
            return
        rest = values[total] - sum(values[p] for p in parts)
        if rest < 0:  # the parts count something the total does not: no relation a reader can use
            return
        if rest > 0:
            parts = [*parts, add((total[0], f"rest of {total[1] or 'all'} by {remainder_name}", total[2]), rest, False)]
        lines.append(Line(total, tuple(parts)))

    counted = rows[rows["measure_id"].isin(["contacts_received", "complaints_received", "panel_members"])]
    for measure_id, breakdown, y, value in zip(counted["measure_id"], counted["breakdown"], counted["year"],
                                               counted["value"]):
        if pd.isna(value):
            continue
        if measure_id == "contacts_received" and not (breakdown == "" or breakdown.startswith(
                ("channel=", "channel_group=", "location="))):
            continue  # by service: no page shows it
        shown = measure_id != "panel_members" or breakdown == "" or y == year  # the panel's groups: this year
        add((measure_id, breakdown, y), value, shown)
    years = sorted({k[2] for k in values})
    for y in years:
        total = ("contacts_received", "", y)
        channels = cells_of("contacts_received", "channel=", y)
        groups = cells_of("contacts_received", "channel_group=", y)
        close(total, channels, "channel=<none>")
        close(total, groups, "channel_group=<none>")
        for group in groups:
            inside = group[1] == "channel_group=digital"
            close(group, [c for c in channels if (c[1].partition("=")[2] in digital) == inside], "channel=<none>")
        if total in values and values[total] > 0:
            for c in channels:
                rates[("share", *c)] = Rate(c, total, 100 * values[c] / values[total])
            if ("contacts_received", "channel_group=digital", y) in values:
                digital_count = values[("contacts_received", "channel_group=digital", y)]
                rates[("digital_share", "", y)] = Rate(("contacts_received", "channel_group=digital", y), total,
                                                       100 * digital_count / values[total])
        close(("contacts_received", "channel=in_person", y), cells_of("contacts_received", "location=", y),
              "location=<none>")
        complaints = ("complaints_received", "", y)
        close(complaints, cells_of("complaints_received", "stage=", y), "stage=<none>")
        close(complaints, cells_of("complaints_received", "service=", y), "service=<none>")
        panel = ("panel_members", "", y)
        for dimension in ("age_band=", "sex="):
            close(panel, cells_of("panel_members", dimension, y), f"{dimension}<none>")
            if panel in values:
                for g in cells_of("panel_members", dimension, y):
                    rates[("panel_representation", g[1], y)] = Rate(g, panel, np.nan)
    _purpose_cells(purposes, year, add, close, rates, values)
    _consultation_cells(rows, year, add, lines, rates, values)
    _call_cells(rows, add, lines, rates, values)
    return values, published, lines, rates


def _purpose_cells(purposes, year, add, close, rates, values) -> None:
    """This year's visits by place and purpose (see :func:`disclosure_cells`); the pages show the three
    commonest purposes at each place (the facts list them commonest first)."""
    if purposes is None or purposes.empty:
        return
    for place, visits in purposes.groupby("location", sort=False):
        place_key = ("contacts_received", f"location={place}", year)
        if place_key not in values:
            continue
        parts = []
        for rank, (category, count) in enumerate(zip(visits["category"], visits["visits"])):
            key = add(("in_person_visits", f"location={place}|category={category}", year), count, rank < 3)
            parts.append(key)
            if rank < 3 and values[place_key] > 0:
                rates[("share", *key)] = Rate(key, place_key, 100 * count / values[place_key])
        close(place_key, parts, f"location={place}|category=<none>")


def _consultation_cells(rows, year, add, lines, rates, values) -> None:
    """Invited, opened and completed per consultation and year (see :func:`disclosure_cells`)."""
    opened = rows[rows["measure_id"] == "panel_open_rate"]
    completed = rows[rows["measure_id"] == "panel_completion_rate"].set_index(["year", "breakdown"])
    for y, breakdown, invited, opens, rate in zip(opened["year"], opened["breakdown"], opened["denominator"],
                                                  opened["numerator"], opened["value"]):
        shown = y == year and breakdown != ""
        base = add(("panel_invited", breakdown, y), invited, shown)
        opened_key = None if pd.isna(opens) else add(("panel_opened", breakdown, y), opens, shown)
        if opened_key:
            rates[("panel_open_rate", breakdown, y)] = Rate(opened_key, base, rate)
        done = completed["numerator"].get((y, breakdown), np.nan)
        if pd.isna(done):
            continue
        done_key = add(("panel_completed", breakdown, y), done, shown)
        rates[("panel_completion_rate", breakdown, y)] = Rate(done_key, base, completed["value"].get((y, breakdown)))
        if opened_key and breakdown != "":
            rates[("panel_completed_of_opened", breakdown, y)] = Rate(
                done_key, opened_key, 100 * done / opens if opens else np.nan)
    for step in ("panel_invited", "panel_opened", "panel_completed"):
        for y in sorted({k[2] for k in values if k[0] == step}):
            parts = tuple(sorted((k for k in values if k[0] == step and k[2] == y and k[1]), key=str))
            if (step, "", y) in values and parts:
                lines.append(Line((step, "", y), parts))


def _call_cells(rows, add, lines, rates, values) -> None:
    """Calls offered, answered, abandoned, ended in a callback and answered within the standard, each
    year (see :func:`disclosure_cells`): only calls offered and callbacks are shown as counts."""
    abandoned = rows[(rows["measure_id"] == "calls_abandoned") & (rows["breakdown"] == "")]
    by_year = {m: rows[(rows["measure_id"] == m) & (rows["breakdown"] == "")].set_index("year")
               for m in ("calls_callback", "calls_answered_within_standard")}
    for y, offered, lost, rate in zip(abandoned["year"], abandoned["denominator"], abandoned["numerator"],
                                      abandoned["value"]):
        if pd.isna(offered) or pd.isna(lost):
            continue
        offered_key = add(("calls", "", y), offered, True)
        lost_key = add(("calls", "outcome=abandoned", y), lost, False)
        rates[("calls_abandoned", "", y)] = Rate(lost_key, offered_key, rate)
        parts = [lost_key]
        callback = by_year["calls_callback"]
        if y in callback.index and not pd.isna(callback.at[y, "numerator"]):
            back = add(("calls", "outcome=callback", y), callback.at[y, "numerator"], True)
            rates[("calls_callback", "", y)] = Rate(back, offered_key, callback.at[y, "value"])
            parts.append(back)
        answered = add(("calls", "outcome=answered", y), offered - sum(values[p] for p in parts), False)
        lines.append(Line(offered_key, (answered, *parts)))
        within = by_year["calls_answered_within_standard"]
        if y in within.index and not pd.isna(within.at[y, "numerator"]):
            quick = add(("calls", "answered_within_standard", y), within.at[y, "numerator"], False)
            rates[("calls_answered_within_standard", "", y)] = Rate(quick, answered, within.at[y, "value"])


def plan_disclosure(measures: pd.DataFrame, purposes: pd.DataFrame | None, year: str, digital_channels,
                    minimum_count: int = 5) -> Disclosure:
    """The disclosure record of a year's pages: :func:`disclosure_cells` planned by :func:`plan_suppression`."""
    values, published, lines, rates = disclosure_cells(measures, purposes, year, digital_channels)
    small, secondary = plan_suppression(values, published, lines, rates, minimum_count)
    return Disclosure(minimum_count, values, rates, small, secondary)


def figure_hidden(wb, measure_id: str, breakdown: str, year: str | None) -> bool:
    """Whether the run hides this figure of ``wb.measures`` (a count hidden, or a percentage that would give
    a hidden count back). A change between two years is hidden ("too few to compare") where either year's
    figure is: with the other year's figure it would give the hidden one back."""
    if year is None:
        return False
    plan = disclosure(wb)
    key = (measure_id, breakdown or "", year)
    return plan.hidden(key) or plan.rate_hidden(key)


def measure_value_words(wb, row) -> str:
    """:func:`value_words` for one row of ``wb.measures`` as the run's disclosure record allows: a count
    hidden as well reads "not shown", a percentage that would give a hidden count back "too few to report".
    For the scorecard and every page that shows a measure's headline."""
    plan = disclosure(wb)
    year = row.get("year", wb.year)
    if year is None or is_missing(row.get("value")):  # no such year, or no figure: nothing to hide
        return value_words(row.get("value"), row.get("unit"), row.get("denominator"), plan.minimum_count)
    key = (row.get("measure_id"), row.get("breakdown", "") or "", year)
    if row.get("unit") == "percent" and plan.rate_hidden(key):
        return TOO_FEW
    if row.get("unit") == "count" and key in plan.values:
        return plan.count_words(key, row.get("value"))
    return value_words(row.get("value"), row.get("unit"), row.get("denominator"), plan.minimum_count)


def percent_words(value, denominator=None, minimum_count: int = 5, decimals: int = 1) -> str:
    """'87.3%'; 'too few to report' when the base is below the minimum count."""
    if denominator is not None and not is_missing(denominator) and float(denominator) < minimum_count:
        return "too few to report"
    if is_missing(value):
        return "not available"
    return f"{float(value):.{decimals}f}%"


def value_words(value, unit: str, denominator=None, minimum_count: int = 5) -> str:
    if unit == "percent":
        return percent_words(value, denominator, minimum_count)
    if unit == "count":
        return count_words(value, minimum_count)
    if is_missing(value):
        return "not available"
    if unit == "seconds":
        return f"{float(value):.0f} seconds"
    if unit == "days":
        return f"{float(value):.1f} days"
    return f"{float(value):.1f}"


# Where a measures row holds each comparison: (the other year's value, the change, whether it is significant,
# the other year's base). The bases are not in measures.csv; the scorecard adds them from the other year's row.
COMPARED_WITH = {
    "previous": ("previous_value", "change", "significant", "previous_denominator"),
    "baseline": ("baseline_value", "change_since_baseline", "significant_since_baseline", "baseline_denominator"),
}
UNTESTED_WORDS = "every action counted, so no test is needed"  # actions_*: the plan is every action


def change_words(row, minimum_count: int = 5, polarity: str | None = None, against: str = "previous",
                 figures: bool = False) -> str:
    """A change in plain words, careful about significance: on the year before (``against="previous"``) or
    since the strategy's baseline year (``against="baseline"``).

    Only a change that passed the significance test (a percentage, or net satisfaction) is called "improved"
    or "worse" (and only when the measure has a direction); any other change is described by its size alone,
    or as "no significant change". With ``figures`` the other year's figure follows the size ("improved: up
    6.6 points from 69.5%"), so a reader sees both years. A change where either year's figure is hidden (a base
    or a count below ``minimum_count``) is "too few to compare": the change would give the hidden figure back.
    """
    other_key, change_key, significant_key, base_key = COMPARED_WITH[against]
    change = row.get(change_key)
    if is_missing(change):
        return "no earlier figure" if against == "previous" else "no figure for that year"
    unit = row.get("unit")
    change = float(change)
    other = row.get(other_key)
    significant = row.get(significant_key)
    if unit == "percent":
        bases = (row.get("denominator"), row.get(base_key))
        if any(not is_missing(b) and float(b) < minimum_count for b in bases):
            return "too few to compare"
        size = f"{'up' if change > 0 else 'down'} {abs(change):.1f} points"
        then = f" from {percent_words(other)}" if figures and not is_missing(other) else ""
        if str(row.get("measure_id", "")).startswith("actions_"):
            return f"{size}{then} ({UNTESTED_WORDS})" if abs(change) >= 0.05 else f"no change{then}"
        if is_missing(significant) and is_missing(row.get("numerator")):
            return f"{size}{then} (a reported figure, so not tested for significance)"
        return _tested_words(change, size, then, significant, polarity)
    if unit == "count":
        counts = (row.get("value"), other)
        if any(not is_missing(c) and 1 <= round(float(c)) < minimum_count for c in counts):
            return "too few to compare"
        then = f" from {count_words(other, minimum_count)}" if figures and not is_missing(other) else ""
        if abs(change) < 0.5:
            return f"no change{then}"
        return f"{'up' if change > 0 else 'down'} {count_words(abs(change), minimum_count)}{then}"
    then = f" from {value_words(other, unit)}" if figures and not is_missing(other) else ""
    if unit == "score" and not is_missing(significant):  # net satisfaction has a test of its own
        ratings = row.get("ratings")
        if not is_missing(ratings) and float(ratings) < minimum_count:
            return "too few to compare"
        # "points", as for a percentage: net satisfaction is a score from -100 to 100, "up 10.1" alone has no unit.
        return _tested_words(change, f"{'up' if change > 0 else 'down'} {abs(change):.1f} points", then,
                             significant, polarity)
    if abs(change) < 0.05:
        return f"no change{then}"
    size = f"{abs(change):.1f} points" if unit == "score" else value_words(abs(change), unit)
    return f"{'up' if change > 0 else 'down'} {size}{then}"


def _tested_words(change: float, size: str, then: str, significant, polarity: str | None) -> str:
    """The verdict on a tested change: 'improved: up 6.6 points from 69.5%', 'worse: ...', 'up 2.0 points,
    a significant change' (no direction), 'no significant change (up 1.3 points from 85.2%)', 'no change'."""
    if is_yes(significant):
        better = (change > 0) if polarity == "higher_is_better" else (change < 0) if polarity == "lower_is_better" else None
        if better is None:
            return f"{size}{then}, a significant change"
        return f"{'improved' if better else 'worse'}: {size}{then}"
    return f"no significant change ({size}{then})" if abs(change) >= 0.05 else f"no change{then}"


def table(frame: pd.DataFrame, caption: str, numeric: tuple[str, ...] = (), status: tuple[str, ...] = (),
          stacked: bool = False, notes: tuple[str, ...] = ()) -> Html:
    """An accessible HTML table: caption, header cells with scope, every cell escaped.

    ``status``: columns of statuses (``STATUSES``); each such cell is classed by its status (``status-met``...)
    so that the style sheet can colour it, the words staying as they are. ``stacked``: on a narrow screen each
    row is shown as a card, each cell labelled with its column's heading (its ``data-label``), so that a phone
    needs no sideways scrolling; on a wider screen it is an ordinary table. ``notes``: columns of longer text
    (officers' commentary) shown not as a narrow column but as a row of their own under the row they belong to,
    across the whole table, labelled with the column's heading; a row without one has no note row.
    """
    number = ' class="number"'
    notes = tuple(c for c in notes if c in frame.columns)
    note_values = frame[list(notes)] if notes else None
    frame = frame.drop(columns=list(notes)) if notes else frame
    head = "".join(f'<th scope="col"{number if c in numeric else ""}>{escape(c)}</th>' for c in frame.columns)

    def cell(column, value) -> str:
        classes = (["number"] if column in numeric else []) + (
            ["status", STATUS_CLASSES.get(str(value), "")] if column in status else [])
        shown = " ".join(c for c in classes if c)
        attributes = (f' class="{shown}"' if shown else "") + (f' data-label="{escape(column)}"' if stacked else "")
        return f"<td{attributes}>{escape(value)}</td>"

    body = []
    for position, record in enumerate(frame.itertuples(index=False)):
        cells = "".join(cell(c, v) for c, v in zip(frame.columns, record))
        body.append(f"<tr>{cells}</tr>")
        for column in notes:
            value = note_values.iloc[position][column]
            if not is_missing(value) and str(value).strip():
                body.append(f'<tr class="note-row"><td colspan="{len(frame.columns)}"><span class="note-label">'
                            f"{escape(column)}:</span> {escape(value)}</td></tr>")
    # A wide table scrolls on a phone: the region takes keyboard focus so it can be scrolled without a mouse.
    return Html(f'<div class="table-scroll" tabindex="0" role="region" aria-label="{escape(caption)}">'
                f'<table class="members-table{" stacked" if stacked else ""}"><caption>{escape(caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def paragraph(text: str) -> Html:
    return Html(f"<p>{escape(text)}</p>")


def capital(text: str) -> str:
    """The first letter in capitals, the rest as written: 'in-person places' -> 'In-person places' at the start
    of a sentence or heading ('Advice and Information Centres' stays as the council writes it)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def say(*sentences) -> Html:
    """Paragraphs for members, one per sentence (or group of sentences) given; empty ones are left out."""
    return Html("".join(str(paragraph(s)) for s in sentences if s))


NUMBER_WORDS = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
                8: "eight", 9: "nine"}


def number_words(n: int) -> str:
    """Small whole numbers in words, as in prose ("two of the four"); 10 and over in figures."""
    return NUMBER_WORDS.get(int(n), f"{int(n):,}")


def list_words(items, empty: str = "none") -> str:
    """['a', 'b', 'c'] -> 'a, b and c'; ``empty`` when there are none."""
    items = [str(i) for i in items]
    if not items:
        return empty
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def date_words(value) -> str:
    """A date as members read it: '5 June 2024' ('not recorded' when missing)."""
    if value is None or pd.isna(value):
        return "not recorded"
    return pd.Timestamp(value).strftime("%d %B %Y").lstrip("0")


def name_from_id(identifier) -> str:
    """An identifier from a system as words: 'council-plan-2024' -> 'Council plan 2024'."""
    return str(identifier).replace("-", " ").replace("_", " ").strip().capitalize()


# How representation (share of the panel / share of residents) is read: below UNDER, under-represented.
UNDER_REPRESENTED, OVER_REPRESENTED = 0.8, 1.25


def representation_words(ratio) -> str:
    if ratio is None or pd.isna(ratio):
        return "not available"
    if ratio < UNDER_REPRESENTED:
        return "under-represented"
    return "over-represented" if ratio > OVER_REPRESENTED else "broadly representative"


def group_words(breakdown: str, heading: bool = False) -> str:
    """A group of residents as members say it. In a sentence: 'age_band=16-24' -> 'aged 16 to 24',
    'age_band=75+' -> 'aged 75 and over', 'sex=Male' -> 'men'; as a table heading ('heading=True'):
    'Aged 16 to 24', 'Male'; another dimension: 'ethnic group White British' / 'Ethnic group: White British'."""
    dimension, _, category = breakdown.partition("=")
    if dimension == "age_band":
        ages = f"{category[:-1]} and over" if category.endswith("+") else category.replace("-", " to ")
        return f"{'Aged' if heading else 'aged'} {ages}"
    if dimension == "sex":
        return category if heading else {"Male": "men", "Female": "women"}.get(category, category.lower())
    words = dimension.replace("_", " ")
    return f"{words[:1].upper()}{words[1:]}: {category}" if heading else f"{words} {category}"


def groups_words(breakdowns) -> str:
    """['age_band=16-24', 'age_band=25-34', 'sex=Male'] -> 'aged 16 to 24 and 25 to 34, and men'."""
    ordered = sorted(breakdowns)
    ages = [group_words(b).removeprefix("aged ") for b in ordered if b.startswith("age_band=")]
    rest = [group_words(b) for b in ordered if not b.startswith("age_band=")]
    parts = ([f"aged {list_words(ages)}"] if ages else []) + rest
    if len(parts) > 1 and ages:
        return f"{', '.join(parts[:-1])}, and {parts[-1]}"
    return list_words(parts)


# --- what the council's exports do not record ----------------------------------------------------
#
# A column no export has is filled with empty values so that the counting rules can run, and
# counted it reads as "none": every response late, nothing carried forward, nobody opened an
# invitation. The pages ask the loader (``workbook.data.recorded``) and say it is not recorded instead.

DATASET_WORDS = {
    "action_plan": "action plan", "contacts": "contacts", "calls": "telephony data", "complaints": "complaints",
    "feedback": "GovMetric feedback", "survey": "residents' survey", "panel": "Citizens' Panel membership",
    "panel_invitations": "Citizens' Panel invitations", "population": "population figures",
    "measures": "register of measures", "manual_measures": "figures reported by services",
    "commentary": "officers' commentary",
}
# Each optional column as the sentence "<the dataset> does not record <what>" says it.
RECORDED_SUBJECT = {
    "action_plan": "The action plan", "contacts": "The contacts data", "calls": "The telephony data",
    "complaints": "The complaints data", "survey": "The survey data", "panel": "The Citizens' Panel data",
    "panel_invitations": "The Citizens' Panel invitation data",
}
COLUMN_WORDS = {
    ("action_plan", "carried_from"): "which later action continues each action",
    ("contacts", "responded_at"): "when each contact had its full response",
    ("contacts", "acknowledged_at"): "when each contact was acknowledged",
    ("contacts", "resolved_first_contact"): "whether a contact was resolved at the first contact",
    ("contacts", "location"): "where each in-person visit was made",
    ("contacts", "category"): "what each contact was about",
    ("complaints", "acknowledged_at"): "when each complaint was acknowledged",
    ("complaints", "responded_at"): "when each complaint was answered",
    ("complaints", "outcome"): "whether each complaint was upheld",
    ("panel", "age_band"): "members' ages",
    ("panel", "sex"): "members' sex",
    ("panel_invitations", "opened_on"): "who opened an invitation",
    ("panel_invitations", "completed_on"): "who completed a consultation",
    ("survey", "question_text"): "the wording of each question as it was asked each year",
    ("action_plan", "measure_id"): "the outcome measure each action is meant to move",
}
NOT_RECORDED = "not recorded"


def not_recorded(workbook, dataset: str, column: str | None = None) -> str:
    """Why a figure cannot be given, as a sentence without its full stop ('' when the exports record it):
    'The data for this report has no complaints', 'The action plan does not record which later action continues
    each action'."""
    if not workbook.data.recorded(dataset):
        return f"The data for this report has no {DATASET_WORDS.get(dataset, dataset.replace('_', ' '))}"
    if column is None or workbook.data.recorded(dataset, column):
        return ""
    subject = RECORDED_SUBJECT.get(dataset, f"The {DATASET_WORDS.get(dataset, dataset)} data")
    return f"{subject} does not record {COLUMN_WORDS.get((dataset, column), column.replace('_', ' '))}"


def measure_not_recorded(workbook, measure_id: str) -> str:
    """'' when the exports record what the measure is counted from; otherwise :func:`not_recorded`'s words."""
    need = MEASURE_NEEDS.get(measure_id)
    return not_recorded(workbook, *need) if need else ""


def measure_name(measure_id: str, register: pd.DataFrame | None = None) -> str:
    if register is not None and measure_id in set(register["measure_id"]):
        return str(register.loc[register["measure_id"] == measure_id, "name"].iloc[0])
    return MEASURE_NAMES.get(measure_id, measure_id.replace("_", " ").capitalize())


def breakdown_value(breakdown: str) -> str:
    """'channel=online_form' -> 'Online form'."""
    name, _, value = breakdown.partition("=")
    return CHANNEL_NAMES.get(value, value) if name == "channel" else value


def by_year_table(workbook, measure_id: str, breakdown: str, caption: str, label: str) -> Html:
    """One measure by a breakdown (rows) and year (columns), formatted and suppressed."""
    missing = measure_not_recorded(workbook, measure_id)
    if missing:
        return paragraph(f"{missing}, so this is not shown.")
    rows = workbook.measure(measure_id, breakdown)
    minimum = workbook.config.minimum_count
    if rows.empty:
        return paragraph("There is no data for this.")
    rows = rows.assign(
        shown=[value_words(v, u, d, minimum) for v, u, d in zip(rows["value"], rows["unit"], rows["denominator"])],
        label=rows["breakdown"].map(breakdown_value) if breakdown else "All",
    )
    wide = rows.pivot(index="label", columns="year", values="shown").fillna("not available")
    wide = wide.reset_index().rename(columns={"label": label})
    return table(wide, caption, numeric=tuple(workbook.years))


def baseline_year(workbook) -> str | None:
    """The strategy's baseline year: ``[strategy] baseline_year`` in council.toml, else the one measures.csv
    was compared with, else the first year in the data."""
    configured = getattr(workbook.config, "baseline_year", None)
    if configured:
        return configured
    measures = workbook.measures
    if "baseline_year" in measures and measures["baseline_year"].notna().any():
        return str(measures["baseline_year"].dropna().iloc[0])
    return workbook.years[0] if workbook.years else None


def compared_baseline(workbook) -> str | None:
    """The baseline year when the year's pages compare with it beside the year before: a year before the
    year before. None for the baseline year itself, the year after it (the year before is the baseline) and
    any year before the strategy began."""
    baseline = baseline_year(workbook)
    previous = workbook.previous_year if hasattr(workbook, "previous_year") else None
    if baseline is None or baseline >= workbook.year or baseline == previous:
        return None
    return baseline


def began_words(year: str) -> str:
    """'2021/22 when the strategy began'."""
    return f"{year} when the strategy began"


def _comparison_item(line: dict, first: str, year: str, previous: str | None, baseline: str | None) -> str:
    """One measure of the index page's lists with both years' figures, saying the other comparison too where
    it differs: 'Calls answered within 20 seconds: 76.1% in 2024/25, worse than 77.6% in 2021/22 when the
    strategy began, though better than 69.5% in 2023/24'. ``first``: the comparison the list is of."""
    parts = {
        "previous": (line["previous_verdict"], f"{line['previous_shown']} in {previous}"),
        "baseline": (line["baseline_verdict"], f"{line['baseline_shown']} in {began_words(baseline)}"
                     if baseline else ""),
    }
    verdict, then = parts[first]
    other_verdict, other_then = parts["baseline" if first == "previous" else "previous"]
    text = f"{line['Measure']}: {line['value_shown']} in {year}, {verdict} than {then}"
    if other_verdict == verdict:
        text += f" and than {other_then}"
    elif other_verdict:
        text += f", though {other_verdict} than {other_then}" if first == "baseline" else \
            f" but still {other_verdict} than {other_then}"
    elif first == "previous" and baseline and line["baseline_compared"]:
        text += f"; no significant change from {other_then}"
    elif first == "previous" and baseline and line["baseline_unlike"]:
        text += f"; not compared with {baseline}, as {line['baseline_unlike']}"
    return text


def headline_summary(workbook) -> list[tuple[str, list[str]]]:
    """What the year's index page opens with: (sentence, measures it lists), for actions achieved, targets
    met and missed, and the changes that are statistically significant, on the year before and since the
    strategy's baseline year, each with both years' figures. A measure better than the year before but worse
    than the baseline says both: recovering from a bad year is not improving on where the strategy began."""
    summary: list[tuple[str, list[str]]] = []
    achieved = workbook.value("actions_achieved")
    if achieved is not None and not is_missing(achieved["denominator"]):
        done = int(achieved["numerator"])
        summary.append((f"{done} of the {int(achieved['denominator'])} actions in the {workbook.year} action plan "
                        f"{'was' if done == 1 else 'were'} achieved.", []))
    card = scorecard_frame(workbook)
    if card.empty:
        return summary
    lines = card.to_dict("records")
    year, previous, baseline = workbook.year, workbook.previous_year, compared_baseline(workbook)
    began = baseline_year(workbook)
    previous_words = (f"{previous}, the year before and the year the strategy began" if previous and previous == began
                      else "the year before")
    # A target "improving but not met" is not met: it is listed with the others, saying it is improving.
    for sentence, statuses in (("Targets met ({n}):", ("met",)),
                               ("Targets not met ({n}):", ("not met", "improving but not met"))):
        names = [f"{line['Measure']}: {line['value_shown']}, target {line['Target']}"
                 + (" (improving but not met)" if line["Status"] == "improving but not met" else "")
                 for line in lines if line["Status"] in statuses]
        if names:
            summary.append((sentence.format(n=len(names)), names))
    for verdict in ("better", "worse"):
        names = [_comparison_item(line, "previous", year, previous, baseline) for line in lines
                 if line["previous_verdict"] == verdict]
        if names:
            summary.append((f"Significantly {verdict} than {previous_words} ({len(names)}):", names))
    if baseline is None:
        return summary
    for verdict in ("better", "worse"):
        names = [_comparison_item(line, "baseline", year, previous, baseline) for line in lines
                 if line["baseline_verdict"] == verdict]
        if names:
            summary.append((f"Significantly {verdict} than in {began_words(baseline)} ({len(names)}):", names))
        elif verdict == "worse":
            summary.append((f"No measure that can be tested is significantly worse than in {began_words(baseline)}.",
                            []))
    unlike = [f"{line['Measure']}: {line['baseline_unlike']}" for line in lines if line["baseline_unlike"]]
    if unlike:
        summary.append((f"Not compared with {baseline}, because a standard changed since then ({len(unlike)}):",
                        unlike))
    return summary


# --- officers' commentary (the commentary dataset): their words beside a measure ------------------------
#
# Plain text as the officers wrote it, escaped wherever it is shown (``table`` and ``paragraph`` escape), so markup
# typed into a spreadsheet cell reads as text. Used by the scorecard (a column of its own) and by each measure's
# page (pages.commentary).

COMMENTARY_COLUMN = "Officers' commentary"
COMMENTARY_COLUMNS = ["measure_id", "year", "commentary", "next_steps", "owner"]


def commentary_rows(workbook, measure_ids=None, year: str | None = None) -> pd.DataFrame:
    """The commentary for ``year`` (the workbook's year by default): one row per measure, only those of
    ``measure_ids`` and in their order when it is given; empty when the council has none for that year."""
    frame = workbook.data.get("commentary")
    if frame is None or frame.empty:
        return pd.DataFrame(columns=COMMENTARY_COLUMNS)
    rows = frame[frame["year"].astype("string") == (year or workbook.year)]
    if measure_ids is not None:
        order = {m: i for i, m in enumerate(dict.fromkeys(measure_ids))}
        rows = rows[rows["measure_id"].isin(list(order))]
        rows = rows.iloc[np.argsort(rows["measure_id"].map(order).to_numpy(dtype="int64"), kind="stable")]
    return rows[COMMENTARY_COLUMNS].reset_index(drop=True)


def _given(value) -> str:
    """A text cell as one line ('' when empty): a cell typed over several lines reads as one here."""
    return "" if is_missing(value) else " ".join(str(value).split())


def _sentence(text: str) -> str:
    """A full stop at the end of a text that has none, so the commentary and its next steps read as sentences."""
    return text if not text or text[-1] in ".!?:;)\"'\u201d" else text + "."


def commentary_words(row) -> str:
    """One measure's commentary as plain text for one cell: 'Answered within 20 seconds ... target. Next steps:
    recruit ... (Customer Services Manager)'. Not escaped: ``table`` escapes it."""
    text = _sentence(_given(row.get("commentary")))
    steps = _given(row.get("next_steps"))
    if steps:
        text += f" Next steps: {_sentence(steps)}"
    owner = _given(row.get("owner"))
    return f"{text} ({owner})" if owner else text


def _with_commentary(workbook, frame: pd.DataFrame) -> pd.DataFrame:
    """The scorecard frame with the year's officers' commentary beside each measure it is about, on the measure's
    first line (the survey's questions share one); the frame as it was when no measure on it has any."""
    rows = commentary_rows(workbook)
    if rows.empty or frame.empty:
        return frame
    words = dict(zip(rows["measure_id"], (commentary_words(r) for r in rows.to_dict("records"))))
    column = frame["measure_id"].map(words).where(~frame["measure_id"].duplicated()).fillna("")
    if not column.astype(bool).any():  # commentary only on measures that are not on the scorecard
        return frame
    return frame.assign(**{COMMENTARY_COLUMN: column})


# --- the scorecard --------------------------------------------------------------------------

SCORECARD_ORDER = (
    "actions_achieved", "responses_within_standard", "acknowledgements_within_standard", "first_contact_resolution",
    "calls_answered_within_standard", "calls_abandoned", "calls_callback", "average_speed_of_answer",
    "complaints_acknowledged_within_standard", "complaints_responded_within_standard", "complaints_upheld",
    # The Complaint Handling Code's measures, after the complaints' own.
    "complaints_responded_within_extension", "complaints_extended", "complaints_not_accepted", "ombudsman_upheld",
    "ombudsman_remedy_complied",
    "net_satisfaction", "survey_positive", "digital_share", "contacts_received", "panel_members",
    "panel_open_rate", "panel_completion_rate",
)
# Measures that are described elsewhere and do not fit one line of a scorecard. ombudsman_decisions is a count by
# outcome, given on the Code's page. complaints_extended, complaints_not_accepted and ombudsman_upheld are
# percentages of counts a page shows (complaints received; the decisions upheld and not upheld), which the run's
# record does not hold yet: on the scorecard a small count could be worked back from them, so only the Code's
# page, which plans them with its own record (pages.code_disclosure), shows them. ombudsman_remedy_complied is a
# percentage of a handful of remedies: the Code's page shows it only while the remedies complied with and not
# complied with may both be shown (57.1% of 7 is 3 not complied with), by that page's record, which the scorecard
# does not ask; so it is on the Code's page only, and the scorecard never shows a figure that page hides.
NOT_ON_SCORECARD = {"actions_not_achieved", "actions_carried_forward", "panel_representation", "complaints_received",
                    "ombudsman_decisions", "complaints_extended", "complaints_not_accepted", "ombudsman_upheld",
                    "ombudsman_remedy_complied"}


def _register_lookup(register: pd.DataFrame | None) -> dict[str, dict]:
    if register is None or register.empty:
        return {}
    return {r["measure_id"]: r for r in register.to_dict("records")}


# The scorecard frame's columns that are not shown: what the index page's lists are made from.
SCORECARD_HIDDEN = ["measure_id", "breakdown", "value_shown", "previous_shown", "baseline_shown", "previous_verdict",
                    "baseline_verdict", "baseline_unlike", "baseline_compared"]


def _other_bases(workbook, rows: pd.DataFrame, years: dict[str, str | None]) -> pd.DataFrame:
    """``rows`` with each other year's base beside it (``previous_denominator``, ``baseline_denominator``), so a
    change is not given where the other year's percentage is hidden."""
    measures = workbook.measures
    rows = rows.copy()
    for name, other in years.items():
        column = f"{name}_denominator"
        if other is None or "denominator" not in measures:
            rows[column] = np.nan
            continue
        then = measures[measures["year"] == other][["measure_id", "breakdown", "denominator"]]
        then = then.drop_duplicates(["measure_id", "breakdown"]).rename(columns={"denominator": column})
        rows = rows.merge(then, on=["measure_id", "breakdown"], how="left")
    return rows


def _verdict(words: str) -> str:
    """'better' or 'worse' from a change's words (only a significant change with a direction has one)."""
    return "better" if words.startswith("improved") else "worse" if words.startswith("worse") else ""


def _to_be_agreed(row: dict, value: str, year: str, baseline: str | None, began: str | None, unlike: str,
                  minimum: int) -> str:
    """A target still to be agreed, with the baseline year's figure as the baseline and this year's beside it:
    'to be agreed (baseline 51.0% in 2021/22; 65.0% in 2024/25)'."""
    if baseline is None:
        if began and began > year:
            return f"to be agreed ({value} in {year}; the strategy's baseline year is {began})"
        return f"to be agreed (baseline {value}, {year})"
    if unlike:
        return f"to be agreed ({baseline} is not a like-for-like baseline: {unlike}; {value} in {year})"
    if is_missing(row.get("baseline_value")):
        return f"to be agreed (no {baseline} figure to set a baseline from; {value} in {year})"
    then = value_words(row["baseline_value"], row["unit"], row.get("baseline_denominator"), minimum)
    if then == "too few to report":
        return f"to be agreed (too few in {baseline} to set a baseline; {value} in {year})"
    return f"to be agreed (baseline {then} in {baseline}; {value} in {year})"


# --- the scorecard's "Monthly pattern" where there is none (helper H) ---------------------------------------

NOT_MONTHLY = "not counted month by month"


def _not_monthly(workbook, measure_id: str) -> str:
    """The "Monthly pattern" cell of a measure with no reading: "not counted month by month" where it has no
    monthly series, or one with no figure in it (a yearly survey, the panel's members), so that a blank cell
    does not leave members guessing; '' for a series with figures (its reading is in ``signals``)."""
    series = (getattr(workbook, "monthly", None) or {}).get(measure_id)
    return NOT_MONTHLY if series is None or not series["value"].notna().any() else ""


def scorecard_frame(workbook, signals: dict[str, str] | None = None) -> pd.DataFrame:
    """Each measure of the year on one line: value, target (or 'to be agreed' with the baseline year's figure
    and this year's), its status (``scorecard_status``), the change on the year before and since the
    strategy's baseline year (significance-aware, with the other year's figure), the monthly signal and, in a year that has any, the
    officers' commentary (``COMMENTARY_COLUMN``). The columns in
    ``SCORECARD_HIDDEN`` are not shown: the index page's lists are made from them."""
    register = _register_lookup(workbook.data.get("measures"))
    minimum = workbook.config.minimum_count
    signals = signals if signals is not None else getattr(workbook, "signals", {}) or {}
    year = workbook.year
    previous = workbook.previous_year if hasattr(workbook, "previous_year") else None
    began = baseline_year(workbook)
    baseline = began if began is not None and began < year else None  # the baseline year's figure, for targets
    column = compared_baseline(workbook)  # a column of its own only when it is not the year before
    year_rows = workbook.measures[workbook.measures["year"] == year]
    year_rows = _other_bases(workbook, year_rows, {"previous": previous, "baseline": baseline})
    present_ids = list(dict.fromkeys(year_rows["measure_id"]))
    ordered = [m for m in SCORECARD_ORDER if m in present_ids or m in register]
    ordered = list(dict.fromkeys(ordered + list(register) + present_ids))
    questions = workbook.config.survey_questions
    since = f"Since {began_words(column)}" if column else None
    records = []
    for measure_id in ordered:
        if measure_id in NOT_ON_SCORECARD:
            continue
        entry = register.get(measure_id, {})
        polarity = entry.get("polarity")
        rows = year_rows[year_rows["measure_id"] == measure_id]
        headline = rows[rows["breakdown"] == ""]
        if headline.empty and measure_id == "survey_positive":
            lines = [(r, f"{measure_name(measure_id, workbook.data.get('measures'))}: "
                         f"{_question_label(r['breakdown'], questions)}") for r in rows.to_dict("records")]
        elif headline.empty:
            lines = [({"value": np.nan, "unit": entry.get("unit", ""), "denominator": np.nan, "change": np.nan,
                       "target": entry.get("target", np.nan), "target_met": pd.NA, "breakdown": ""},
                      measure_name(measure_id, workbook.data.get("measures")))]
        else:
            lines = [(headline.iloc[0].to_dict(), measure_name(measure_id, workbook.data.get("measures")))]
        # Counted from a column the exports do not have, the figure would read "none" (every response late):
        # the line says "not recorded", is judged against no target and compared with no year.
        unrecorded = bool(measure_not_recorded(workbook, measure_id))
        for row, name in lines:
            breakdown = row.get("breakdown", "")
            in_register = bool(entry)
            known = not unrecorded and not is_missing(row["value"])
            # The run's disclosure record decides what is hidden, the same on every page; a change beside a
            # hidden figure, with the other year's figure, would give it back.
            value = measure_value_words(workbook, {**row, "measure_id": measure_id, "year": year})
            hidden = figure_hidden(workbook, measure_id, breakdown, year)
            unlike = list_words(standard_changes(workbook.config, measure_id, breakdown, year, baseline),
                                empty="") if baseline else ""
            if is_missing(row.get("target")):
                target = (_to_be_agreed(row, value, year, baseline, began, unlike, minimum) if in_register and known
                          else "to be agreed" if in_register else "no target")
            else:
                target = (f"{float(row['target']):,.0f}" if row["unit"] == "count"
                          else value_words(row["target"], row["unit"]))
            before = "" if unrecorded else "too few to compare" if hidden or figure_hidden(
                workbook, measure_id, breakdown, previous) else (
                standard_change_words(workbook.config, measure_id, breakdown, year)
                or change_words(row, minimum, polarity, figures=True))
            status = scorecard_status(in_register, row.get("target"), row.get("target_met"),
                                      _verdict(before) == "better", recorded=not unrecorded)
            record = {
                "measure_id": measure_id,
                "breakdown": breakdown,
                "Measure": name,
                year: NOT_RECORDED if unrecorded else value if known else "no data this year",
                "Target": target,
                "Status": status,
                "Change on the year before": before,
            }
            after = ""
            if since:
                after = "" if unrecorded else (f"not like for like: {unlike}" if unlike else "too few to compare"
                                               if hidden or figure_hidden(workbook, measure_id, breakdown, column)
                                               else change_words(row, minimum, polarity, "baseline", figures=True))
                record[since] = f"no {column} figure" if after == "no figure for that year" else after
            record["Monthly pattern"] = ("" if unrecorded
                                         else signals.get(measure_id) or _not_monthly(workbook, measure_id))
            record.update({
                "value_shown": value,
                "previous_shown": measure_value_words(workbook, {
                    "measure_id": measure_id, "breakdown": breakdown, "year": previous, "unit": row["unit"],
                    "value": row.get("previous_value"), "denominator": row.get("previous_denominator")}),
                "baseline_shown": measure_value_words(workbook, {
                    "measure_id": measure_id, "breakdown": breakdown, "year": baseline, "unit": row["unit"],
                    "value": row.get("baseline_value"), "denominator": row.get("baseline_denominator")}),
                "previous_verdict": _verdict(before),
                "baseline_verdict": _verdict(after),
                "baseline_unlike": unlike if since and not unrecorded else "",
                # compared with the baseline and found no different (not too few, not untested, not unlike)
                "baseline_compared": after.startswith(("no significant change", "no change"))
                and not is_missing(row.get("significant_since_baseline")),
            })
            records.append(record)
    # The officers' commentary, a column of its own only in a year that has some (COMMENTARY_COLUMN).
    return _with_commentary(workbook, pd.DataFrame(records))


STANDARD_MEASURES = {"responses_within_standard": "respond", "acknowledgements_within_standard": "acknowledge"}


def standard_change_words(config, measure_id: str, breakdown: str, year: str, since: str | None = None) -> str:
    """'' when the year before (or ``since``, another year) measured this figure against the same standards;
    otherwise why the two years are not like for like, e.g. 'not like for like: the email standard changed
    from 10 to 5 working days'."""
    changes = standard_changes(config, measure_id, breakdown, year, since)
    return f"not like for like: {list_words(changes)}" if changes else ""


def standard_changes(config, measure_id: str, breakdown: str, year: str, since: str | None = None) -> list[str]:
    """Each standard this figure counts against that changed from the year before ``year`` (or from ``since``,
    such as the strategy's baseline year, to ``year``), in words: ['the email standard changed from 10 to 5
    working days']. A channel breakdown counts against its own channel's standard; a channel group
    (``channel_group=digital``) against those of its channels; anything else against every channel's."""
    kind = STANDARD_MEASURES.get(measure_id)
    if kind is None:
        return []
    standards = config.respond_within if kind == "respond" else config.acknowledge_within
    dimension, _, value = breakdown.partition("=")
    digital = set(config.digital_channels)
    counted = {"channel": lambda name: name == value,
               "channel_group": lambda name: (name in digital) == (value == "digital")}.get(
        dimension, lambda name: True)
    start = year_start(year)
    then = start - 1 if since is None else year_start(since)
    changed = []
    for name, standard in standards.items():
        if not counted(name):
            continue
        before, now = standard.for_year(then), standard.for_year(start)
        if before != now:
            shown = CHANNEL_NAMES.get(name, name)
            changed.append(f"the {shown if shown == 'Report It' else shown.lower()} standard changed from {before} "
                           f"to {now} working days")
    return changed


def _question_label(breakdown: str, questions) -> str:
    question_id = breakdown.partition("=")[2]
    question = questions.get(question_id)
    return question.text if question else question_id


def scorecard_table(workbook, signals: dict[str, str] | None = None) -> Html:
    frame = scorecard_frame(workbook, signals)
    if frame.empty:
        return paragraph("No measures could be computed from this data.")
    shown = frame.drop(columns=SCORECARD_HIDDEN)
    if shown["Monthly pattern"].isin(["", NOT_MONTHLY]).all():  # no measure is counted month by month
        shown = shown.drop(columns="Monthly pattern")
    baseline = compared_baseline(workbook)
    against = f", the year before and {began_words(baseline)}" if baseline else " and the year before"
    # Stacked: on a phone each measure is a card, so its value, target, status and changes need no scrolling.
    # Officers' commentary is longer than a cell: it is a row of its own under its measure's.
    return table(shown, f"Scorecard, {workbook.year}: every measure against its target{against}",
                 numeric=(workbook.year,), status=("Status",), stacked=True, notes=(COMMENTARY_COLUMN,))


# --- the scorecard's status: one rule, in words (README "The status of a measure") ------------

# Every status the scorecard can give, in the order a summary counts them. Each is always written out in words;
# the colour the members' style sheet gives it (STATUS_CLASSES) only repeats what the words say.
STATUSES = ("met", "improving but not met", "not met", "to be agreed", "no target", "not judged")
STATUS_CLASSES = {status: "status-" + status.replace(" ", "-") for status in STATUSES}


def scorecard_status(in_register: bool, target, target_met, improved: bool, recorded: bool = True) -> str:
    """A measure's status against its target, in words, by the rule README documents:

    - ``no target``: the measure is not in the measures register;
    - ``to be agreed``: it is in the register, with no target yet;
    - ``not judged``: there is a target, but nothing to judge it by (the figure is not recorded, there is no
      figure this year, or the measure is ``neutral``, with no better direction);
    - ``met``: the figure meets the target (``target_met``, which already respects the measure's polarity);
    - ``improving but not met``: it misses the target, but the change on the year before is a statistically
      significant improvement (``improved``: the scorecard's own verdict, "improved: ...");
    - ``not met``: it misses the target otherwise.
    """
    if not in_register:
        return "no target"
    if is_missing(target):
        return "to be agreed"
    if not recorded or is_missing(target_met):
        return "not judged"
    if bool(target_met):
        return "met"
    return "improving but not met" if improved else "not met"
