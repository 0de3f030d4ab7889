"""The plant's balances and tables of a :class:`~polyflow.result.Result`: feeds and
products, element closure and recovery, energy by unit and area, reagents and water per
tonne of ore. A mixin of the record: it reads ``streams``, ``units``, ``flows_kmol_h``
and ``species`` and the per-stream figures of :class:`~polyflow.result_views.stream.
StreamFigures`."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from polyflow.records import result_key

__all__ = ["CLOSURE_FLOOR", "CLOSURE_TOL", "PlantBalances"]

#: closure a run must reach to be called closed (DESIGN "Convergence")
CLOSURE_TOL = 1e-9
#: element amounts below this fraction of the plant's total feed mass are round-off zeros
CLOSURE_FLOOR = 1e-12


class PlantBalances:
    """Plant-wide balances and tables of a result record (mixed into
    :class:`~polyflow.result.Result`)."""

    # -- units ------------------------------------------------------------------------
    def inlet_total_kmol_h(self, unit: str) -> np.ndarray:
        """Sum of the species flows entering ``unit`` [kmol/h]."""
        idx = [self._s(s) for ss in self.units[unit].inlets.values() for s in ss]
        return self.flows_kmol_h[idx].sum(axis=0) if idx else np.zeros(len(self.species))

    def outlet_stream(self, unit: str, port: str) -> str:
        """The stream leaving ``unit`` through outlet ``port``."""
        return self.units[unit].outlets[port]

    # -- plant balances ----------------------------------------------------------------
    @cached_property
    def feeds(self) -> list[str]:
        """Streams entering the plant (leaving a feed unit)."""
        return [s.name for s in self.streams if self.units[s.src].role == "feed"]

    @cached_property
    def products(self) -> dict[str, str]:
        """Product unit name -> the stream that enters it."""
        return {s.dst: s.name for s in self.streams if self.units[s.dst].role == "product"}

    def _sum_elements(self, streams: list[str]) -> np.ndarray:
        idx = [self._s(s) for s in streams]
        n = self.flows_kmol_h[idx].sum(axis=0) if idx else np.zeros(len(self.species))
        return self.species.element_kg_per_kmol @ n

    @cached_property
    def element_in_kg_h(self) -> dict[str, float]:
        return dict(zip(self.species.elements, self._sum_elements(self.feeds).tolist(),
                        strict=True))

    @cached_property
    def element_out_kg_h(self) -> dict[str, float]:
        return dict(zip(self.species.elements,
                        self._sum_elements(list(self.products.values())).tolist(), strict=True))

    @cached_property
    def closure(self) -> dict[str, float]:
        """Relative imbalance of every element over the plant: |in − out| / in.

        An element whose flows are below ``CLOSURE_FLOOR`` times the plant's feed mass
        is judged against that floor (its amounts are round-off, not material)."""
        out = {}
        mass = self.mass_flows
        floor = CLOSURE_FLOOR * float(sum(mass[self._s(s)].sum() for s in self.feeds))
        for e, fin in self.element_in_kg_h.items():
            fout = self.element_out_kg_h[e]
            big = max(abs(fin), abs(fout), floor)
            out[e] = abs(fin - fout) / big if big > 0 else 0.0
        return out

    @property
    def closed(self) -> bool:
        return self.converged and all(v < CLOSURE_TOL for v in self.closure.values())

    @cached_property
    def recovery(self) -> dict[str, dict[str, float]]:
        """Fraction of each element's plant feed reporting to each product unit."""
        rec: dict[str, dict[str, float]] = {}
        out = {prod: self.elements_kg_h(stream) for prod, stream in self.products.items()}
        for e, fin in self.element_in_kg_h.items():
            rec[e] = {prod: (out[prod][e] / fin if fin > 0 else 0.0) for prod in self.products}
        return rec

    @cached_property
    def energy(self) -> dict[str, dict[str, float]]:
        """Per process unit: electrical power, heat duty (heat added; negative = removed)
        [kW], and the model's declared results, keyed ``NAME_UNIT`` (``power_kW``,
        ``heat_of_reaction_kW``, ``mass_pull_%``) as in the JSON document."""
        out: dict[str, dict[str, float]] = {}
        for name, u in self.units.items():
            if u.role != "process":
                continue
            out[name] = {"power_kW": u.power_kW, "duty_kW": u.duty_kW,
                         **{result_key(k, u.result_units.get(k, "")): v
                            for k, v in u.results.items()}}
        return out

    # -- per tonne of ore, reagents, water, areas ---------------------------------------
    def _feeds_of(self, category: str) -> dict[str, str]:
        """Feed unit -> its stream, for feeds of one category."""
        return {s.src: s.name for s in self.streams
                if self.units[s.src].role == "feed"
                and self.units[s.src].params.get("category") == category}

    @cached_property
    def ore_t_h(self) -> float:
        """Dry solids of all ore feeds [t/h]: the basis of every per-tonne figure."""
        return sum(self.phase_kg_h(s)["s"] for s in self._feeds_of("ore").values()) / 1000.0

    @cached_property
    def reagent_kg_h(self) -> dict[str, dict[str, float]]:
        """Reagent feed -> species it brings (water excluded) -> kg/h. Flows below
        ``CLOSURE_FLOOR`` of the plant's feed mass are round-off of a solved feed."""
        water = self.species.index.get("H2O(l)")
        out: dict[str, dict[str, float]] = {}
        mw = self.species.mw
        floor = CLOSURE_FLOOR * float(sum((self.flows_kmol_h[self._s(s)] * mw).sum()
                                          for s in self.feeds))
        for feed, stream in self._feeds_of("reagent").items():
            m = self.flows_kmol_h[self._s(stream)] * mw
            for i, kg in enumerate(m):
                if kg > floor and i != water:
                    out.setdefault(feed, {})[self.species.ids[i]] = float(kg)
        return out

    def per_t_ore(self, kg_h: float) -> float:
        """kg/h as kg per tonne of dry ore (0 without ore)."""
        return kg_h / self.ore_t_h if self.ore_t_h > 0 else 0.0

    @cached_property
    def reagents(self) -> dict[str, dict[str, float]]:
        """Reagent feed -> ``"SPECIES [kg/h]"`` and ``"SPECIES [kg/t ore]"`` (the JSON
        document's form of :attr:`reagent_kg_h`; no ore, no kg/t)."""
        out: dict[str, dict[str, float]] = {}
        for feed, flows in self.reagent_kg_h.items():
            for sid, kg in flows.items():
                out.setdefault(feed, {})[f"{sid} [kg/h]"] = kg
                if self.ore_t_h > 0:
                    out[feed][f"{sid} [kg/t ore]"] = kg / self.ore_t_h
        return out

    @cached_property
    def water(self) -> dict[str, dict[str, float]]:
        """Water balance [kg/h]: liquid water in with each feed, out with each product."""
        i = self.species.index.get("H2O(l)")
        if i is None:
            return {"in": {}, "out": {}}
        m = self.flows_kmol_h[:, i] * self.species.mw[i]
        fin = {s.src: float(m[k]) for k, s in enumerate(self.streams)
               if self.units[s.src].role == "feed"}
        fout = {p: float(m[self._s(s)]) for p, s in self.products.items()}
        return {"in": fin, "out": fout}

    @cached_property
    def power_by_area(self) -> dict[str, dict[str, float]]:
        """Area -> electrical power [kW], heat duty [kW], and kWh per tonne of ore."""
        out: dict[str, dict[str, float]] = {}
        for name, terms in self.energy.items():
            a = out.setdefault(self.units[name].area, {"power_kW": 0.0, "duty_kW": 0.0})
            a["power_kW"] += terms["power_kW"]
            a["duty_kW"] += terms["duty_kW"]
        for a in out.values():
            a["kWh_per_t_ore"] = a["power_kW"] / self.ore_t_h if self.ore_t_h > 0 else 0.0
        return out

