"""Discharge limits for effluents and wet residues, and a pure check against them.

* :mod:`polyflow.effluent.limits` -- the cited tables (one data file per source),
  :func:`load_limits`, :func:`list_tables` and the "whichever is more stringent" rule of
  the World Bank Group EHS Guidelines, :func:`most_stringent`;
* :mod:`polyflow.effluent.check` -- :func:`check_effluent`, which turns one effluent's pH,
  temperature and concentrations into rows (parameter, value, limit, unit, basis,
  averaging, pass / exceed / not-assessed) and a summary.

The tables, their sources and what could not be verified are described in
``docs/effluent-limits.md``.

>>> list_tables()
['canada_mdmer_sch4', 'us_epa_440f_nsps_mine', 'us_epa_440j_bat_mill',
     'us_epa_440j_bat_mine', 'us_epa_440j_bpt_mine', 'us_epa_440j_nsps_mine',
     'wbg_mining_2007']
>>> check_effluent("canada_mdmer_sch4", total_mg_L={"Cu": 0.2}).count("pass")
3
"""

from polyflow.effluent.check import STATUSES, CheckRow, EffluentCheck, check_effluent
from polyflow.effluent.limits import (
    BASES,
    PARAMETERS,
    Limit,
    LimitTable,
    list_tables,
    load_limits,
    most_stringent,
    parameter_unit,
)

__all__ = [
    "BASES",
    "PARAMETERS",
    "STATUSES",
    "CheckRow",
    "EffluentCheck",
    "Limit",
    "LimitTable",
    "check_effluent",
    "list_tables",
    "load_limits",
    "most_stringent",
    "parameter_unit",
]
