"""The loader's names where the rest of the workbook (and older pickles) have always found them.

The loader itself is the package :mod:`analysis.loader`, one module per stage (find, read, parse, validate,
store); see its docstring. This module only re-exports its names, so that ``from analysis.datasets import
load_all`` and a prepared workbook pickled before the split keep working.
"""

from __future__ import annotations

from analysis.loader.cross import (  # noqa: F401
    COMPUTED_MEASURES,
    NAMES_A_MEASURE,
    REGISTERS,
    KnownIds,
    known_measure_ids,
)
from analysis.loader.find import (  # noqa: F401
    find_files,
    is_lock_file,
)
from analysis.loader.fixmystreet import (  # noqa: F401
    CLOSED,
    FIXMYSTREET_COLUMNS,
    FIXMYSTREET_VALUES,
    responded_at_from_closed,
)
from analysis.loader.load import (  # noqa: F401
    check_all,
    load_all,
    load_dataset,
)
from analysis.loader.parse import (  # noqa: F401
    FEW_DISTINCT_FROM,
    _as_text,
    carried_from_text,
    parse_booleans,
    parse_dates,
    parse_durations,
    parse_months,
    parse_numbers,
    parse_quarters,
    parse_timestamps,
)
from analysis.loader.parse_file import (  # noqa: F401
    WORDS_AS_NO_DATE,
)
from analysis.loader.problems import (  # noqa: F401
    Problem,
    SourceFile,
)
from analysis.loader.read import (  # noqa: F401
    OLE_MAGIC,
    PARQUET_MAGIC,
    ZIP_MAGIC,
)
from analysis.loader.rows import (  # noqa: F401
    FOOTER_WORDS,
    ROW_BLANK,
    ROW_FIRST,
    ROW_ONE_VALUE,
    TOTAL_WORDS,
)
from analysis.loader.schema import (  # noqa: F401
    BOOLEAN_SPELLINGS,
    CALL_OUTCOMES,
    COLUMNS_LISTED,
    DATE_ORDER,
    DERIVED,
    DIMENSIONS,
    DISTINCT_SHOWN,
    EXAMPLES_SHOWN,
    EXCEL_ERRORS,
    EXCEL_SUFFIXES,
    EXPECTED,
    FALSE_WORDS,
    HEADER_SCAN_ROWS,
    OBVIOUS_SPELLINGS,
    OMBUDSMAN_OUTCOMES,
    OMBUDSMEN,
    OUTCOMES,
    POLARITIES,
    RATINGS,
    REQUIRED_ONE_OF,
    ROWS_SHOWN,
    SCHEMAS,
    SKIP_PREFIX,
    SUFFIXES,
    TRUE_WORDS,
    UNIQUE_TOGETHER,
    UNITS,
    Col,
    value_key,
)
from analysis.loader.store import (  # noqa: F401
    Datasets,
    LoadedDataset,
    frames_kept_apart,
)
from analysis.loader.value_sets import (  # noqa: F401
    _mapped_values,
)
