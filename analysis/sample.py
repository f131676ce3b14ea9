"""The bundled sample council: Brackenford District Council (fictional).

Generates every canonical dataset for four financial years (2021/22 to
2024/25) plus the newly endorsed 2025/26 action plan, deterministically from a
seed, so the workbook, its tests and its benchmark always have realistic data
that contains no real person's details.

    python -m analysis.sample --out data/sample
    python -m analysis.sample --out .bench/data --contacts-per-year 1000000 --calls-per-year 1500000

Everything is vectorised with numpy (no loop over contacts or calls), so a
million contacts a year takes seconds. Working days and deadlines come from
:class:`analysis.calendar.WorkingCalendar` built from the council.toml written
here, so bank holidays (including 19 September 2022 and 8 May 2023) and the
Christmas closure are real in the data. Output is byte-for-byte reproducible on
the same machine: rows are sorted, Parquet carries no timestamps and the Excel
workbook's properties and zip entries carry fixed dates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import time
import zipfile
from pathlib import Path
from typing import NamedTuple

import holidays
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.calendar import WorkingCalendar, year_label
from analysis.config import load_config

SEED = 20211
YEARS = (2021, 2022, 2023, 2024)  # financial years 2021/22 .. 2024/25
EXTRACTED_AT = np.datetime64("2025-04-07T09:00:00", "s")
PERIOD_END = np.datetime64("2025-04-01", "D")  # exclusive
NORTHBROOK_HANDOVER = np.datetime64("2022-10-03", "D")
FIXED_WORKBOOK_TIME = dt.datetime(2025, 4, 7, 9, 0, 0)
DEFAULT_CONTACTS = 20_000
DEFAULT_CALLS = 30_000

COUNCIL = "Brackenford District Council"
CHANNELS = ("email", "letter", "online_form", "report_it", "in_person", "phone", "webchat", "social_media")
DIGITAL = ("email", "online_form", "report_it", "webchat", "social_media")
LOCATIONS = ("Council Offices", "Northbrook AIC", "Elmcleeve AIC", "Winsford AIC")
WARDS = (
    "Abbey", "Ashcombe Vale", "Brackenford Market", "Elmcleeve", "Hollinsmoor", "Northbrook",
    "Stanbury", "Winsford",
)
WARD_ADULTS = (9_870, 8_415, 12_640, 9_105, 7_380, 10_260, 8_955, 11_375)  # sums to 78,000
AGE_BANDS = ("16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")
AGE_ADULTS = (8_655, 10_980, 11_345, 13_210, 12_960, 11_020, 9_830)  # sums to 78,000
SEX_ADULTS = {"Female": 40_115, "Male": 37_885}
THEMES = (
    "Customer care standards",
    "Accessible services",
    "Digital by choice",
    "Listening to our customers",
    "Skilled and supported staff",
    "Working with partners",
)
SERVICES = (
    "Waste and Recycling", "Revenues and Benefits", "Planning", "Environmental Health", "Housing",
    "Licensing", "Customer Services",
)
# category -> service
CATEGORIES = {
    "Missed bin": "Waste and Recycling",
    "Food caddy": "Waste and Recycling",
    "Bulky waste collection": "Waste and Recycling",
    "Garden waste subscription": "Waste and Recycling",
    "New or replacement bin": "Waste and Recycling",
    "Overflowing litter bin": "Waste and Recycling",
    "Council tax": "Revenues and Benefits",
    "Council tax reduction": "Revenues and Benefits",
    "Housing benefit": "Revenues and Benefits",
    "Business rates": "Revenues and Benefits",
    "Benefits post": "Revenues and Benefits",
    "Payment": "Revenues and Benefits",
    "Planning application enquiry": "Planning",
    "Planning enforcement": "Planning",
    "Building control": "Planning",
    "Fly-tipping": "Environmental Health",
    "Dog fouling": "Environmental Health",
    "Graffiti": "Environmental Health",
    "Abandoned vehicle": "Environmental Health",
    "Noise nuisance": "Environmental Health",
    "Food safety": "Environmental Health",
    "Pest control": "Environmental Health",
    "Housing register": "Housing",
    "Homelessness advice": "Housing",
    "Disabled facilities grant": "Housing",
    "Taxi licence": "Licensing",
    "Premises licence": "Licensing",
    "General enquiry": "Customer Services",
    "Street light fault": "Customer Services",  # passed to the county council
    "Pothole": "Customer Services",  # passed to the county council
}
CATEGORY_NAMES = tuple(CATEGORIES)
CATEGORY_SERVICE = np.array([SERVICES.index(CATEGORIES[c]) for c in CATEGORY_NAMES])

# Share of each year's contacts by channel: a shift to online forms and Report It,
# with phone and letters still substantial.
_SHARE_ORDER = ("phone", "letter", "online_form", "report_it", "email", "in_person", "webchat", "social_media")
CHANNEL_SHARE = {
    year: dict(zip(_SHARE_ORDER, shares))
    for year, shares in {
        #      phone letter online report_it email in_person webchat social
        2021: (.35, .08, .15, .10, .18, .06, .05, .03),
        2022: (.32, .07, .18, .12, .18, .05, .05, .03),
        2023: (.30, .06, .21, .14, .18, .04, .045, .025),
        2024: (.27, .05, .25, .17, .18, .03, .03, .02),
    }.items()
}
CONTACT_GROWTH = {2021: 0.97, 2022: 1.00, 2023: 1.01, 2024: 1.03}
CALL_GROWTH = {2021: 1.03, 2022: 1.00, 2023: 0.98, 2024: 0.95}

# What people contact us about, by channel (weights).
CHANNEL_CATEGORIES = {
    "phone": {"Council tax": 25, "Housing benefit": 10, "Council tax reduction": 5, "Missed bin": 12,
              "Bulky waste collection": 5, "Garden waste subscription": 5, "New or replacement bin": 5,
              "Planning application enquiry": 8, "Housing register": 6, "Homelessness advice": 4,
              "Noise nuisance": 3, "Taxi licence": 2, "General enquiry": 10},
    "email": {"Council tax": 20, "Housing benefit": 10, "Planning application enquiry": 15, "Building control": 5,
              "Housing register": 8, "Homelessness advice": 4, "Noise nuisance": 6, "Food safety": 4,
              "Premises licence": 5, "Taxi licence": 4, "Missed bin": 6, "General enquiry": 13},
    "letter": {"Council tax": 35, "Business rates": 10, "Housing benefit": 15, "Council tax reduction": 10,
               "Planning application enquiry": 10, "Premises licence": 5, "Housing register": 5, "General enquiry": 10},
    "online_form": {"Bulky waste collection": 15, "Garden waste subscription": 15, "New or replacement bin": 12,
                    "Food caddy": 8, "Council tax": 18, "Council tax reduction": 8, "Housing register": 6,
                    "Planning enforcement": 4, "Taxi licence": 4, "Pest control": 5, "Noise nuisance": 5},
    "report_it": {"Missed bin": 32, "Fly-tipping": 18, "Dog fouling": 8, "Graffiti": 5, "Abandoned vehicle": 5,
                  "Street light fault": 10, "Pothole": 12, "Overflowing litter bin": 10},
    "webchat": {"Council tax": 35, "Housing benefit": 15, "Council tax reduction": 10, "Missed bin": 10,
                "Garden waste subscription": 10, "General enquiry": 20},
    "social_media": {"Missed bin": 30, "Fly-tipping": 15, "General enquiry": 30, "Pothole": 10,
                     "Noise nuisance": 5, "Planning application enquiry": 10},
    "Council Offices": {"Council tax": 22, "Benefits post": 12, "Housing benefit": 10, "Housing register": 10,
                        "Homelessness advice": 6, "Planning application enquiry": 8, "Food caddy": 6,
                        "Taxi licence": 5, "Payment": 8, "General enquiry": 13},
    "AIC": {"Food caddy": 46, "Benefits post": 40, "Council tax": 7, "General enquiry": 7},
}

# In-person visits to the three Advice and Information Centres (default size: 20,000 contacts a year).
# Elmcleeve and Winsford are staffed two mornings a week and keep falling. Northbrook was open
# Tuesday and Thursday mornings until Northbrook Parish Council took it over on 3 October 2022;
# since then it is open every working day, so its visits rise a little.
AIC_VISITS = {"Elmcleeve AIC": (58, 49, 41, 34), "Winsford AIC": (47, 40, 33, 27)}
AIC_DAYS = {"Elmcleeve AIC": (0, 2), "Winsford AIC": (1, 4), "Northbrook AIC": (1, 3)}  # Mon=0
NORTHBROOK_RATE_BEFORE = 0.50  # visits per open day, Tue/Thu only
NORTHBROOK_RATE_AFTER = {2022: 0.30, 2023: 0.30, 2024: 0.31}  # per working day

# Response times, as working-day offsets: (share, first day, last day) bands and a share never answered.
EMAIL_RESPONSE = {
    2021: ([(.55, 0, 5), (.31, 6, 10), (.12, 11, 25)], .020),  # standard was 10 working days
    2022: ([(.80, 0, 5), (.10, 6, 10), (.085, 11, 20)], .015),  # standard 5 from 2022/23
    2023: ([(.875, 0, 5), (.09, 6, 12), (.02, 13, 20)], .015),
    2024: ([(.885, 0, 5), (.085, 6, 12), (.015, 13, 20)], .015),
}
RESPONSE = {
    "letter": {2021: ([(.86, 0, 10), (.12, 11, 25)], .02), 2022: ([(.87, 0, 10), (.115, 11, 25)], .015),
               2023: ([(.84, 0, 10), (.14, 11, 30)], .02), 2024: ([(.89, 0, 10), (.095, 11, 25)], .015)},
    "online_form": {2021: ([(.84, 0, 5), (.14, 6, 15)], .02), 2022: ([(.86, 0, 5), (.125, 6, 15)], .015),
                    2023: ([(.83, 0, 5), (.15, 6, 15)], .02), 2024: ([(.89, 0, 5), (.095, 6, 12)], .015)},
    "report_it": {2021: ([(.87, 0, 10), (.115, 11, 30)], .015), 2022: ([(.89, 0, 10), (.095, 11, 30)], .015),
                  2023: ([(.86, 0, 10), (.125, 11, 30)], .015), 2024: ([(.91, 0, 10), (.08, 11, 25)], .01)},
    "social_media": {2021: ([(.80, 0, 5), (.17, 6, 12)], .03), 2022: ([(.81, 0, 5), (.16, 6, 12)], .03),
                     2023: ([(.79, 0, 5), (.18, 6, 12)], .03), 2024: ([(.85, 0, 5), (.13, 6, 12)], .02)},
}
FOLLOW_UP = {  # contacts not resolved at first contact
    "phone": ([(.75, 0, 5), (.22, 6, 15)], .03),
    "in_person": ([(.75, 0, 5), (.22, 6, 15)], .03),
    "webchat": ([(.65, 0, 1), (.33, 2, 6)], .02),
}
FIRST_CONTACT_RESOLUTION = {
    "phone": (.78, .79, .74, .80),
    "in_person": (.86, .86, .84, .87),
    "webchat": (.78, .80, .78, .84),  # of chats in staffed hours
}
# Acknowledgements: an automatic share (within minutes), manual bands, a share never acknowledged.
ACKNOWLEDGE = {
    "report_it": (.97, [(.02, 1, 3)], .01),
    "online_form": (.985, [(.01, 1, 2)], .005),
    "email": (0.0, [(.78, 0, 0), (.17, 1, 1), (.035, 2, 4)], .015),
}

# Telephony: answered share and, of those, the share answered within 20 seconds.
# 2023/24 is worse: staff changes in the Customer Services team.
CALLS_ANSWERED = {2021: .930, 2022: .935, 2023: .885, 2024: .925}
CALLS_WITHIN_20 = {2021: .78, 2022: .79, 2023: .70, 2024: .77}
CALLS_SLOW_MEAN = {2021: 80, 2022: 75, 2023: 110, 2024: 80}  # mean extra wait of slow answers (s)
QUEUES = {"Revenues and Benefits": .42, "Waste and Recycling": .28, "General enquiries": .22,
          "Planning and Licensing": .08}

FEEDBACK_CHANNELS = {"phone": 1.0, "in_person": 1.5, "webchat": 1.5, "online_form": .8, "email": .4, "report_it": .3}
FEEDBACK_RATINGS = {  # (good, average, poor) by year
    "phone": ((.72, .15, .13), (.73, .15, .12), (.64, .17, .19), (.72, .15, .13)),
    "in_person": ((.82, .10, .08), (.83, .10, .07), (.80, .11, .09), (.83, .10, .07)),
    "webchat": ((.62, .18, .20), (.65, .18, .17), (.63, .18, .19), (.68, .17, .15)),
    "online_form": ((.55, .20, .25), (.58, .20, .22), (.57, .20, .23), (.66, .18, .16)),
    "email": ((.50, .22, .28), (.58, .20, .22), (.59, .20, .21), (.62, .19, .19)),
    "report_it": ((.45, .20, .35), (.50, .20, .30), (.51, .20, .29), (.55, .20, .25)),
}

SURVEY_QUESTIONS = {
    "overall_satisfaction": (
        "Overall, how satisfied or dissatisfied are you with the way the council runs things?",
        ("Very satisfied", "Fairly satisfied", "Neither satisfied nor dissatisfied", "Fairly dissatisfied",
         "Very dissatisfied", "Don't know"),
        ("Very satisfied", "Fairly satisfied"),
    ),
    "contact_ease": (
        "How easy or difficult is it to contact the council?",
        ("Very easy", "Fairly easy", "Neither easy nor difficult", "Fairly difficult", "Very difficult",
         "Haven't contacted the council"),
        ("Very easy", "Fairly easy"),
    ),
    "contact_ease_2023": (
        "Thinking about the last time you contacted the council, how easy was it to get what you needed?",
        ("Very easy", "Easy", "Neither easy nor difficult", "Difficult", "Very difficult",
         "Don't know / can't remember"),
        ("Very easy", "Easy"),
    ),
    "staff_helpful": (
        "How far do you agree or disagree: council staff were helpful when I contacted them?",
        ("Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree", "Don't know"),
        ("Strongly agree", "Agree"),
    ),
}
# A reworded question gets a new id and says which question it replaces, so the two are never compared.
SURVEY_REPLACES = {"contact_ease_2023": "contact_ease"}
SURVEY_ANSWERS = {  # question -> year -> probabilities over the scale
    "overall_satisfaction": {2021: (.18, .44, .16, .12, .07, .03), 2022: (.17, .43, .17, .12, .08, .03),
                             2023: (.15, .41, .18, .14, .09, .03), 2024: (.17, .44, .17, .12, .07, .03)},
    "contact_ease": {2021: (.22, .38, .14, .12, .06, .08), 2022: (.23, .39, .13, .11, .06, .08)},
    "contact_ease_2023": {2023: (.18, .36, .18, .15, .08, .05), 2024: (.22, .40, .16, .11, .06, .05)},
    "staff_helpful": {2021: (.25, .42, .15, .07, .04, .07), 2022: (.26, .42, .14, .07, .04, .07),
                      2023: (.22, .40, .17, .09, .05, .07), 2024: (.27, .43, .14, .06, .03, .07)},
}

# Citizens' Panel consultations: (id, invited_on, open rate, completion rate of openers).
# council-plan-2024 has exactly 79 members opening the email (as reported to committee).
CONSULTATIONS = (
    ("customer-care-standards-2021", "2021-07-12", .52, .78),
    ("residents-survey-2021", "2021-10-04", .66, .82),
    ("budget-2022", "2022-01-10", .45, .70),
    ("waste-collections-2022", "2022-06-13", .50, .74),
    ("residents-survey-2022", "2022-10-10", .67, .82),
    ("budget-2023", "2023-01-09", .43, .68),
    ("advice-and-information-centres-2023", "2023-03-06", .40, .66),
    ("leisure-facilities-2023", "2023-06-12", .44, .70),
    ("residents-survey-2023", "2023-10-09", .64, .80),
    ("council-plan-2024", "2024-01-15", None, .62),
    ("budget-2024", "2024-02-05", .38, .66),
    ("customer-care-priorities-2024", "2024-07-08", .47, .72),
    ("residents-survey-2024", "2024-10-07", .66, .83),
    ("budget-2025", "2025-01-13", .42, .69),
)
COUNCIL_PLAN_OPENED = 79


# --- the action plan --------------------------------------------------------------------------

# (plan year, ref, action, lead officer, target date, status label, progress update, carried from)
ACTIONS = (
    # 2021/22: 13 actions, 10 achieved, 2 not achieved (carried), 1 in progress
    ("2021/22", "1a", "Roll out a new set of Customer Care Standards to every service", "Customer Services Manager",
     "2021-09-30", "Achieved", "New standards launched in September 2021 and published on the website.", ""),
    ("2021/22", "1b", "Publish the Customer Care Standards at reception, in each Advice and Information Centre and online",
     "Communications Manager", "2021-10-31", "Achieved", "Posters, leaflets and a web page in place.", ""),
    ("2021/22", "1c", "Report performance against the Customer Care Standards to the Corporate Leadership Team each quarter",
     "Corporate Services Manager", "2022-03-31", "In progress",
     "Two quarterly reports produced; reporting continues as business as usual.", ""),
    ("2021/22", "2a", "Install a hearing loop and a lowered counter at the Council Offices reception",
     "Property Services Manager", "2021-12-31", "Achieved", "Installed in November 2021.", ""),
    ("2021/22", "2b", "Review the Advice and Information Centres (AICs) with parish councils and partners",
     "Corporate Services Manager", "2022-03-31", "Not achieved",
     "Initial talks held with Northbrook Parish Council; carried into 2022/23.", ""),
    ("2021/22", "3a", "Move the ten most requested services to online forms", "Head of Digital and IT",
     "2022-01-31", "Achieved", "Ten forms live, including bulky waste and council tax change of address.", ""),
    ("2021/22", "3b", "Add bulky waste and garden waste requests to Report It", "Head of Environmental Services",
     "2021-11-30", "Achieved", "Both request types live on Report It since October 2021.", ""),
    ("2021/22", "3c", "Launch an online council tax account so residents can view bills and pay online",
     "Revenues and Benefits Manager", "2022-03-31", "Not achieved", "Supplier delays; carried into 2022/23.", ""),
    ("2021/22", "4a", "Engage the Citizens' Panel to help shape emerging services", "Policy and Consultation Officer",
     "2022-03-31", "Achieved", "Panel consulted on the Customer Care Standards and the budget.", ""),
    ("2021/22", "4b", "Introduce GovMetric feedback on the telephone, website and at reception",
     "Customer Services Manager", "2021-07-31", "Achieved", "Ratings collected on all three channels.", ""),
    ("2021/22", "5a", "Deliver customer care training for all front-facing staff",
     "HR and Organisational Development Manager", "2022-03-31", "Achieved",
     "All front-facing staff trained by March 2022.", ""),
    ("2021/22", "5b", "Include customer care in the induction of every new member of staff",
     "HR and Organisational Development Manager", "2021-09-30", "Achieved", "Module added to corporate induction.", ""),
    ("2021/22", "6a", "Agree shared reception arrangements with partners in the Council Offices",
     "Property Services Manager", "2022-03-31", "Achieved", "Protocol agreed with the partners in the building.", ""),
    # 2022/23: 12 actions, 9 achieved, 3 not achieved (carried)
    ("2022/23", "1a", "Make the Report It acknowledgement email say when a response can be expected",
     "Customer Services Manager", "2022-07-31", "Achieved",
     "The automatic acknowledgement now gives the response timescale.", ""),
    ("2022/23", "1b", "Reduce the email response standard from 10 to 5 working days and monitor it monthly",
     "Customer Services Manager", "2022-04-30", "Achieved", "In force from April 2022; monitored monthly.", ""),
    ("2022/23", "2a", "Work with parish councils and partners to provide access to council services in each AIC area",
     "Corporate Services Manager", "2023-03-31", "Not achieved",
     "Northbrook arrangement working well; talks with other parishes continue.", "2021/22:2b"),
    ("2022/23", "2b", "Hand the running of Northbrook AIC to Northbrook Parish Council", "Corporate Services Manager",
     "2022-10-03", "Achieved", "The Parish Council took over on 3 October 2022; open every working day.", ""),
    ("2022/23", "3a", "Launch an online council tax account so residents can view bills and pay online",
     "Revenues and Benefits Manager", "2022-09-30", "Achieved", "Launched in August 2022.", "2021/22:3c"),
    ("2022/23", "3b", "Extend webchat to Waste and Recycling enquiries", "Head of Digital and IT", "2022-12-31",
     "Achieved", "Live since November 2022.", ""),
    ("2022/23", "3c", "Introduce in-cab technology so crews report missed bins as they happen",
     "Head of Environmental Services", "2023-03-31", "Achieved", "All collection rounds equipped.", ""),
    ("2022/23", "4a", "Refresh the Citizens' Panel membership and recruit more younger residents",
     "Policy and Consultation Officer", "2023-03-31", "Not complete",
     "Recruitment campaign postponed; under-25s remain under-represented.", ""),
    ("2022/23", "4b", "Publish 'You said, we did' feedback on the website each quarter", "Communications Manager",
     "2023-03-31", "Achieved", "Four updates published.", ""),
    ("2022/23", "5a", "Refresher customer care training for all staff", "HR and Organisational Development Manager",
     "2023-01-31", "Complete", "E-learning completed by 94% of staff.", ""),
    ("2022/23", "5b", "Train Northbrook Parish Council staff to use council systems", "Customer Services Manager",
     "2022-10-31", "Achieved", "Training delivered before the handover.", ""),
    ("2022/23", "6a", "Review signage at the Council Offices with partners in the building",
     "Property Services Manager", "2023-03-31", "Not achieved", "Deferred to align with the office refurbishment.", ""),
    # 2023/24: 14 actions, 10 achieved, 4 not achieved (carried)
    ("2023/24", "1a", "Restructure the Customer Services team, including a new Senior Customer Services Advisor post",
     "Communications and Customer Experience Manager", "2023-09-30", "Achieved", "New structure in place.", ""),
    ("2023/24", "1b", "Develop customer care priorities that measure the customer experience",
     "Communications and Customer Experience Manager", "2024-03-31", "Not achieved",
     "Paused during the management restructure.", ""),
    ("2023/24", "2a", "Work with parish councils in each AIC area to adopt the Northbrook arrangement",
     "Communications and Customer Experience Manager", "2024-03-31", "Not achieved",
     "Elmcleeve and Winsford remain drop-in stations; no funding agreed.", "2022/23:2a"),
    ("2023/24", "2b", "Improve signage at the Council Offices as part of the refurbishment", "Property Services Manager",
     "2024-03-31", "Not achieved", "First-floor refurbishment started; public signage to be confirmed.", "2022/23:6a"),
    ("2023/24", "2c", "Bring the website up to the WCAG 2.2 AA accessibility standard", "Head of Digital and IT",
     "2024-03-31", "Achieved", "Accessibility statement updated.", ""),
    ("2023/24", "3a", "Procure a new omni-channel customer contact system",
     "Director: Digital and Organisational Change", "2024-03-31", "Achieved", "Contract awarded; go-live May 2024.", ""),
    ("2023/24", "3b", "Put the customer experience at the heart of the council's digital services",
     "Communications and Customer Experience Manager", "2024-03-31", "Achieved",
     "Customer Services test every new online service.", ""),
    ("2023/24", "3c", "Launch an online planning application tracker", "Business Transformation Programme Manager",
     "2023-12-31", "Achieved", "Live since November 2023.", ""),
    ("2023/24", "4a", "Review how Citizens' Panel members are recruited so the panel is representative",
     "Business Transformation Programme Manager", "2024-03-31", "Not achieved",
     "Random address selection proposed; in the early stages.", "2022/23:4a"),
    ("2023/24", "4b", "Consult the Citizens' Panel on the new Council Plan", "Business Transformation Programme Manager",
     "2024-02-29", "Achieved", "79 panel members opened the consultation email.", ""),
    ("2023/24", "4c", "Publish an annual complaints report in line with the Complaint Handling Code",
     "Corporate Services Manager", "2024-03-31", "Achieved", "Reported to Audit and Governance Committee.", ""),
    ("2023/24", "5a", "Customer care training for everyone joining after the restructure",
     "HR and Organisational Development Manager", "2024-03-31", "Achieved", "All new starters trained.", ""),
    ("2023/24", "5b", "Shadowing between Customer Services and back-office teams", "Senior Customer Services Advisor",
     "2024-01-31", "Achieved", "Twelve shadowing sessions held.", ""),
    ("2023/24", "6a", "Continue training and support for Northbrook Parish Council staff", "Customer Services Manager",
     "2024-03-31", "Achieved", "Quarterly briefings held.", ""),
    # 2024/25: 13 actions, 11 achieved, 2 not achieved (carried)
    ("2024/25", "1a", "Agree customer care priorities and measures", "Communications and Customer Experience Manager",
     "2024-09-30", "Achieved", "Measures agreed and reported in this workbook.", "2023/24:1b"),
    ("2024/25", "1b", "Review the Customer Care Standards alongside the new Council Plan",
     "Communications and Customer Experience Manager", "2025-03-31", "Not achieved",
     "Draft standards prepared; consultation in 2025/26.", ""),
    ("2024/25", "2a", "Agree access arrangements with parish councils in the remaining AIC areas",
     "Communications and Customer Experience Manager", "2025-03-31", "Achieved",
     "Winsford Town Council to host an access point from 2025/26.", "2023/24:2a"),
    ("2024/25", "2b", "Improve signage in the public areas of the Council Offices", "Property Services Manager",
     "2024-12-31", "Completed", "New signage installed in the public areas.", "2023/24:2b"),
    ("2024/25", "2c", "Offer Easy Read versions of the most used forms", "Head of Digital and IT", "2025-03-31",
     "Achieved", "Six Easy Read forms published.", ""),
    ("2024/25", "3a", "Launch the new omni-channel customer portal", "Director: Digital and Organisational Change",
     "2024-05-31", "Achieved", "Portal live from May 2024.", ""),
    ("2024/25", "3b", "Set Report It acknowledgement and response timescales in the new system",
     "Customer Services Manager", "2024-07-31", "Achieved", "Timescales configured and published.", ""),
    ("2024/25", "4a", "Recruit Citizens' Panel members by random address selection", "Policy and Consultation Officer",
     "2025-03-31", "Not achieved", "Incentive budget not agreed; carried into 2025/26.", "2023/24:4a"),
    ("2024/25", "4b", "Set up a youth forum to sense-check policies and strategies with young people",
     "Policy and Consultation Officer", "2025-01-31", "Achieved", "First meeting held in November 2024.", ""),
    ("2024/25", "4c", "Use insight from the customer portal to shape services",
     "Communications and Customer Experience Manager", "2025-03-31", "Achieved", "Quarterly demand reports to managers.", ""),
    ("2024/25", "5a", "Train all customer-facing staff on the new customer contact system",
     "Senior Customer Services Advisor", "2024-05-31", "Achieved", "Training completed before go-live.", ""),
    ("2024/25", "5b", "Complaint handling training in line with the Complaint Handling Code",
     "Corporate Services Manager", "2024-12-31", "Achieved", "Delivered to all complaint handlers.", ""),
    ("2024/25", "6a", "Agree with the county council how highways reports made to us are passed on and tracked",
     "Customer Services Manager", "2025-03-31", "Achieved", "Pothole and street light reports now tracked.", ""),
    # 2025/26: the newly endorsed plan, 10 actions
    ("2025/26", "1a", "Adopt revised Customer Care Standards", "Communications and Customer Experience Manager",
     "2025-09-30", "In progress", "Consultation with the Citizens' Panel planned for June.", "2024/25:1b"),
    ("2025/26", "1b", "Publish a quarterly customer care dashboard for members", "Corporate Services Manager",
     "2025-12-31", "Not started", "", ""),
    ("2025/26", "2a", "Open a parish-run access point in Winsford", "Customer Services Manager", "2025-07-31",
     "In Progress", "Equipment ordered.", ""),
    ("2025/26", "2b", "Review opening hours at the Council Offices reception", "Customer Services Manager",
     "2026-03-31", "Not started", "", ""),
    ("2025/26", "3a", "Add self-service accounts for waste and licensing to the customer portal",
     "Head of Digital and IT", "2026-03-31", "In progress", "Waste account in testing.", ""),
    ("2025/26", "3b", "Pilot an out-of-hours webchat assistant", "Head of Digital and IT", "2026-03-31",
     "Not started", "", ""),
    ("2025/26", "4a", "Recruit Citizens' Panel members by random address selection, with an incentive",
     "Policy and Consultation Officer", "2025-12-31", "In progress", "Budget bid submitted.", "2024/25:4a"),
    ("2025/26", "4b", "Involve the youth forum in reviewing the Customer Care Standards",
     "Policy and Consultation Officer", "2025-09-30", "Not started", "", ""),
    ("2025/26", "5a", "Customer care refresher for all staff", "HR and Organisational Development Manager",
     "2026-01-31", "In progress", "Course content being updated.", ""),
    ("2025/26", "6a", "Agree shared customer contact for highways with the county council", "Customer Services Manager",
     "2026-03-31", "Not started", "", ""),
)
ACTION_PLAN_HEADERS = ("Plan year", "Ref", "Theme", "Action", "Lead officer", "Target date", "Status",
                       "Progress update", "Carried from", "Outcome measure")
# The outcome measure an action is meant to move (the plan's "Outcome measure" column, measure_id): a few actions
# name one, so the action plan page shows them beside that measure's figure. The others leave the cell empty.
ACTION_MEASURES = {
    ("2022/23", "1b"): "responses_within_standard",
    ("2023/24", "2c"): "website_accessibility_issues",
    ("2024/25", "3a"): "digital_share",
    ("2024/25", "3b"): "acknowledgements_within_standard",
    ("2024/25", "4a"): "panel_members",
    ("2024/25", "5a"): "first_contact_resolution",
    ("2024/25", "5b"): "complaints_responded_within_standard",
    ("2025/26", "3a"): "digital_share",
    ("2025/26", "4a"): "panel_members",
}


# --- council.toml -----------------------------------------------------------------------------

def christmas_closure_days(first_year: int = 2021, last_year: int = 2024) -> list[dt.date]:
    """Working days from 27 to 31 December that are not already bank holidays."""
    days = []
    for year in range(first_year, last_year + 1):
        bank = holidays.country_holidays("GB", subdiv="ENG", years=[year])
        for day in range(27, 32):
            date = dt.date(year, 12, day)
            if date.weekday() < 5 and date not in bank:
                days.append(date)
    return days


def _toml_list(values, indent: str = "    ", per_line: int = 3) -> str:
    items = [f'"{v}"' for v in values]
    if len(items) <= per_line:
        return "[" + ", ".join(items) + "]"
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[\n" + ",\n".join(indent + line for line in lines) + ",\n]"


# [spc.rebase] of the sample: months where its generator changes a measure's level and the monthly
# chart shows it (CALLS_ANSWERED, CALLS_WITHIN_20, CALLS_SLOW_MEAN and FIRST_CONTACT_RESOLUTION in 2023/24
# and 2024/25; the response bands of 2024/25, the chart of responses starting in 2022/23 when the email
# standard changed; CHANNEL_SHARE every year). Without them the limits of these charts would not describe
# the months (fewer than 8 in 10 inside them, or runs on each side of one average).
SPC_REBASE = {
    "calls_answered_within_standard": ("2023-04", "2024-04"),
    "calls_abandoned": ("2023-04", "2024-04"),
    "average_speed_of_answer": ("2023-04", "2024-04"),
    "first_contact_resolution": ("2023-04", "2024-04"),
    "responses_within_standard": ("2024-04",),
    "digital_share": ("2022-04", "2023-04", "2024-04"),
}
SPC_REBASE_TEXT = "\n".join(f"{measure} = {_toml_list(months, indent='', per_line=4)}"
                             for measure, months in SPC_REBASE.items())


def council_toml() -> str:
    closures = christmas_closure_days()
    questions = []
    for qid, (text, scale, positive) in SURVEY_QUESTIONS.items():
        questions.append(
            f"[survey.questions.{qid}]\n"
            f'text = "{text}"\n'
            f"scale = {_toml_list(scale, per_line=3)}\n"
            f"positive = {_toml_list(positive, per_line=3)}\n"
            + (f'replaces = "{SURVEY_REPLACES[qid]}"   # reworded in 2023/24: not compared with it\n'
               if qid in SURVEY_REPLACES else "")
        )
    questions_text = "\n".join(questions)
    closure_text = _toml_list([d.isoformat() for d in closures], per_line=3)
    columns = "\n".join(
        f'"{header}" = "{canonical}"' for header, canonical in zip(
            ACTION_PLAN_HEADERS,
            ("plan_year", "action_id", "theme", "action", "owner", "due", "status", "progress_note", "carried_from",
             "measure_id"),
        )
    )
    ombudsman_outcomes = "\n".join(
        f'"{words}" = "{"upheld" if words in OMBUDSMAN_UPHELD else "not_upheld" if "o maladministration" in words else "not_investigated"}"'
        for words in dict.fromkeys(w for by in OMBUDSMAN_WORDS.values() for w in by))
    return f'''# council.toml: how the scrutiny workbook reads this council's data.
#
# This is the bundled SAMPLE council. Brackenford District Council is fictional and
# every figure in this folder is generated by `python -m analysis.sample --out data/sample`.
# To use the workbook for your own council, copy this file into your data folder and
# change the values below. Lines starting with # are comments.

[council]
name = "{COUNCIL}"
year_start_month = 4            # the financial year starts on 1 April (2023/24 = 1 Apr 2023 to 31 Mar 2024)
sample = true                   # every page carries a "sample data, not real figures" banner; set false for real data

[calendar]
# Working days are Monday to Friday, less bank holidays (from the `holidays` package,
# so one-off days such as 19 September 2022 and 8 May 2023 are included) and the
# council's own closure days below.
bank_holidays = "england-and-wales"     # or "scotland", "northern-ireland"
# The offices close between Christmas and New Year. List only the days that are not
# already bank holidays.
closure_days = {closure_text}

# Customer Care Standards: the number of working days within which a contact must be
# answered (day 0 is the day it arrives). A standard that changed can be written as a
# table of the year each value applies from: email moved from 10 to 5 working days in 2022/23.
[standards.respond_within_working_days]
email = {{ "2021/22" = 10, "2022/23" = 5 }}
letter = 10
online_form = 5
report_it = 10
social_media = 5
webchat = 1

[standards.acknowledge_within_working_days]
report_it = 1                   # Report It sends an automatic acknowledgement email
email = 1
online_form = 1

[standards.phone]
answer_within_seconds = 20

[standards.complaints]          # the Ombudsmen's Complaint Handling Code
acknowledge_within_working_days = 5
stage1_respond_within_working_days = 10     # counted from the acknowledgement
stage2_respond_within_working_days = 20     # counted from the acknowledgement
# An extension agreed with the complainant (complaints.csv's extended_to) may run up to 10 working days
# past the standard deadline at stage 1 and 20 at stage 2, as the Code allows; nothing to set here.

[complaints]
# Where the council publishes its self-assessment against the Complaint Handling Code: the annual
# complaints report links to it. Leave it out and the report says none was given.
self_assessment_url = "{SELF_ASSESSMENT_URL}"

[channels]
# Channels counted as digital in the channel-shift measure (digital_share).
digital = ["email", "online_form", "report_it", "webchat", "social_media"]

[locations]
# Places residents can visit. Northbrook AIC has been run by Northbrook Parish Council
# since 3 October 2022.
in_person = ["Council Offices", "Northbrook AIC", "Elmcleeve AIC", "Winsford AIC"]

[action_plan]
# The six themes of the Customer Care Strategy; every action belongs to one.
themes = {_toml_list(THEMES, per_line=2)}

[action_plan.status_labels]
# The words used in the Status column of the action plan spreadsheet, and what they mean.
# Matching ignores capitals and spaces at either end.
achieved = ["Achieved", "Complete", "Completed"]
not_achieved = ["Not achieved", "Not complete"]
ongoing = ["Ongoing", "In progress", "Not started"]
withdrawn = ["Withdrawn"]

# Survey questions. A question keeps its id only while its wording and answers stay the
# same: when "How easy is it to contact the council?" was reworded in 2023/24 it became
# a new question, contact_ease_2023, so the two are never compared as if they were one.
{questions_text}
[disclosure]
minimum_count = 5               # members' pages never show a count of 1 to 4

# Monthly charts (statistical process control). Moving ranges more than 3.267 times their
# average are left out when the limits are worked out, as NHSRplotthedots does; false keeps
# every one, as the Making Data Count spreadsheets do.
[spc]
screen_outliers = true

# The months from which a measure's average and limits are worked out afresh: where the
# service changed and its figures settled at a new level (one set of limits across two
# levels describes neither). Staff changes in the Customer Services team made 2023/24 worse
# on the phones and at first contact; the restructured team and the new customer contact
# system brought 2024/25 back, and responses improved with the new system. The digital share
# of contacts stepped up each April as contacts moved online.
[spc.rebase]
{SPC_REBASE_TEXT}

# The meeting the year's committee pack goes to: the covering report's header, in the council's
# standard form. Every line is optional; what is not given is left out of the report.
[committee]
name = "Overview and Scrutiny Committee"
meeting_date = 2025-06-10
report_of = "Head of Customer Services"
lead_member = "Lead Member for Customer Focus"
contact_officer = "Customer Services Manager, customer.services@brackenford.example.gov.uk"
wards_affected = "All"
key_decision = false
recommendation = "To CONSIDER the outcomes of the Customer Care Strategy for 2024/25 and the actions carried forward to the 2025/26 action plan, and to CONSIDER the annual complaints performance and service improvement report and agree the Committee's response to it."
reasons = "The Overview and Scrutiny Committee monitors the delivery of the Customer Care Strategy each year, and the Complaint Handling Code asks for the annual complaints report to go to the council's governing body with its response."
background_papers = "Customer Care Strategy and its action plans, 2021/22 to 2024/25."

[committee.implications]
"Resource Implications" = "None directly resulting from this report."
"Legal Implications" = "None directly resulting from this report."
"Equality Implications" = "The report shows how residents who do not use digital channels were served, by phone, letter and in person, and how representative the Citizens' Panel is."
"Risk Management Implications" = "Without monitoring of the customer care standards there is a risk to the council's reputation."

# Where each dataset is and what its columns are called, when that differs from the
# standard names. Every other dataset here is simply <name>.csv / .xlsx / .parquet.
[datasets.action_plan]
path = "action_plan.xlsx"
sheet = "Action plan"

[datasets.action_plan.columns]  # the spreadsheet's own headings = the workbook's names
{columns}

# The Ombudsmen's decisions (ombudsman.csv) in their own words: which outcome the council counts
# each as. "Upheld", "Not upheld" and "Not investigated" would need no line.
[datasets.ombudsman.values.outcome]
{ombudsman_outcomes}
'''


# --- helpers ----------------------------------------------------------------------------------

def _rng(seed: int, *stream: int) -> np.random.Generator:
    """An independent, reproducible random stream for each dataset (and year)."""
    return np.random.default_rng([seed, *stream])


def _largest_remainder(total: int, shares) -> np.ndarray:
    shares = np.asarray(shares, dtype=float)
    exact = total * shares / shares.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def _days(first: np.datetime64, last_exclusive: np.datetime64) -> np.ndarray:
    return np.arange(first, last_exclusive, dtype="datetime64[D]")


def _weekday(days: np.ndarray) -> np.ndarray:
    return (days.astype("int64") + 3) % 7  # Monday = 0


def _month(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[M]").astype("int64") % 12 + 1


def _fy_days(start_year: int) -> np.ndarray:
    return _days(np.datetime64(f"{start_year}-04-01"), np.datetime64(f"{start_year + 1}-04-01"))


def _seconds(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def _clock(rng: np.random.Generator, n: int, bins) -> np.ndarray:
    """Seconds after midnight, drawn from (start 'HH:MM', end 'HH:MM', weight) bins."""
    starts = np.array([_seconds(b[0]) for b in bins])
    ends = np.array([_seconds(b[1]) for b in bins])
    weights = np.array([b[2] for b in bins], dtype=float)
    which = rng.choice(len(bins), size=n, p=weights / weights.sum())
    return starts[which] + np.floor(rng.random(n) * (ends[which] - starts[which])).astype(np.int64)


def _stamp(days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[s]") + np.asarray(seconds, dtype="int64").astype("timedelta64[s]")


def _delays(rng: np.random.Generator, n: int, bands, never: float) -> np.ndarray:
    """Working-day offsets drawn from bands of (share, first, last); NaN = never done."""
    shares = np.array([b[0] for b in bands] + [never], dtype=float)
    lo = np.array([b[1] for b in bands] + [0], dtype=float)
    hi = np.array([b[2] for b in bands] + [0], dtype=float)
    which = rng.choice(len(shares), size=n, p=shares / shares.sum())
    skew = rng.random(n) ** 1.6  # earlier days within a band are more likely
    k = lo[which] + np.floor(skew * (hi[which] - lo[which] + 1))
    k[which == len(bands)] = np.nan
    return k


OFFICE_RESPONSE_HOURS = (("08:30", "12:30", 5), ("12:30", "13:30", 2), ("13:30", "17:30", 5), ("17:30", "19:00", .5))
PHONE_HOURS = (("08:45", "10:00", 7), ("10:00", "12:00", 6), ("12:00", "14:00", 4.5), ("14:00", "16:00", 4.5),
               ("16:00", "17:00", 3))
COUNCIL_OFFICE_HOURS = (("09:00", "10:00", 4), ("10:00", "12:00", 6), ("12:00", "14:00", 5), ("14:00", "16:30", 4))
AIC_MORNINGS = (("09:30", "11:00", 3), ("11:00", "13:00", 2))
PARISH_HOURS = (("09:00", "12:30", 3), ("12:30", "16:00", 2))
LETTER_HOURS = (("09:00", "11:00", 4), ("11:00", "15:00", 1))
DIGITAL_HOURS = tuple(
    (f"{h:02d}:00", f"{h + 1:02d}:00" if h < 23 else "23:59", w)
    for h, w in enumerate((.5, .3, .2, .2, .2, .4, 1, 2.5, 4.5, 6.5, 7, 7, 6.5, 6.5, 6.5, 6, 5.5, 5, 5, 5,
                           4.5, 3.5, 2.5, 1.2))
)
WEBCHAT_HOURS = (("08:00", "08:30", .3), ("08:30", "12:00", 5), ("12:00", "17:30", 5), ("17:30", "20:00", .6))
COMPLAINT_HOURS = (("07:00", "09:00", 1), ("09:00", "17:00", 6), ("17:00", "22:00", 2))


def _respond_at(rng, cal: WorkingCalendar, received: np.ndarray, k: np.ndarray, start=None) -> np.ndarray:
    """A timestamp on working day k (counted from ``start``'s day, default the receipt day), in office hours."""
    base = (received if start is None else start).astype("datetime64[D]")
    day = cal.add_working_days(base, k)
    stamp = _stamp(day, _clock(rng, len(received), OFFICE_RESPONSE_HOURS))
    after = received if start is None else np.maximum(received, start)
    too_early = np.flatnonzero(stamp <= after)  # only possible on day 0
    if too_early.size:
        # answer shortly afterwards if that is still within the working day, else the next working day
        soon = after[too_early] + rng.integers(300, 5400, size=too_early.size).astype("timedelta64[s]")
        same_day = soon.astype("datetime64[D]")
        in_hours = (same_day == after[too_early].astype("datetime64[D]")) & (
            (soon - same_day.astype("datetime64[s]")).astype("int64") <= _seconds("19:00"))
        next_day = cal.add_working_days(same_day, 1)
        later = _stamp(next_day, _clock(rng, too_early.size, OFFICE_RESPONSE_HOURS))
        stamp[too_early] = np.where(in_hours, soon, later)
    return stamp


def _blank_after_extract(stamps: np.ndarray) -> np.ndarray:
    stamps = stamps.copy()
    stamps[stamps > EXTRACTED_AT] = np.datetime64("NaT")
    return stamps


def _take(values, codes) -> pd.Series:
    """Strings by code (-1 = missing), built in Arrow so millions of rows cost milliseconds."""
    codes = np.asarray(codes, dtype=np.int64)
    indices = pa.array(codes, mask=codes < 0)
    return pd.Series(pc.take(pa.array(list(values), pa.string()), indices).to_pandas())


def _ids(prefix, seq: np.ndarray, width: int) -> pd.Series:
    """prefix (a string, or an array of strings per row) + zero-padded sequence number."""
    numbers = pc.utf8_lpad(pc.cast(pa.array(np.asarray(seq, dtype=np.int64)), pa.string()), width, "0")
    prefixes = prefix if isinstance(prefix, str) else pa.array(list(prefix), pa.string())
    return pd.Series(pc.binary_join_element_wise(prefixes, numbers, "").to_pandas())


def _timestamps(stamps: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(stamps, dtype="datetime64[s]"))


def _choice_codes(rng, weights: dict, names, n: int) -> np.ndarray:
    codes = np.array([names.index(k) for k in weights])
    w = np.array(list(weights.values()), dtype=float)
    return codes[rng.choice(len(codes), size=n, p=w / w.sum())]


def _fy_of(days: np.ndarray) -> np.ndarray:
    months = _month(days)
    years = days.astype("datetime64[Y]").astype("int64") + 1970
    return np.where(months < 4, years - 1, years)


def _write_parquet(frames, path: Path) -> None:
    """Write frames (an iterable of DataFrames with identical columns) as one Parquet file."""
    with _ParquetFile(path) as sink:
        for frame in frames:
            sink.write(frame)
            del frame  # keep one year (or one chunk of a year) in memory at a time


class _ParquetFile:
    """One Parquet file written a frame at a time, so two files (contacts and their feedback) can be
    written side by side without holding either whole. Each frame becomes one row group, as before."""

    def __init__(self, path: Path):
        self.path, self.writer, self.schema = path, None, None

    def write(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            self.schema = table.schema
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd", use_dictionary=True,
                                           write_statistics=True)
        self.writer.write_table(table.cast(self.schema))

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.writer is not None:
            self.writer.close()


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", date_format="%Y-%m-%d %H:%M:%S")


# --- generation in chunks, for benchmark sizes (make bench) -------------------------------------
# A year of 10 million contacts cannot be drawn at once in bounded memory, so when more than
# CHUNK_ROWS contacts (or calls) a year are asked for, each year is drawn as several chunks of at most
# CHUNK_ROWS rows, each a smaller copy of the whole year with its own random stream
# (_rng(seed, dataset, year, chunk)); ids run on across the chunks. Rows are then in time order within
# each chunk, not across the year (the workbook does not rely on the order of rows). Up to CHUNK_ROWS a
# year, every year is drawn in one go exactly as before, from _rng(seed, dataset, year), so the bundled
# sample (20,000 contacts a year) and every size up to 1 million a year are unchanged, byte for byte.
CHUNK_ROWS = 1_000_000


class _Chunk(NamedTuple):
    """One chunk of a year drawn in several: its random stream, its rows, and the ids it takes."""
    index: int      # the chunk's random stream is _rng(seed, dataset, year, index)
    rows: int       # rows in this chunk
    first_id: int   # sequence number of its first row: ids run on from the chunk before
    width: int      # digits of the year's ids, the same in every chunk
    share: float    # its share of the year, to scale the fixed counts (the AICs' visits)


def _year_chunks(rows: int, chunk_rows: int, width: int, split_like=None) -> list[_Chunk]:
    """A year's ``rows`` split into near-equal chunks of at most ``chunk_rows`` (or in proportion to
    ``split_like``, the rows of another dataset's chunks: a chunk's feedback comes from its contacts)."""
    weights = np.ones(-(-rows // chunk_rows)) if split_like is None else np.asarray(split_like, dtype=float)
    sizes = _largest_remainder(rows, weights)
    firsts = np.cumsum(sizes) - sizes + 1
    return [_Chunk(i, int(n), int(first), width, float(w / weights.sum()))
            for i, (n, first, w) in enumerate(zip(sizes, firsts, weights))]


def _contact_chunks(year: int, per_year: int, chunk_rows: int) -> list[tuple]:
    """(contacts chunk, its feedback chunk) pairs for a year; [(None, None)] draws the year in one go."""
    if per_year <= chunk_rows:
        return [(None, None)]
    rows = int(round(per_year * CONTACT_GROWTH[year]))  # as _contacts_year and _feedback_year count them
    feedback_rows = int(round(per_year * 0.3 * CONTACT_GROWTH[year]))
    contacts = _year_chunks(rows, chunk_rows, max(6, len(str(rows))))
    feedback = _year_chunks(feedback_rows, chunk_rows, max(6, len(str(feedback_rows))),
                            split_like=[c.rows for c in contacts])
    return list(zip(contacts, feedback))


def _call_chunks(year: int, per_year: int, offset: int, chunk_rows: int) -> list:
    """A year's call chunks, after ``offset`` calls of earlier years; [None] draws the year in one go."""
    if per_year <= chunk_rows:
        return [None]
    rows = int(round(per_year * CALL_GROWTH[year]))
    return _year_chunks(rows, chunk_rows, max(7, len(str(offset + rows))))


# --- contacts, feedback --------------------------------------------------------------------------

def _contact_times(rng, cal: WorkingCalendar, year: int, channel: str, n: int) -> np.ndarray:
    days = _fy_days(year)
    working = cal.is_working_day(days)
    weekday = _weekday(days)
    month = _month(days)
    if channel in ("phone", "letter"):
        weights = working * np.where(weekday == 0, 1.2, 1.0)
        weights = weights * np.where(np.isin(month, (3, 4)), 1.25, 1.0)  # annual council tax bills
        hours = PHONE_HOURS if channel == "phone" else LETTER_HOURS
    else:
        weights = np.where(working, np.where(weekday == 0, 1.15, 1.0), np.where(weekday >= 5, 0.45, 0.55))
        if channel == "webchat":  # most chats are started while advisers are online
            weights = np.where(working, weights, 0.2)
        if channel in ("report_it", "social_media"):
            weights = weights * np.where(np.isin(month, (6, 7, 8)), 1.2, 1.0) * np.where(month == 1, 1.3, 1.0)
        elif channel in ("online_form", "email"):
            weights = weights * np.where(np.isin(month, (3, 4)), 1.2, 1.0)
        hours = WEBCHAT_HOURS if channel == "webchat" else DIGITAL_HOURS
    day = rng.choice(days, size=n, p=weights / weights.sum())
    return _stamp(day, _clock(rng, n, hours))


def _in_person(rng, cal: WorkingCalendar, year: int, total: int, scale: float):
    """Visits by location: returns (timestamps, location codes).

    The AICs get a fixed number of visits a year (their trend is the point of the
    sample), spread over the days they are open; the Council Offices get the rest.
    """
    days = _fy_days(year)
    working = cal.is_working_day(days)
    weekday = _weekday(days)
    before = days < NORTHBROOK_HANDOVER
    northbrook_before = working & np.isin(weekday, AIC_DAYS["Northbrook AIC"]) & before
    northbrook_after = working & ~before
    segments = [  # (location, open days, visits, opening hours)
        (name, working & np.isin(weekday, AIC_DAYS[name]), AIC_VISITS[name][YEARS.index(year)], AIC_MORNINGS)
        for name in ("Elmcleeve AIC", "Winsford AIC")
    ] + [
        ("Northbrook AIC", northbrook_before, NORTHBROOK_RATE_BEFORE * northbrook_before.sum(), AIC_MORNINGS),
        ("Northbrook AIC", northbrook_after, NORTHBROOK_RATE_AFTER.get(year, 0.0) * northbrook_after.sum(),
         PARISH_HOURS),
    ]
    stamps, locations = [], []
    for name, open_days, visits, hours in segments:
        count = int(round(visits * scale))
        if not open_days.any():
            continue
        day = rng.choice(days[open_days], size=count)
        stamps.append(_stamp(day, _clock(rng, count, hours)))
        locations.append(np.full(count, LOCATIONS.index(name)))
    offices = max(total - sum(len(s) for s in stamps), 0)
    weights = working * np.where(weekday == 0, 1.2, 1.0)
    day = rng.choice(days, size=offices, p=weights / weights.sum())
    stamps.append(_stamp(day, _clock(rng, offices, COUNCIL_OFFICE_HOURS)))
    locations.append(np.full(offices, LOCATIONS.index("Council Offices")))
    return np.concatenate(stamps), np.concatenate(locations)


def _contacts_year(seed: int, cal: WorkingCalendar, year: int, per_year: int, chunk: _Chunk | None = None):
    rng = _rng(seed, 1, year) if chunk is None else _rng(seed, 1, year, chunk.index)
    n_year = int(round(per_year * CONTACT_GROWTH[year])) if chunk is None else chunk.rows
    shares = CHANNEL_SHARE[year]
    counts = dict(zip(CHANNELS, _largest_remainder(n_year, [shares[c] for c in CHANNELS])))
    scale = per_year / DEFAULT_CONTACTS * (1.0 if chunk is None else chunk.share)

    received, channel, location = [], [], []
    for name in CHANNELS:
        if name == "in_person":
            stamps, where = _in_person(rng, cal, year, counts[name], scale)
        else:
            stamps = _contact_times(rng, cal, year, name, int(counts[name]))
            where = np.full(len(stamps), -1)
        received.append(stamps)
        channel.append(np.full(len(stamps), CHANNELS.index(name)))
        location.append(where)
    received = np.concatenate(received)
    channel = np.concatenate(channel)
    location = np.concatenate(location)
    order = np.lexsort((location, channel, received))
    received, channel, location = received[order], channel[order], location[order]
    n = len(received)

    # what it was about
    category = np.empty(n, dtype=np.int64)
    for code, name in enumerate(CHANNELS):
        if name == "in_person":
            continue
        rows = np.flatnonzero(channel == code)
        category[rows] = _choice_codes(rng, CHANNEL_CATEGORIES[name], CATEGORY_NAMES, len(rows))
    rows = np.flatnonzero(location == LOCATIONS.index("Council Offices"))
    category[rows] = _choice_codes(rng, CHANNEL_CATEGORIES["Council Offices"], CATEGORY_NAMES, len(rows))
    rows = np.flatnonzero(location > 0)
    category[rows] = _choice_codes(rng, CHANNEL_CATEGORIES["AIC"], CATEGORY_NAMES, len(rows))
    service = CATEGORY_SERVICE[category]

    # where the customer lives: AIC visitors mostly from the AIC's own ward
    ward_p = np.array(WARD_ADULTS, dtype=float) / sum(WARD_ADULTS)
    ward = rng.choice(len(WARDS), size=n, p=ward_p)
    aic_ward = np.array([-1, WARDS.index("Northbrook"), WARDS.index("Elmcleeve"), WARDS.index("Winsford")])
    local = (location > 0) & (rng.random(n) < 0.8)
    ward[local] = aic_ward[location[local]]

    # acknowledgements
    received_day = received.astype("datetime64[D]")
    acknowledged = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    for name, (auto, bands, never) in ACKNOWLEDGE.items():
        rows = np.flatnonzero(channel == CHANNELS.index(name))
        manual_share = sum(b[0] for b in bands)
        which = rng.choice(3, size=len(rows), p=np.array([auto, manual_share, never]) / (auto + manual_share + never))
        k = _delays(rng, len(rows), bands, 0.0)
        stamps = _respond_at(rng, cal, received[rows], k)
        automatic = received[rows] + rng.integers(5, 600, size=len(rows)).astype("timedelta64[s]")
        stamps = np.where(which == 0, automatic, stamps)
        stamps[which == 2] = np.datetime64("NaT")
        acknowledged[rows] = stamps

    # full responses and first contact resolution
    responded = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    resolved = np.full(n, -1, dtype=np.int8)  # -1 not recorded
    for code, name in enumerate(CHANNELS):
        rows = np.flatnonzero(channel == code)
        if name in FIRST_CONTACT_RESOLUTION:
            first = rng.random(len(rows)) < FIRST_CONTACT_RESOLUTION[name][YEARS.index(year)]
            if name == "webchat":  # out of hours a chat is left as a message and answered later
                clock = (received[rows] - received_day[rows].astype("datetime64[s]")).astype("int64")
                staffed = cal.is_working_day(received_day[rows]) & (clock >= _seconds("08:30")) & (
                    clock < _seconds("17:30"))
                first &= staffed
            resolved[rows] = first
            bands, never = FOLLOW_UP[name]
            k = _delays(rng, len(rows), bands, never)
            later = _respond_at(rng, cal, received[rows], k)
            handled = received[rows] + rng.integers(60, 900, size=len(rows)).astype("timedelta64[s]")
            responded[rows] = np.where(first, handled, later)
        else:
            bands, never = (EMAIL_RESPONSE if name == "email" else RESPONSE[name])[year]
            k = _delays(rng, len(rows), bands, never)
            responded[rows] = _respond_at(rng, cal, received[rows], k)
    # a full response is also an acknowledgement
    earlier = ~np.isnat(responded) & ~np.isnat(acknowledged) & (responded < acknowledged)
    acknowledged[earlier] = responded[earlier]
    acknowledged = _blank_after_extract(acknowledged)
    responded = _blank_after_extract(responded)

    # personal data the workbook must drop: obviously fake
    resident = np.floor(78_000 * rng.random(n) ** 1.7).astype(np.int64) + 1
    has_email = np.isin(channel, [CHANNELS.index(c) for c in DIGITAL]) | (rng.random(n) < 0.4)
    message_variant = rng.integers(0, 3, size=n)

    frame = pd.DataFrame({
        "contact_id": (_ids(f"C{year % 100:02d}-", np.arange(1, n + 1), max(6, len(str(n)))) if chunk is None else
                       _ids(f"C{year % 100:02d}-", np.arange(chunk.first_id, chunk.first_id + n), chunk.width)),
        "received_at": _timestamps(received),
        "channel": _take(CHANNELS, channel),
        "service": _take(SERVICES, service),
        "category": _take(CATEGORY_NAMES, category),
        "location": _take(LOCATIONS, location),
        "ward": _take(WARDS, ward),
        "acknowledged_at": _timestamps(acknowledged),
        "responded_at": _timestamps(responded),
        "resolved_first_contact": _nullable_bool(resolved),
        "customer_name": _ids("Sample Resident ", resident, 1),
        "customer_email": _email(resident, has_email),
        "message": _take(_MESSAGES, category * 3 + message_variant),
    })
    feedback_source = {"received": received, "channel": channel, "service": service}
    return frame, feedback_source


def _nullable_bool(codes: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(codes == 1, codes < 0)


def _email(resident: np.ndarray, present: np.ndarray) -> pd.Series:
    numbers = pc.cast(pa.array(resident), pa.string())
    emails = pc.binary_join_element_wise("resident", numbers, "@example.invalid", "")
    emails = pc.if_else(pa.array(present), emails, pa.scalar(None, pa.string()))
    return pd.Series(emails.to_pandas())


_MESSAGES = tuple(
    text
    for category in CATEGORY_NAMES
    for text in (
        f"[Sample text] Please can you help with {category.lower()}.",
        f"[Sample text] I am writing about {category.lower()} at my address.",
        f"[Sample text] Following up my earlier contact about {category.lower()}.",
    )
)


def _feedback_year(seed: int, year: int, per_year: int, source: dict, chunk: _Chunk | None = None) -> pd.DataFrame:
    rng = _rng(seed, 5, year) if chunk is None else _rng(seed, 5, year, chunk.index)
    n = int(round(per_year * 0.3 * CONTACT_GROWTH[year])) if chunk is None else chunk.rows  # 6,000 a year by default
    channel = source["channel"]
    propensity = np.zeros(len(CHANNELS))
    for name, weight in FEEDBACK_CHANNELS.items():
        propensity[CHANNELS.index(name)] = weight
    p = propensity[channel]
    picked = np.sort(rng.choice(len(channel), size=n, replace=False, p=p / p.sum()))
    given = source["received"][picked] + rng.integers(30, 1200, size=n).astype("timedelta64[s]")
    given = np.minimum(given, np.datetime64(f"{year + 1}-03-31T23:59:59", "s"))
    rating = np.empty(n, dtype=np.int64)
    picked_channel = channel[picked]
    for name, by_year in FEEDBACK_RATINGS.items():
        rows = np.flatnonzero(picked_channel == CHANNELS.index(name))
        rating[rows] = rng.choice(3, size=len(rows), p=by_year[YEARS.index(year)])
    order = np.lexsort((picked, given))
    return pd.DataFrame({
        "feedback_id": (_ids(f"F{year % 100:02d}-", np.arange(1, n + 1), max(6, len(str(n)))) if chunk is None else
                        _ids(f"F{year % 100:02d}-", np.arange(chunk.first_id, chunk.first_id + n), chunk.width)),
        "given_at": _timestamps(given[order]),
        "channel": _take(CHANNELS, picked_channel[order]),
        "rating": _take(("good", "average", "poor"), rating[order]),
        "service": _take(SERVICES, source["service"][picked][order]),
    })


# --- calls ------------------------------------------------------------------------------------

def _calls_year(seed: int, cal: WorkingCalendar, year: int, per_year: int, offset: int,
                chunk: _Chunk | None = None) -> pd.DataFrame:
    """A year's calls (or one chunk of them), numbered on from ``offset`` (the calls of earlier years)."""
    rng = _rng(seed, 2, year) if chunk is None else _rng(seed, 2, year, chunk.index)
    n = int(round(per_year * CALL_GROWTH[year])) if chunk is None else chunk.rows
    days = _fy_days(year)
    working = cal.is_working_day(days)
    weekday = _weekday(days)
    month = _month(days)
    # the first working day after a weekday bank holiday or closure is busy
    after_holiday = working & np.r_[False, ~working[:-1] & (weekday[:-1] < 5)]
    weights = working * np.choose(np.minimum(weekday, 4), (1.25, 1.05, 1.0, 0.95, 0.85))
    weights = weights * np.where(np.isin(month, (3, 4)), 1.25, 1.0) * np.where(month == 12, 0.8, 1.0)
    weights = weights * np.where(after_holiday, 1.3, 1.0)
    day = np.sort(rng.choice(days, size=n, p=weights / weights.sum()))
    offered = np.sort(_stamp(day, _clock(rng, n, PHONE_HOURS)))
    queue = _choice_codes(rng, QUEUES, tuple(QUEUES), n)

    busy = (_weekday(offered.astype("datetime64[D]")) == 0) & (
        (offered - offered.astype("datetime64[D]")).astype("int64") < 11 * 3600)
    answered = rng.random(n) < CALLS_ANSWERED[year] - np.where(busy, 0.03, 0.0)
    quick = rng.random(n) < CALLS_WITHIN_20[year] - np.where(busy, 0.05, 0.0)
    quick_wait = np.minimum(np.floor(rng.exponential(7.0, n)), 20)
    slow_wait = 21 + np.minimum(np.floor(rng.exponential(CALLS_SLOW_MEAN[year], n)), 1800)
    abandoned_wait = 3 + np.minimum(np.floor(rng.exponential(70.0, n)), 1200)
    wait = np.where(answered, np.where(quick, quick_wait, slow_wait), abandoned_wait).astype(np.int64)
    width = max(7, len(str(offset + n))) if chunk is None else chunk.width
    first = offset + (1 if chunk is None else chunk.first_id)
    return pd.DataFrame({
        "call_id": _ids("CALL-", np.arange(first, first + n), width),
        "offered_at": _timestamps(offered),
        "answered": answered,
        "wait_seconds": wait,
        "queue": _take(tuple(QUEUES), queue),
    })


# --- complaints -------------------------------------------------------------------------------

def _complaints(seed: int, cal: WorkingCalendar, per_year: int) -> pd.DataFrame:
    rng = _rng(seed, 3)
    frames = []
    service_weights = {"Waste and Recycling": .30, "Revenues and Benefits": .22, "Planning": .18, "Housing": .12,
                       "Environmental Health": .08, "Licensing": .03, "Customer Services": .07}
    outcomes = ("upheld", "partly_upheld", "not_upheld", "withdrawn", "open")
    period_end = PERIOD_END.astype("datetime64[s]")
    stage1 = []
    for year in YEARS:
        n = int(round(250 * per_year / DEFAULT_CONTACTS * CONTACT_GROWTH[year]))
        days = _fy_days(year)
        working = cal.is_working_day(days)
        weights = np.where(working, 1.0, 0.25)
        received = np.sort(_stamp(rng.choice(days, size=n, p=weights / weights.sum()),
                                  _clock(rng, n, COMPLAINT_HOURS)))
        ids = _ids(f"CMP-{year % 100:02d}-", np.arange(1, n + 1), max(4, len(str(n))))
        stage1.append((ids, received, _choice_codes(rng, service_weights, SERVICES, n)))
    ids = pd.concat([s[0] for s in stage1], ignore_index=True)
    received = np.concatenate([s[1] for s in stage1])
    service = np.concatenate([s[2] for s in stage1])
    n = len(received)

    def handle(received, ack_bands, respond_bands, respond_never, outcome_p):
        m = len(received)
        ack_k = _delays(rng, m, ack_bands, 0.0)
        acknowledged = _respond_at(rng, cal, received, ack_k)
        resp_k = _delays(rng, m, respond_bands, respond_never)
        responded = _respond_at(rng, cal, received, resp_k, start=acknowledged)
        outcome = rng.choice(4, size=m, p=outcome_p)
        return acknowledged, responded, outcome

    year_of = _fy_of(received.astype("datetime64[D]"))
    stage1_respond = {  # working days from the acknowledgement; 2023/24 had staff changes
        2021: [(.80, 1, 10), (.17, 11, 25), (.02, 26, 45)],
        2022: [(.84, 1, 10), (.14, 11, 25), (.01, 26, 45)],
        2023: [(.76, 1, 10), (.21, 11, 30), (.02, 31, 50)],
        2024: [(.87, 1, 10), (.11, 11, 20), (.01, 21, 35)],
    }
    ack1 = np.empty(n, dtype="datetime64[s]")
    resp1 = np.empty(n, dtype="datetime64[s]")
    out1 = np.empty(n, dtype=np.int64)
    for year in YEARS:
        rows = np.flatnonzero(year_of == year)
        a, r, o = handle(received[rows], [(.90, 0, 3), (.06, 4, 5), (.04, 6, 9)], stage1_respond[year], .01,
                         (.18, .27, .50, .05))
        ack1[rows], resp1[rows], out1[rows] = a, r, o

    # stage 2: some not upheld / partly upheld complainants escalate after the stage 1 response
    escalate = (~np.isnat(resp1)) & np.isin(out1, (1, 2)) & (rng.random(n) < 0.21)
    rows2 = np.flatnonzero(escalate)
    asked_on = resp1[rows2].astype("datetime64[D]") + rng.integers(1, 41, size=len(rows2)).astype("timedelta64[D]")
    received2 = _stamp(asked_on, _clock(rng, len(rows2), COMPLAINT_HOURS))
    keep = received2 < period_end
    rows2, received2 = rows2[keep], received2[keep]
    ack2, resp2, out2 = handle(received2, [(.88, 0, 3), (.07, 4, 5), (.05, 6, 10)],
                               [(.78, 3, 20), (.19, 21, 40)], .02, (.10, .20, .65, .05))
    ombudsman2 = (~np.isnat(resp2)) & np.isin(out2, (1, 2)) & (rng.random(len(rows2)) < 0.25)

    for stage, rows, rec, ack, resp, out, omb in (
        (1, np.arange(n), received, ack1, resp1, out1, np.zeros(n, dtype=bool)),
        (2, rows2, received2, ack2, resp2, out2, ombudsman2),
    ):
        ack = _blank_after_extract(ack)
        resp = _blank_after_extract(resp)
        outcome = np.where(np.isnat(resp), 4, out)
        frames.append(pd.DataFrame({
            "complaint_id": ids.iloc[rows].reset_index(drop=True),
            "stage": stage,
            "received_at": _timestamps(rec),
            "service": _take(SERVICES, service[rows]),
            "acknowledged_at": _timestamps(ack),
            "responded_at": _timestamps(resp),
            "outcome": _take(outcomes, outcome),
            "referred_to_ombudsman": np.where(omb & ~np.isnat(resp), "yes", "no"),
        }))
    return pd.concat(frames, ignore_index=True).sort_values(["complaint_id", "stage"], kind="stable",
                                                             ignore_index=True)


# --- the Complaint Handling Code's annual report: the complaints' Code columns, the Ombudsmen's decisions ---
#
# Drawn from streams of their own (30, 31), so complaints.csv's other columns, and every other file, are what
# they were before the Code's report was added.

COMPLAINT_CATEGORIES = {  # what a complaint was about, as complaint handlers pick it; two are rare each year
    "Delay": .27, "Quality of service": .22, "Communication": .18, "Policy or decision": .14,
    "Staff conduct": .09, "Missed collection": .07, "Data protection": .01, "Discrimination": .005,
}
NOT_ACCEPTED_REASONS = {  # why a complaint was not taken into the procedure; the last is rare
    "A request for a service, not a complaint": .45,
    "Made more than 12 months after the matter complained of": .25,
    "Outside the procedure: there is a right of appeal to a tribunal": .22,
    "Outside the procedure: an insurance claim": .08,
}
# The service improvements complaint handlers recorded, by service: several complaints often led to the same one.
LEARNING = {
    "Waste and Recycling": ("Crews now photograph a bin they could not empty & leave a card saying why",
                            "Assisted collections are checked against the crew's round sheet every month"),
    "Revenues and Benefits": ("Council Tax bills now explain \"single person discount\" on the front page",
                              "Benefit letters are checked by a second officer before they are sent"),
    "Planning": ("Applicants are told within 5 working days when an application is not valid",
                 "Neighbours are now told when an application they commented on is decided"),
    "Housing": ("Repairs appointments are confirmed by text the day before",
                "Officers call back within 2 working days when a repair is not done on the day"),
    "Environmental Health": ("Noise complaints now get a named officer and a date for the first visit",),
    "Licensing": ("Renewal reminders are sent 8 weeks before a licence expires",),
    "Customer Services": ("Call handlers now book a callback instead of transferring a complaint",),
}
OMBUDSMAN_WORDS = {  # each Ombudsman's own words for its decisions, mapped in council.toml
    "lgsco": {"Upheld: maladministration and injustice": .38, "Upheld: maladministration, no injustice": .08,
              "Not upheld: no maladministration": .22, "Closed after initial enquiries": .27,
              "Referred back for local resolution": .05},
    "housing": {"Maladministration": .45, "Severe maladministration": .05, "No maladministration": .30,
                "Outside jurisdiction": .20},
}
OMBUDSMAN_UPHELD = ("Upheld: maladministration and injustice", "Upheld: maladministration, no injustice",
                    "Maladministration", "Severe maladministration")
OMBUDSMAN_DECISIONS = {2021: (14, 3), 2022: (16, 4), 2023: (19, 6), 2024: (15, 5)}  # (LGSCO, Housing) each year
SELF_ASSESSMENT_URL = "https://www.brackenford.example/complaints/self-assessment"


def _complaint_code_columns(seed: int, complaints: pd.DataFrame, config, cal: WorkingCalendar) -> pd.DataFrame:
    """The complaints with the Code's columns added (extended_to, category, not_accepted_reason, learning).

    Extensions: almost half the complaints answered (or still unanswered) after the stage's standard deadline
    had one agreed, most ending on or a little after the day of the answer and never past what the Code
    allows, and a few answered in time had one too. Two run past the Code's limit and two are dated before the
    standard deadline, so ``workbook check`` shows both warnings on the sample."""
    from analysis.measures import CODE_EXTENSION_WORKING_DAYS, complaint_deadlines

    rng = _rng(seed, 30)
    n = len(complaints)
    deadlines = complaint_deadlines(complaints, config, cal)
    standard, latest = deadlines.standard, deadlines.latest
    answered = complaints["responded_at"].to_numpy(dtype="datetime64[s]").astype("datetime64[D]")
    extract = EXTRACTED_AT.astype("datetime64[D]")
    unanswered_late = np.isnat(answered) & (standard < extract)
    late = (~np.isnat(answered) & (answered > standard)) | unanswered_late
    on_time = ~np.isnat(answered) & (answered <= standard)
    draw = rng.random(n)
    extended = (late & (draw < .45)) | (on_time & (draw < .03))
    shift = rng.choice(np.arange(-3, 5), size=n, p=np.array([1, 1, 2, 5, 4, 3, 2, 1]) / 19)
    to = cal.add_working_days(np.where(np.isnat(answered), latest, answered), shift)
    agreed_early = on_time & extended
    to[agreed_early] = cal.add_working_days(standard[agreed_early], rng.integers(1, 6, size=n)[agreed_early])
    to = np.minimum(np.maximum(to, cal.add_working_days(standard, 1)), latest)
    # Two typed past the Code's limit and two before the standard deadline, from the answered ones of 2024/25.
    chosen = np.flatnonzero(extended & ~np.isnat(answered) & (standard >= np.datetime64("2024-04-01")))
    picks = rng.choice(chosen, size=min(4, len(chosen)), replace=False)  # a small sample may have fewer
    stages = complaints["stage"].to_numpy()
    beyond, early = picks[:len(picks) // 2], picks[len(picks) // 2:]
    extra = np.array([CODE_EXTENSION_WORKING_DAYS[int(s)] for s in stages[beyond]])
    to[beyond] = cal.add_working_days(standard[beyond], extra + 3)
    to[early] = cal.add_working_days(standard[early], -2)
    to[~extended] = np.datetime64("NaT")

    services = complaints["service"].to_numpy(dtype=object)
    category = _choice_codes(rng, COMPLAINT_CATEGORIES, tuple(COMPLAINT_CATEGORIES), n)
    waste = services == "Waste and Recycling"
    # Missed collections are a Waste and Recycling matter; elsewhere the handler picks another category.
    category[(category == list(COMPLAINT_CATEGORIES).index("Missed collection")) & ~waste] = 0
    category[rng.random(n) < .03] = -1  # no category recorded
    # Not accepted: a few stage 1 complaints that were answered as not upheld (the answer says why).
    candidates = (stages == 1) & (complaints["outcome"].to_numpy(dtype=object) == "not_upheld")
    not_accepted = candidates & (rng.random(n) < .09)
    reason = np.where(not_accepted, _choice_codes(rng, NOT_ACCEPTED_REASONS, tuple(NOT_ACCEPTED_REASONS), n), -1)
    # Learning: about a third of the complaints upheld in full or in part, one of the service's improvements.
    upheld = np.isin(complaints["outcome"].to_numpy(dtype=object), ("upheld", "partly_upheld"))
    learned = upheld & ~not_accepted & (rng.random(n) < .33)
    notes = sorted({note for group in LEARNING.values() for note in group})
    pick = rng.random(n)
    learning_codes = np.full(n, -1)
    for service, group in LEARNING.items():  # seven services: a handful of vectorised assignments
        rows = learned & (services == service)
        learning_codes[rows] = [notes.index(group[int(p * len(group))]) for p in pick[rows]]
    return complaints.assign(
        extended_to=pd.Series(to.astype("datetime64[s]")).dt.strftime("%Y-%m-%d").where(extended, None),
        category=_take(tuple(COMPLAINT_CATEGORIES), category),
        not_accepted_reason=_take(tuple(NOT_ACCEPTED_REASONS), reason),
        learning=_take(notes, learning_codes),
    )


def _ombudsman(seed: int, cal: WorkingCalendar) -> pd.DataFrame:
    """The Ombudsmen's decisions on complaints about the council, each year, in their own words: a few upheld
    decisions' remedies not complied with (or, late in 2024/25, not yet due), and a few remedied before."""
    rng = _rng(seed, 31)
    frames = []
    services = {"lgsco": {"Planning": .35, "Revenues and Benefits": .25, "Waste and Recycling": .15,
                          "Environmental Health": .15, "Licensing": .10},
                "housing": {"Housing": 1.0}}
    for year in YEARS:
        days = _fy_days(year)
        days = days[cal.is_working_day(days)]
        for which, count in zip(("lgsco", "housing"), OMBUDSMAN_DECISIONS[year]):
            words = tuple(OMBUDSMAN_WORDS[which])
            decided = np.sort(rng.choice(days, size=count))
            outcome = _take(words, _choice_codes(rng, OMBUDSMAN_WORDS[which], words, count))
            upheld = outcome.isin(OMBUDSMAN_UPHELD).to_numpy()
            complied = np.where(rng.random(count) < .85, "Yes", "No")
            recent = decided > np.datetime64("2025-02-15")  # the remedy is not due yet: not known
            number = np.arange(1, count + 1) + rng.integers(100, 900)
            ids = (_ids(f"{year % 100:02d} 00{rng.integers(1, 9)} ", number, 3) if which == "lgsco"
                   else _ids(f"{year}", number * 7, 5))
            frames.append(pd.DataFrame({
                "decision_id": ids,
                "decided_on": pd.Series(decided).dt.strftime("%d/%m/%Y"),
                "ombudsman": "LGSCO" if which == "lgsco" else "Housing Ombudsman",
                "outcome": outcome,
                "service": _take(tuple(services[which]), _choice_codes(rng, services[which], tuple(services[which]),
                                                                     count)),
                "remedy_complied": np.where(upheld & ~recent, complied, ""),
                "remedy_before_ombudsman": np.where(upheld, np.where(rng.random(count) < .2, "Yes", "No"), ""),
            }))
    return pd.concat(frames, ignore_index=True)


# --- the Citizens' Panel, its consultations and the residents' survey ------------------------------

def _panel(seed: int) -> pd.DataFrame:
    rng = _rng(seed, 6)
    founding, later = 800, 300
    first = np.sort(rng.choice(_days(np.datetime64("2016-05-01"), np.datetime64("2021-04-01")), size=founding))
    # recruitment pushes each autumn, and a steady trickle
    recruit_days = _days(np.datetime64("2021-04-01"), np.datetime64("2025-03-01"))
    weights = np.where(np.isin(_month(recruit_days), (9, 10)), 4.0, 1.0)
    second = np.sort(rng.choice(recruit_days, size=later, p=weights / weights.sum()))
    joined = np.concatenate([first, second])
    n = len(joined)
    leaves = rng.random(n) < 0.30
    left = joined + rng.integers(120, 3000, size=n).astype("timedelta64[D]")
    left = np.where(leaves & (left < np.datetime64("2025-03-31")), left, np.datetime64("NaT"))
    age = rng.choice(len(AGE_BANDS), size=n, p=(.03, .07, .11, .16, .22, .24, .17))
    sex = rng.choice(2, size=n, p=(.56, .44))
    ward_w = np.array(WARD_ADULTS, dtype=float) * (1, 1, 1.1, 1, 0.8, 1.1, 1, 0.9)
    ward = rng.choice(len(WARDS), size=n, p=ward_w / ward_w.sum())
    return pd.DataFrame({
        "member_id": _ids("CP", np.arange(1, n + 1), 4),
        "joined_on": pd.Series(joined).dt.strftime("%Y-%m-%d"),
        "left_on": pd.Series(left.astype("datetime64[D]")).dt.strftime("%Y-%m-%d"),
        "age_band": _take(AGE_BANDS, age),
        "sex": _take(tuple(SEX_ADULTS), sex),
        "ward": _take(WARDS, ward),
    })


def _invitations(seed: int, panel: pd.DataFrame) -> pd.DataFrame:
    rng = _rng(seed, 7)
    joined = panel["joined_on"].to_numpy(dtype="datetime64[D]")
    left = pd.to_datetime(panel["left_on"]).to_numpy().astype("datetime64[D]")
    age = panel["age_band"].map({a: i for i, a in enumerate(AGE_BANDS)}).to_numpy()
    frames = []
    for consultation, invited_on, open_rate, complete_rate in CONSULTATIONS:
        invited = np.datetime64(invited_on, "D")
        active = np.flatnonzero((joined <= invited) & (np.isnat(left) | (left > invited)))
        m = len(active)
        if open_rate is None:
            opened = np.zeros(m, dtype=bool)
            opened[rng.choice(m, size=COUNCIL_PLAN_OPENED, replace=False)] = True
        else:
            opened = rng.random(m) < open_rate
        # older members are a little more likely to finish a survey they opened
        completed = opened & (rng.random(m) < complete_rate * (0.85 + 0.05 * age[active]))
        opened_on = invited + np.minimum(rng.geometric(0.35, m) - 1, 27).astype("timedelta64[D]")
        completed_on = opened_on + np.where(rng.random(m) < 0.8, 0, rng.integers(1, 4, m)).astype("timedelta64[D]")
        frames.append(pd.DataFrame({
            "consultation_id": consultation,
            "member_id": panel["member_id"].to_numpy()[active],
            "invited_on": str(invited),
            "opened_on": pd.Series(np.where(opened, opened_on, np.datetime64("NaT"))).dt.strftime("%Y-%m-%d"),
            "completed_on": pd.Series(np.where(completed, completed_on, np.datetime64("NaT"))).dt.strftime("%Y-%m-%d"),
        }))
    return pd.concat(frames, ignore_index=True)


def _survey(seed: int, panel: pd.DataFrame, invitations: pd.DataFrame) -> pd.DataFrame:
    rng = _rng(seed, 8)
    members = panel.set_index("member_id")
    frames = []
    for year in YEARS:
        survey_id = f"residents-survey-{year}"
        done = invitations[(invitations["consultation_id"] == survey_id) & invitations["completed_on"].notna()]
        who = members.loc[done["member_id"].to_numpy()]
        m = len(who)
        # opaque respondent ids, unrelated to member ids
        opaque = rng.choice(16 ** 6, size=m, replace=False)
        respondent = np.array([f"R{year % 100:02d}-{x:06X}" for x in opaque])
        for question, by_year in SURVEY_ANSWERS.items():
            if year not in by_year:
                continue
            scale = SURVEY_QUESTIONS[question][1]
            answer = rng.choice(len(scale), size=m, p=by_year[year])
            answered = rng.random(m) >= 0.02  # a few leave a question blank: no row
            frames.append(pd.DataFrame({
                "survey_id": survey_id,
                "survey_year": year_label(year),
                "respondent_id": respondent[answered],
                "question_id": question,
                "question_text": SURVEY_QUESTIONS[question][0],
                "answer": np.array(scale, dtype=object)[answer[answered]],
                "age_band": who["age_band"].to_numpy()[answered],
                "sex": who["sex"].to_numpy()[answered],
                "ward": who["ward"].to_numpy()[answered],
            }))
    survey = pd.concat(frames, ignore_index=True)
    question_order = {q: i for i, q in enumerate(SURVEY_QUESTIONS)}
    survey["_q"] = survey["question_id"].map(question_order)
    survey = survey.sort_values(["survey_year", "respondent_id", "_q"], kind="stable", ignore_index=True)
    return survey.drop(columns="_q")


def _population() -> pd.DataFrame:
    rows = [("age_band", a, c) for a, c in zip(AGE_BANDS, AGE_ADULTS)]
    rows += [("sex", s, c) for s, c in SEX_ADULTS.items()]
    rows += [("ward", w, c) for w, c in zip(WARDS, WARD_ADULTS)]
    return pd.DataFrame(rows, columns=["dimension", "category", "count"])


# --- the measures register ----------------------------------------------------------------------

MEASURES = (
    # measure_id, name, unit, polarity, target, theme, description
    ("actions_achieved", "Action plan actions achieved", "percent", "higher_is_better", 80, "",
     "Achieved actions as a share of all actions in the year's Customer Care Strategy action plan."),
    ("actions_not_achieved", "Action plan actions not achieved", "count", "lower_is_better", None, "",
     "Actions in the year's plan that were not achieved by the end of the year."),
    ("actions_carried_forward", "Actions carried into the next year's plan", "count", "lower_is_better", None, "",
     "Actions in the next year's plan that continue an action from this year."),
    ("contacts_received", "Contacts logged in the CRM", "count", "neutral", None, THEMES[1],
     "Contacts logged in the customer contact system, on every channel."),
    ("digital_share", "Contacts logged in the CRM made digitally", "percent", "higher_is_better", None, THEMES[2],
     "Email, online form, Report It, webchat and social media contacts as a share of all contacts logged in the "
     "CRM (calls to the phone lines are counted on the phone system, apart)."),
    ("responses_within_standard", "Responses within the Customer Care Standards", "percent", "higher_is_better", 90,
     THEMES[0], "Full responses given within the channel's standard (working days), of those due."),
    ("acknowledgements_within_standard", "Acknowledgements within standard", "percent", "higher_is_better", 95,
     THEMES[0], "Acknowledgements sent within one working day, of those due (email, online form, Report It)."),
    ("first_contact_resolution", "Resolved at first contact", "percent", "higher_is_better", 80, THEMES[0],
     "Phone, face-to-face and webchat contacts resolved without a follow-up."),
    # Named for what it counts: a share of the calls answered (abandoned calls are in calls_abandoned).
    ("calls_answered_within_standard", "Answered calls picked up within 20 seconds", "percent", "higher_is_better",
     80, THEMES[0], "Of the calls answered, those answered after a wait of 20 seconds or less."),
    ("calls_abandoned", "Calls abandoned", "percent", "lower_is_better", 8, THEMES[0],
     "Calls where the caller hung up before being answered, of all calls offered."),
    ("average_speed_of_answer", "Average speed of answer", "seconds", "lower_is_better", 30, THEMES[0],
     "Mean wait in the queue of answered calls."),
    ("complaints_received", "Formal complaints received", "count", "neutral", None, THEMES[3],
     "Stage 1 and stage 2 complaints under the complaints policy."),
    ("complaints_acknowledged_within_standard", "Complaints acknowledged within 5 working days", "percent",
     "higher_is_better", 95, THEMES[3], "As the Complaint Handling Code requires."),
    ("complaints_responded_within_standard", "Complaints answered within the Code's timescales", "percent",
     "higher_is_better", 95, THEMES[3],
     "Stage 1 within 10 and stage 2 within 20 working days of the acknowledgement."),
    ("complaints_upheld", "Complaints upheld or partly upheld", "percent", "neutral", None, THEMES[3],
     "Of complaints with a decision (withdrawn and open complaints are left out)."),
    ("complaints_responded_within_extension", "Complaints answered within the Code's timescales or an agreed "
     "extension", "percent", "higher_is_better", 95, THEMES[3],
     "As complaints answered within the Code's timescales, with the extensions agreed with complainants, as far "
     "as the Code allows (10 more working days at stage 1, 20 at stage 2)."),
    ("complaints_extended", "Complaints whose deadline was extended", "percent", "neutral", None, THEMES[3],
     "Of complaints received."),
    ("complaints_not_accepted", "Complaints not accepted into the procedure", "percent", "neutral", None, THEMES[3],
     "Of complaints received."),
    ("ombudsman_decisions", "Decisions of the Ombudsmen", "count", "neutral", None, THEMES[3],
     "Decisions of the Local Government and Social Care Ombudsman and the Housing Ombudsman on complaints about "
     "the council."),
    ("ombudsman_upheld", "Ombudsman decisions upheld", "percent", "neutral", None, THEMES[3],
     "Of the decisions the Ombudsmen investigated (upheld or not upheld)."),
    ("ombudsman_remedy_complied", "Ombudsman remedies complied with", "percent", "higher_is_better", 100, THEMES[3],
     "Of the remedies asked for in upheld decisions whose outcome is recorded."),
    ("net_satisfaction", "Net satisfaction (GovMetric)", "score", "higher_is_better", None, THEMES[3],
     "Good ratings minus poor ratings, per 100 ratings: from -100 to 100."),
    ("survey_positive", "Positive answers in the residents' survey", "percent", "higher_is_better", None, THEMES[3],
     "Citizens' Panel residents' survey: answers counted as positive for each question."),
    ("panel_members", "Citizens' Panel members", "count", "higher_is_better", None, THEMES[3],
     "Members on the panel on the last day of the year."),
    ("panel_representation", "Citizens' Panel representation", "score", "neutral", None, THEMES[3],
     "Share of the panel divided by share of residents aged 16 and over (Census 2021): 1 is representative."),
    ("panel_completion_rate", "Citizens' Panel invitations completed", "percent", "higher_is_better", None,
     THEMES[3], "Invitations to a consultation that the member completed, of the invitations sent."),
    ("panel_open_rate", "Citizens' Panel invitations opened", "percent", "higher_is_better", None, THEMES[3],
     "Invitations whose consultation email the member opened, of the invitations sent."),
    ("staff_customer_care_trained", "Front-facing staff trained in customer care", "percent", "higher_is_better",
     100, THEMES[4], "Reported by HR: front-facing staff who have completed customer care training (manual)."),
    ("website_accessibility_issues", "Website accessibility issues outstanding", "count", "lower_is_better", 0,
     THEMES[1], "Reported by the digital team from the year-end accessibility audit (manual)."),
)
MANUAL_MEASURES = (
    ("staff_customer_care_trained", "2021/22", 92, "Training for all front-facing staff delivered in 2021/22."),
    ("staff_customer_care_trained", "2022/23", 88, "Refresher e-learning; some new starters awaiting training."),
    ("staff_customer_care_trained", "2023/24", 81, "Staff changes in the Customer Services team during the year."),
    ("staff_customer_care_trained", "2024/25", 94, "Training on the new customer contact system included."),
    ("website_accessibility_issues", "2021/22", 143, "Audit by the digital team, March 2022."),
    ("website_accessibility_issues", "2022/23", 96, "Audit by the digital team, March 2023."),
    ("website_accessibility_issues", "2023/24", 61, "Most remaining issues are in older PDF documents."),
    ("website_accessibility_issues", "2024/25", 38, "Audit by the digital team, March 2025."),
)


def _measures() -> pd.DataFrame:
    frame = pd.DataFrame(MEASURES, columns=["measure_id", "name", "unit", "polarity", "target", "theme", "description"])
    frame["target"] = frame["target"].astype("Int64")
    return frame


# --- the action plan spreadsheet --------------------------------------------------------------------

def _write_action_plan(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Action plan"
    sheet.append(list(ACTION_PLAN_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for plan_year, ref, action, lead, target, status, progress, carried in ACTIONS:
        theme = THEMES[int(ref[0]) - 1]
        sheet.append([plan_year, ref, theme, action, lead, dt.datetime.fromisoformat(target), status,
                      progress or None, carried or None, ACTION_MEASURES.get((plan_year, ref))])
        sheet.cell(row=sheet.max_row, column=6).number_format = "dd/mm/yyyy"
        for column in (4, 8):
            sheet.cell(row=sheet.max_row, column=column).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFGHIJ", (10, 6, 26, 60, 36, 12, 14, 50, 13, 34)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    book.properties.creator = f"{COUNCIL} (fictional sample)"
    book.properties.title = "Customer Care Strategy action plan"
    path.write_bytes(fixed_xlsx(book, FIXED_WORKBOOK_TIME))


# --- officers' commentary (commentary.csv) --------------------------------------------------------------
#
# What officers say about a few of the 2024/25 figures, as a council's report would: each quotes the figures the
# workbook computes from this sample (tests/test_commentary.py checks every percentage quoted against them).
# Fixed text: no random stream is used, so no other file changes with it.

COMMENTARY = (
    # (measure_id, year, commentary, next steps, owner)
    ("calls_answered_within_standard", "2024/25",
     "Calls answered within 20 seconds recovered from 69.5% in 2023/24, when the Customer Services team was "
     "restructured and several advisor posts were vacant, to 76.1%. That is still short of the 80% target and of "
     "the 77.6% answered in 2021/22.",
     "Fill the two remaining advisor vacancies by June 2025 and move webchat cover to the afternoons, so that more "
     "advisors take calls in the morning peak.",
     "Customer Services Manager"),
    ("responses_within_standard", "2024/25",
     "Full responses within the standard rose from 85.3% to 89.2%, just short of the 90% target. Since the new "
     "customer contact system went live in May 2024, team leaders see each day the cases nearing their deadline.",
     "", ""),
    ("panel_completion_rate", "2024/25",
     "More panel members completed the consultations they were invited to than in 2023/24 (39.7%, up from "
     "29.3%), but fewer than when the strategy began (44.8% in 2021/22). Recruiting members by random address "
     "selection did not start, as the incentive budget was not agreed; the action is carried into the 2025/26 "
     "plan.",
     "A budget bid for the incentive has been made for 2025/26.", "Policy and Consultation Officer"),
    ("staff_customer_care_trained", "2024/25",
     "94% of front-facing staff had completed customer care training, up from 81% in 2023/24, when many new "
     "starters joined after the restructure. The training on the new customer contact system included it.",
     "", ""),
)


def _commentary() -> pd.DataFrame:
    return pd.DataFrame(COMMENTARY, columns=["measure_id", "year", "commentary", "next_steps", "owner"])


# --- README ---------------------------------------------------------------------------------------

README = """# Sample data: Brackenford District Council (fictional)

Brackenford District Council, its wards, officers, residents and every figure here are
**fictional**. The data are generated, deterministically, by `analysis/sample.py`:

    python -m analysis.sample --out data/sample

Regenerating gives byte-identical files on the same machine; `tests/test_sample.py`
checks that these files equal a fresh generation and that the headline facts hold.
Financial years 2021/22 to 2024/25; data extracted 7 April 2025 at 09:00, so a few
late-March contacts and complaints are not yet answered.

| file | what it holds |
|---|---|
| `council.toml` | the council's settings: standards, calendar, themes, survey questions (the file to copy) |
| `action_plan.xlsx` | Customer Care Strategy action plans 2021/22 to 2025/26, with the council's own column headers |
| `contacts.parquet` | every contact logged in the CRM, all channels; includes fake personal-data columns the workbook must drop |
| `calls.parquet` | calls offered to the telephony queues |
| `complaints.csv` | formal complaints, one row per stage, with the Complaint Handling Code's columns (extension agreed, category, reason not accepted, service improvement) |
| `ombudsman.csv` | the Ombudsmen's decisions on complaints about the council, in their own words (mapped in council.toml) |
| `feedback.parquet` | GovMetric-style ratings (good / average / poor) |
| `survey.csv` | the Citizens' Panel residents' survey, one row per respondent per question |
| `panel.csv` | Citizens' Panel membership |
| `panel_invitations.csv` | who was invited to, opened and completed each panel consultation |
| `population.csv` | residents aged 16 and over by age band, sex and ward (Census 2021 style) |
| `measures.csv` | the register of outcome measures, with targets (blank = to be agreed) |
| `manual_measures.csv` | measures reported by services rather than computed |
| `commentary.csv` | officers' commentary on a few 2024/25 figures: why each moved, next steps, who is responsible |
"""


# --- the generator --------------------------------------------------------------------------------

def generate(out_dir, contacts_per_year: int = DEFAULT_CONTACTS, calls_per_year: int = DEFAULT_CALLS,
             seed: int = SEED, chunk_rows: int = CHUNK_ROWS) -> Path:
    """Write the sample council's council.toml and every dataset into ``out_dir``.

    Contacts and calls are drawn a year at a time, and a year of more than ``chunk_rows`` in chunks
    (see CHUNK_ROWS), so memory does not grow with the size asked for."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "council.toml").write_text(council_toml(), encoding="utf-8", newline="\n")
    config = load_config(out)
    if config.warnings:
        raise RuntimeError("the sample council.toml has unknown keys:\n" + "\n".join(config.warnings))
    cal = WorkingCalendar.for_council(config)

    _write_action_plan(out / "action_plan.xlsx")

    def contact_years(feedback: _ParquetFile):
        for year in YEARS:
            for chunk, feedback_chunk in _contact_chunks(year, contacts_per_year, chunk_rows):
                frame, source = _contacts_year(seed, cal, year, contacts_per_year, chunk)
                feedback.write(_feedback_year(seed, year, contacts_per_year, source, feedback_chunk))
                yield frame
                del frame, source

    with _ParquetFile(out / "feedback.parquet") as feedback:  # written beside the contacts it comes from
        _write_parquet(contact_years(feedback), out / "contacts.parquet")

    def call_years():
        offset = 0
        for year in YEARS:
            year_rows = 0
            for chunk in _call_chunks(year, calls_per_year, offset, chunk_rows):
                frame = _calls_year(seed, cal, year, calls_per_year, offset, chunk)
                year_rows += len(frame)
                yield frame
                del frame
            offset += year_rows

    _write_parquet(call_years(), out / "calls.parquet")

    complaints = _complaints(seed, cal, contacts_per_year)
    _write_csv(_complaint_code_columns(seed, complaints, config, cal), out / "complaints.csv")
    _write_csv(_ombudsman(seed, cal), out / "ombudsman.csv")
    panel = _panel(seed)
    invitations = _invitations(seed, panel)
    _write_csv(panel, out / "panel.csv")
    _write_csv(invitations, out / "panel_invitations.csv")
    _write_csv(_survey(seed, panel, invitations), out / "survey.csv")
    _write_csv(_population(), out / "population.csv")
    _write_csv(_measures(), out / "measures.csv")
    _write_csv(pd.DataFrame(MANUAL_MEASURES, columns=["measure_id", "year", "value", "note"]),
               out / "manual_measures.csv")
    _write_csv(_commentary(), out / "commentary.csv")
    (out / "README.md").write_text(README, encoding="utf-8", newline="\n")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.sample",
        description=f"Generate the fictional sample council ({COUNCIL}) into a data folder.",
    )
    parser.add_argument("--out", required=True, help="folder to write, e.g. data/sample")
    parser.add_argument("--contacts-per-year", type=int, default=DEFAULT_CONTACTS)
    parser.add_argument("--calls-per-year", type=int, default=DEFAULT_CALLS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.contacts_per_year < 100 or args.calls_per_year < 100:
        parser.error("--contacts-per-year and --calls-per-year must be at least 100")
    started = time.perf_counter()
    out = generate(args.out, args.contacts_per_year, args.calls_per_year, args.seed)
    print(f"Wrote the sample council to {out} in {time.perf_counter() - started:.1f}s")
    return 0


def fixed_xlsx(book, when: dt.datetime) -> bytes:
    """A workbook's bytes with its dates fixed at ``when`` (its properties and every zip entry), so that generating
    it again gives the same file byte for byte."""
    book.properties.created = when
    book.properties.modified = when
    buffer = io.BytesIO()
    book.save(buffer)  # openpyxl stamps 'modified' with the time now, and each zip entry with the time
    fixed = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + fixed + rb"\g<2>",
                              data)
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, data)
    return out.getvalue()


# Last, so that every function above is defined when the module runs as a script (python -m analysis.sample).
if __name__ == "__main__":
    sys.exit(main())
