"""A feed whose rate the plant solves (a design specification held on another stream):
the rows every such feed shares. Subclasses add the one row of their specification."""

from __future__ import annotations

import numpy as np

from polyflow.errors import InputError
from polyflow.units.base import Unit

__all__ = ["SolvedFeed"]


class SolvedFeed(Unit):
    """Base of ``lime_dose`` and ``water_makeup``: one outlet carrying one species at a
    rate q [kmol/h] that is an internal unknown, at a fixed temperature; the subclass
    writes the row that fixes q from ``target_stream``."""

    abstract = True
    role = "feed"
    inlets = ()
    outlets = ("out",)

    def feed_flows(self) -> np.ndarray:
        """Unknown before the solve: zeros (used only as a scale by the solver)."""
        return np.zeros(len(self._species))

    def solved_feed_rows(self, eq, species_i: int, name: str,
                         lower: float | None = None) -> tuple[int, int]:
        """``n_out = q·e_species_i`` and ``T_out`` fixed (``lower``: a bound Newton keeps
        on q); returns (outlet, target stream) for the specification row."""
        out = eq.outlets["out"]
        target = self.p["target_stream"]
        try:
            t = eq.stream(target)
        except InputError as err:
            raise self.fail(f"target_stream {target!r} is not a stream of the plant",
                            "target_stream", hint=err.hint) from None
        S = eq.S
        q = eq.internal([name], [0.0], lower=lower)[0]
        eq.linear_rows(S, out, np.arange(S), np.concatenate([np.arange(S), [species_i]]),
                       np.concatenate([eq.flows(out), [q]]),
                       np.concatenate([np.ones(S), [-1.0]]))
        eq.temperature_fixed(out, self.p["temperature"])
        return out, t
