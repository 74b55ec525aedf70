"""Innovationsbarometeret: its dimensions, the national reference figures, and the pure arithmetic
that sets our committees' outcomes beside them.

The barometer (COI, now CO-PI, with Danmarks Statistik; domain.md §2) asks public workplaces about
their latest innovation: what value it created, who initiated it, whom they worked with, and so
on. We ask the same questions about a committee's outcomes, so that follow-up speaks the
barometer's language and a municipality can compare itself with the national figures.

Where things live, and why (import from ``workshop.barometer``; the modules are its rooms):

- ``dimensions``: the dimensions as StrEnums and the rules of an answer. Their keys are stable
  and are what the database stores (the outcome records and their SQL are in
  ``workshop.outcomes``).
- ``labels``: the options' labels in Danish, Norwegian bokmål and English. The words are *not* in
  code: they live in the i18n catalogues (``workshop/i18n/<lang>/barometer.json``, keys
  ``barometer.option.<dimension>.<key>`` and, for values, ``barometer.option_short.value.<key>``).
  The Danish labels keep the barometer's own wording (domain.md §2.2–2.3: co-pi.dk,
  innovationstesten.dk, seed 003). The Norwegian value labels follow KS's survey (§2.5). The rest
  are our translations, and so are the Danish labels where no barometer wording was found
  (``Evaluated``, the KS extras).
- ``figures``: the national reference figures, which are data, in
  ``workshop/data/reference_figures.csv``: one row per published figure with metric key,
  subgroup, percentage, n, edition, period, source and address. A figure whose round is not
  confirmed has ``verified = false`` and says why in ``note``.
- ``aggregation``: works on plain records (a DataFrame or a list of dicts), so it needs no
  database and is easy to test. Shares come with their n and a Wilson 95 % interval. Below
  ``MIN_N`` outcomes, a row is flagged so that the UI can say "too few outcomes to compare"
  instead of drawing a confident-looking bar.
- ``charts``: Altair specifications; they never import streamlit.

No module of this package imports sqlite_utils or streamlit.
"""

from __future__ import annotations

from workshop.barometer.aggregation import (
    COMPARISONS,
    MIN_N,
    Z_95,
    Comparison,
    Outcomes,
    national_comparison_frame,
    value_shares_frame,
    wilson_interval,
)
from workshop.barometer.charts import (
    format_count,
    national_comparison_chart,
    value_shares_chart,
)
from workshop.barometer.dimensions import (
    CORE_VALUES,
    DIMENSIONS,
    EXTRA_VALUES,
    MAX_INITIATORS,
    POLITICAL_INITIATORS,
    Evaluated,
    Initiator,
    InnovationType,
    Novelty,
    Partner,
    PracticeDeparture,
    PromoteHinderFactor,
    PromoteHinderScale,
    Stage,
    Value,
    dimension_name,
    get_dimension,
    is_extra_value,
    is_politically_initiated,
    parse_option,
    validate_choice,
    validate_choices,
    validate_promote_hinder,
)
from workshop.barometer.figures import (
    REFERENCE_FIGURES_PATH,
    ReferenceFigure,
    get_reference_figure,
    list_reference_figures,
    load_reference_figures,
)
from workshop.barometer.labels import dimension_label, label, options
from workshop.barometer.national import national_by_value_frame, national_text

__all__ = [
    "COMPARISONS",
    "CORE_VALUES",
    "DIMENSIONS",
    "EXTRA_VALUES",
    "MAX_INITIATORS",
    "MIN_N",
    "POLITICAL_INITIATORS",
    "REFERENCE_FIGURES_PATH",
    "Z_95",
    "Comparison",
    "Evaluated",
    "Initiator",
    "InnovationType",
    "Novelty",
    "Outcomes",
    "Partner",
    "PracticeDeparture",
    "PromoteHinderFactor",
    "PromoteHinderScale",
    "ReferenceFigure",
    "Stage",
    "Value",
    "dimension_label",
    "dimension_name",
    "format_count",
    "get_dimension",
    "get_reference_figure",
    "is_extra_value",
    "is_politically_initiated",
    "label",
    "list_reference_figures",
    "load_reference_figures",
    "national_by_value_frame",
    "national_comparison_chart",
    "national_comparison_frame",
    "national_text",
    "options",
    "parse_option",
    "validate_choice",
    "validate_choices",
    "validate_promote_hinder",
    "value_shares_chart",
    "value_shares_frame",
    "wilson_interval",
]
