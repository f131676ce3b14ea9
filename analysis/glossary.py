"""The glossary: the words of the members' pages a councillor may not know, and the links to it.

Each year's folder has ``glossary.html`` (``publish.write_glossary``), one entry per term, each worded from
the same rules as the figures (README, "How figures are counted"; the data contract) and from the council's
own settings (its minimum count, its bank holidays, the year its strategy began). Every page links the
first use of each term to its entry, and only the first:

- the notebook pages through ``GlossaryLinks``, an nbconvert preprocessor (registered in
  ``publish._exporter``) that links markdown cells and HTML outputs in the order the page shows them;
- the index page through ``link_page``, on its ``<main>``.

Both work on parsed HTML (BeautifulSoup, which nbconvert depends on) and change only text: never inside a
link, a heading, a table's header or caption, code, or a collapsed ``<details>`` (the numbers under a chart),
where a link would be hidden or would break what is there.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbconvert.preprocessors import Preprocessor

GLOSSARY_PAGE = "glossary.html"
# Text inside these is never linked: a link inside a link is not allowed; headings, table headers and captions
# name what follows and are read on their own (in a screen reader's list of headings, say); code is code; the
# summary of a <details> is itself a control; and what a closed <details> holds is not seen until opened, so
# the first use a reader sees is the one after it.
NOT_LINKED = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "th", "caption", "thead", "code", "pre", "kbd", "samp",
              "script", "style", "summary", "details", "button", "label", "select", "option", "textarea", "title",
              "svg", "math", "nav", "header", "footer"}
LINK_CLASS = "glossary-term"
_TAGS = BeautifulSoup("", "html.parser")  # makes the new links (a tag can be moved into any other tree)


@dataclass(frozen=True)
class Term:
    """One entry: its anchor on the glossary page, its name there, what it means (paragraphs of plain text)
    and the phrases that are uses of it on a page (regular expressions, matched without regard to capitals,
    as whole words)."""

    anchor: str
    name: str
    definition: tuple[str, ...]
    phrases: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern:
        return _compiled(self.phrases)


_PATTERNS: dict[tuple[str, ...], re.Pattern] = {}


def _compiled(phrases: tuple[str, ...]) -> re.Pattern:
    """One pattern for a term's phrases, longest first (so 'statistically significant' wins over
    'significant'), as whole words: not inside a longer word or a hyphenated one."""
    if phrases not in _PATTERNS:
        ordered = sorted(phrases, key=len, reverse=True)
        _PATTERNS[phrases] = re.compile(r"(?<![\w-])(?:" + "|".join(ordered) + r")(?![\w-])", re.IGNORECASE)
    return _PATTERNS[phrases]


# --- what the terms mean ----------------------------------------------------------------------

BANK_HOLIDAYS = {"england-and-wales": "England and Wales", "scotland": "Scotland",
                 "northern-ireland": "Northern Ireland"}


@dataclass(frozen=True)
class Facts:
    """The council's own settings the definitions quote, so that the glossary says what its pages count."""

    minimum_count: int = 5
    year_start_month: int = 4
    bank_holidays: str = "england-and-wales"
    closure_days: bool = True
    phone_seconds: int | None = None
    complaint_days: tuple[int | None, int | None, int | None] = (None, None, None)  # acknowledge, stage 1, 2
    digital_channels: tuple[str, ...] = ()
    baseline_year: str | None = None
    screen_outliers: bool = True  # [spc] screen_outliers


def facts_of(workbook) -> Facts:
    """The Facts of a prepared workbook (its council.toml, and the strategy's baseline year)."""
    from analysis.present import CHANNEL_NAMES, baseline_year

    config = workbook.config
    return Facts(
        minimum_count=config.minimum_count, year_start_month=config.year_start_month,
        bank_holidays=config.bank_holidays, closure_days=bool(config.closure_days),
        phone_seconds=config.phone_answer_within_seconds,
        complaint_days=(config.complaint_acknowledge_within, config.complaint_stage1_within,
                        config.complaint_stage2_within),
        digital_channels=tuple(CHANNEL_NAMES.get(c, c.replace("_", " ").capitalize())
                               for c in config.digital_channels),
        baseline_year=baseline_year(workbook), screen_outliers=config.spc_screen_outliers)


def _year_words(start_month: int) -> str:
    """'1 April to 31 March' for a year starting in April (the last day of the month before the start)."""
    end_month = (start_month - 2) % 12 + 1
    last_day = calendar.monthrange(2001, end_month)[1]  # 2001: not a leap year, so February ends on the 28th
    if end_month == 2:
        return f"1 {calendar.month_name[start_month]} to the end of February"
    return f"1 {calendar.month_name[start_month]} to {last_day} {calendar.month_name[end_month]}"


def _list(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def glossary_terms(facts: Facts | None = None) -> tuple[Term, ...]:
    """Every term of the glossary, in the order its page lists them (alphabetical by name). The phrases
    depend only on the minimum count ('fewer than 5'), so a page is linked the same way whatever the rest."""
    f = facts or Facts()
    m = f.minimum_count
    region = BANK_HOLIDAYS.get(f.bank_holidays, f.bank_holidays.replace("-", " "))
    closed = " and the days the council is closed (such as between Christmas and New Year)" if f.closure_days else ""
    phone = (f" and a phone call answered within {f.phone_seconds} seconds" if f.phone_seconds else "")
    acknowledge, stage1, stage2 = f.complaint_days
    code_days = "; ".join(part for part in (
        f"acknowledge a complaint within {acknowledge} working days of receiving it" if acknowledge else "",
        f"answer at stage 1 within {stage1} working days of the acknowledgement" if stage1 else "",
        f"answer at stage 2 within {stage2} working days of the acknowledgement" if stage2 else "") if part)
    began = (f"{f.baseline_year}, the year the council's Customer Care Strategy began" if f.baseline_year
             else "the year the council's Customer Care Strategy began")
    digital = f" ({_list(f.digital_channels)})" if f.digital_channels else ""
    terms = [
        Term("as-at-date", "As-at date", (
            "The date the data runs to: the latest date in each export, unless the analyst who ran the pages gave "
            "another. Contacts and complaints still open on that date are judged as they stood then (see "
            "Not yet due).",),
            (r"as[- ]at date", r"data runs to", r"data as at")),
        Term("average-speed-of-answer", "Average speed of answer", (
            "The average time callers waited in the queue before their call was answered, in seconds. Only "
            "answered calls count: a caller who hung up is counted among the calls abandoned instead.",),
            (r"average speed of answer", r"average time to answer(?: a call)?")),
        Term("baseline", "Baseline (when the strategy began)", (
            f"The starting point the strategy is measured from: the figures of {began} (as the council sets it; "
            "otherwise the first year in the data).",
            "Each figure is compared with the baseline as well as with the year before, because getting better "
            "than a bad year is not the same as getting better than where the strategy started. Where a target "
            "is still to be agreed, the baseline year's figure is shown as the starting point to agree one from.",),
            (r"baselines?(?: year)?", r"(?:the year |when |since )the strategy (?:began|started)")),
        Term("calls-abandoned", "Calls abandoned, and callbacks", (
            "A call is abandoned when the caller hangs up before it is answered. Calls abandoned are a "
            "percentage of all calls offered (every call the phone system recorded). Where the phone "
            "system offers a callback (the caller chooses to be rung back), a callback counts neither as "
            "answered nor as abandoned.",),
            (r"abandoned", r"callbacks?", r"calls? offered")),
        Term("citizens-panel-representation", "Representation (Citizens' Panel)", (
            "How a group's share of the Citizens' Panel compares with its share of the district's residents aged "
            "16 and over (from the population figures the council gives): the share of the panel divided by the "
            "share of residents. 1 means the "
            "group is in line with the population; below 0.8 (fewer than 8 members for every 10 the population "
            "would give) it is under-represented, and above 1.25 over-represented.",),
            (r"representation", r"under[- ]represented", r"over[- ]represented")),
        Term("complaint-handling-code", "Complaint Handling Code", (
            "The code that the Local Government and Social Care Ombudsman and the Housing Ombudsman expect "
            "councils to follow for formal complaints. Stage 1 is the service's first answer; stage 2 a review "
            "when the complainant is not satisfied. "
            + (f"The council's timescales are to {code_days}." if code_days else ""),
            "Answers are timed from the acknowledgement, as the Code says (from receipt where no acknowledgement "
            "is recorded).",),
            (r"Complaint Handling Code(?:'s)?", r"the Code(?:'s)?")),
        Term("crm", "CRM (customer contact system)", (
            "The system in which staff log contacts from residents: emails, letters, online forms, Report It, "
            "webchat, social media, visits, and the phone calls staff log there. Calls to the council's phone "
            "lines are counted separately, by the phone system, so the pages never add the two counts of phone "
            "contact together.",),
            (r"CRM", r"customer contact system")),
        Term("digital-share", "Digital share and digital channels", (
            f"The digital channels are those a resident uses online{digital}. The digital share is the contacts "
            "logged in the CRM that came through a digital channel, as a percentage of all contacts logged in the "
            "CRM. Of the phone calls, only those staff logged in the CRM are in it: the phone system's own count of "
            "calls is kept apart.",),
            (r"digital share", r"digital channels?", r"made digitally", r"made online", r"non-digital")),
        Term("financial-year", "Financial year", (
            f"The council's year, from {_year_words(f.year_start_month)}, written like 2024/25. A contact, call "
            "or complaint belongs to the year it was received in; an action to the year of its action plan.",),
            (r"financial years?",)),
        Term("first-contact", "Resolved at first contact", (
            "Of the contacts where staff recorded whether the enquiry was resolved, the percentage resolved "
            "there and then, without the resident needing to come back.",),
            (r"resolved at (?:the )?first contact", r"first[- ]contact resolution")),
        Term("like-for-like", "Like for like, and not like for like", (
            "Two years are like for like when a figure was counted the same way in both. Where a standard the "
            "figure counts against changed between them (email from 10 to 5 working days, say), each year is "
            "measured against its own standard, and the pages say the two are not like for like rather than call "
            "the change better or worse.",),
            (r"(?:not )?like[- ]for[- ]like",)),
        Term("monthly-pattern", "Monthly pattern and signals (statistical process control, SPC)", (
            "How a figure behaves month by month, on the kind of chart NHS England's Making Data Count uses. "
            "Figures go up and down from month to month by chance; a signal is a pattern that chance alone would "
            "rarely make: a month outside the process limits; 7 or more months in a row above the average, or 7 "
            "below it; 7 or more months in a row each higher than the last, or each lower; or 2 of 3 months in a "
            "row close to the same limit.",
            "A signal among the latest 6 months reads improving or a concern, by which direction is better (higher "
            "or lower than usual for a measure with no better direction); without one the pattern reads no sign "
            "of change. Where the council records a change in how a "
            "service works (a new phone system, say), the average and limits are worked out afresh from that "
            "month. With fewer than 12 months since, no pattern is judged; and a month whose figure rests on "
            f"fewer than {m} cases means there is no monthly pattern at all.",
            "The monthly pattern looks at months, the changes on the year before at whole years, so a measure "
            "can be improved on the year before with no sign of change in its latest months.",
            "A measure worked out for the whole year only (a survey, a count, a figure a service reports) reads "
            "not counted month by month: it has no monthly pattern.",),
            (r"statistical process control", r"SPC", r"monthly patterns?", r"no sign of (?:real )?change",
             r"a concern")),
        Term("net-satisfaction", "Net satisfaction", (
            "From the ratings residents give after a contact (good, average or poor): good ratings minus poor "
            "ratings, per 100 ratings. It runs from −100 (everyone said poor) to +100 (everyone said good); "
            "average ratings count among the 100 but neither add nor take away. Its changes are tested for "
            "significance with a formula of their own.",),
            (r"net satisfaction",)),
        Term("not-recorded", "Not recorded", (
            "The council's exports do not hold what a figure is counted from (a date of response, say), so the "
            "page does not give the figure or claim anything from it. On the scorecard such a measure is not "
            "judged against its target.",),
            (r"not recorded",)),
        Term("not-yet-due", "Not yet due", (
            "A contact or complaint with no reply yet whose deadline had not passed by the as-at date. It is left "
            "out of the percentage, so a recent backlog does not count against the service before it is late. "
            "One whose deadline had passed without a reply counts as outside the standard; one with a reply "
            "always counts, in time or not.",),
            (r"not yet due",)),
        Term("percentage-points", "Points (percentage points)", (
            "The difference between two percentages: from 69.5% to 76.1% is up 6.6 points. It is not a "
            "percentage of a percentage (6.6 points on 69.5% is a rise of about a tenth).",),
            (r"(?<=\d )points?",)),
        Term("process-limits", "Process limits (the normal range)", (
            "On a monthly chart, the two lines either side of the average between which the figure goes up and "
            "down by chance: the average plus or minus 2.66 times the average change from one month to the next"
            + (" (leaving out first any change so large it is itself unusual)" if f.screen_outliers else "")
            + ". A month outside them is unusual.",
            "The pages call them the range the figures usually stay in only where at least 8 months in 10 lie "
            "inside; otherwise the months have moved to a new level, and the page names the month from which to "
            "work the limits out again. Where a target lies inside the limits, some months will meet it and some "
            "will not, by chance alone.",),
            (r"process limits", r"normal range(?: of variation)?", r"usual range", r"limits to be worked out again")),
        Term("significant", "Significant (statistically significant)", (
            "A change bigger than the usual ups and downs of the figure would explain, so unlikely to be chance "
            "(tested at the 95% level). The pages call a change improved or worse only when it is significant; "
            "otherwise they say no significant change, however large it looks.",
            "The test allows for how much the figure already moves from month to month, so a small change on "
            "many calls in a year whose months swing widely is not called significant; with small numbers it "
            "counts every way the results could have fallen (Fisher's exact test). Percentages and net "
            "satisfaction are tested. Counts, times and figures reported by services are described by their size "
            "only, and the action plan is never tested: it counts every action, not a sample.",),
            (r"statistically significant", r"significant(?:ly)?", r"not significantly")),
        Term("standard", "Standard (customer care standard)", (
            "The council's promise of how quickly residents hear back: a full response within a number of working "
            f"days on each channel, an acknowledgement within its own number of working days{phone}. A reply on "
            "or before the last working day allowed is within the standard. Where a standard changed, each contact "
            "is measured against the standard of the year it was received.",),
            (r"(?:customer care )?standards?",)),
        Term("status", "Status: met, not met, improving but not met, to be agreed, no target, not judged", (
            "Each measure's status on the scorecard, by one rule. Met: the figure meets its target (at or above "
            "it where higher is better, at or below it where lower is better). Not met: it misses the target. "
            "Improving but not met: it misses the target, but the change on the year before is a significant "
            "improvement. To be agreed: the measure has no target yet (the baseline year's figure is given to "
            "agree one from). No target: the measure is not one the council has set targets for. Not judged: "
            "there is a target but nothing to judge it by (the figure is not recorded, there is no figure this "
            "year, or the measure has no better direction).",),
            (r"improving but not met", r"to be agreed", r"no target", r"not judged")),
        Term("survey-wave", "Survey wave", (
            "One round of the residents' survey. A question is compared from one wave to another only when it "
            "was asked with the same words: a reworded question is a new question, never compared with the old.",),
            (r"waves?",)),
        Term("too-few-to-report", "Too few to report (small numbers)", (
            f"To protect people's privacy, a count from 1 to {m - 1} is shown as fewer than {m}, a percentage of "
            f"fewer than {m} people or contacts as too few to report, and a change beside such a figure as too "
            "few to compare. Where a small count could be worked out from other figures by subtraction, another "
            "figure reads not shown as well. Analysts keep the full figures; they are never on these pages.",),
            (r"too few to (?:report|compare)", rf"fewer than {m}", r"not shown")),
        Term("upheld", "Upheld", (
            "A complaint decided in the complainant's favour, in full or in part. The percentage upheld is of the "
            "complaints decided: withdrawn and open complaints are left out.",),
            (r"(?:partly )?upheld",)),
        Term("working-day", "Working day", (
            f"Monday to Friday, not counting bank holidays in {region}{closed}. The day a contact arrives is day "
            "0; one that arrives at a weekend or on a bank holiday counts from the next working day. Only days "
            "count, not times: a contact received at 4.59pm and answered at 9am the next working day took one "
            "working day. Done on or before the last working day allowed is within the standard.",),
            (r"working days?",)),
    ]
    return tuple(sorted(terms, key=lambda t: t.name.lower()))


# --- linking the first use of each term ---------------------------------------------------------


def _linkable(text: NavigableString, root: Tag) -> bool:
    """Whether a piece of text may be linked: plain text (not a comment, doctype or the like) with nothing
    around it, up to ``root``, that NOT_LINKED names."""
    if type(text) is not NavigableString:
        return False
    for parent in text.parents:
        if parent.name in NOT_LINKED:
            return False
        if parent is root:
            return True
    return True


def _first_uses(text: str, terms, seen: set) -> list[tuple[int, int, Term]]:
    """The first use in ``text`` of each term not yet ``seen``: (start, end, term), in order, not overlapping
    (where two terms' phrases start at the same place, the longer phrase wins)."""
    found, position, remaining = [], 0, [t for t in terms if t.anchor not in seen]
    while remaining:
        matches = [(match.start(), -match.end(), i, match) for i, term in enumerate(remaining)
                   if (match := term.pattern.search(text, position))]
        if not matches:
            break
        start, _, index, match = min(matches)
        term = remaining.pop(index)
        found.append((start, match.end(), term))
        position = match.end()
    return found


def link_terms(root: Tag, terms, href: str, seen: set) -> bool:
    """Link the first use of each term inside ``root`` (a parsed element or document), in document order,
    to its entry: ``<a class="glossary-term" href="glossary.html#working-day">working days</a>``. ``seen``
    holds the anchors already linked on the page, and gains those linked here. True if anything changed."""
    changed = False
    for text in list(root.find_all(string=True)):
        if len(seen) == len(terms):
            break
        if not _linkable(text, root):
            continue
        value = str(text)
        uses = _first_uses(value, terms, seen)
        if not uses:
            continue
        pieces, position = [], 0
        for start, end, term in uses:
            if start > position:
                pieces.append(NavigableString(value[position:start]))
            link = _TAGS.new_tag("a", href=f"{href}#{term.anchor}", attrs={"class": LINK_CLASS})
            link.string = value[start:end]
            pieces.append(link)
            seen.add(term.anchor)
            position = end
        if position < len(value):
            pieces.append(NavigableString(value[position:]))
        text.replace_with(*pieces)
        changed = True
    return changed


def link_html(html: str, terms, href: str, seen: set) -> str:
    """``link_terms`` on a fragment of HTML; the fragment unchanged (the same string) when nothing is linked."""
    soup = BeautifulSoup(html, "html.parser")
    return str(soup) if link_terms(soup, terms, href, seen) else html


def link_page(html: str, terms, href: str = GLOSSARY_PAGE) -> str:
    """A whole page (the index) with the first use of each term in its ``<main>`` linked to the glossary."""
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main")
    if main is None or not link_terms(main, terms, href, set()):
        return html
    return str(soup)


class GlossaryLinks(Preprocessor):
    """nbconvert preprocessor: the first use of each glossary term on a members' page, in its markdown cells
    and its HTML outputs taken in the order the page shows them, linked to the year's glossary.

    It acts only where the page's resources name the glossary (``resources["workbook"]["glossary"]``, set by
    ``publish.page_context``): an ad-hoc page, or a page of the PDF pack, has no glossary beside it. A markdown
    cell that gains a link is replaced by the HTML nbconvert would have made of it (mistune, as the exporter
    renders markdown, heading anchors and all) with the links in: HTML in markdown is passed through as it is.
    """

    def preprocess(self, nb, resources):
        page = (resources or {}).get("workbook") or {}
        href = page.get("glossary")
        if not href:
            return nb, resources
        terms = glossary_terms(Facts(minimum_count=int(page.get("minimum_count") or 5)))
        seen: set = set()
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                self._markdown(cell, terms, href, seen)
            elif cell.cell_type == "code":
                for output in cell.get("outputs", []):
                    data = output.get("data", {})
                    if "text/html" in data:
                        source = data["text/html"]
                        source = "".join(source) if isinstance(source, list) else source
                        data["text/html"] = link_html(source, terms, href, seen)
        return nb, resources

    @staticmethod
    def _markdown(cell, terms, href: str, seen: set) -> None:
        rendered = markdown2html_mistune(cell.source)
        # Markdown passes a block of HTML through untouched up to its first blank line: HTML has none that
        # matters outside <pre>, which a members' page never has, so a cell with one is left as it is.
        if "<pre" in rendered:
            return
        linked = link_html(rendered, terms, href, seen)
        if linked is not rendered:
            cell.source = re.sub(r"\n\s*\n", "\n", linked).strip()
