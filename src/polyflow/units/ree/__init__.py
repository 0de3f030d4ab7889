"""The rare-earth solvent-extraction cascade (model ``ree_cascade``), in modules by job:

* :mod:`.unit`: the unit class (parameters, set-up, equations, report);
* :mod:`.params`, :mod:`.species`: its parameters and the species it works on;
* :mod:`.layout`: the stages and the named layout of its internal unknowns;
* :mod:`.models`: the distribution models (separation factor, pH, constant D);
* :mod:`.balances`: the linear rows (element, acid, extractant and volume balances,
  outlets); :mod:`.equilibrium`: the nonlinear block of the stage equilibria;
* :mod:`.initialiser` and the start profiles :mod:`.sum_rates`, :mod:`.loaded`,
  :mod:`.acid_loading`, sharing the damped Newton step of :mod:`.damped`.
"""

from polyflow.units.ree.models import EQUILIBRIA
from polyflow.units.ree.species import EXTRACTANT, complex_id
from polyflow.units.ree.unit import REECascade

__all__ = ["EQUILIBRIA", "EXTRACTANT", "REECascade", "complex_id"]
