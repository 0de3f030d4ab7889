"""The figures of one stream of a :class:`~polyflow.result.Result`: mass flows by
species, element and phase, temperature, enthalpy, solids assay, solution
concentrations, particle sizes and speciation. A mixin of the record: it reads
``flows_kmol_h``, ``T_K``, ``H_kW``, ``species``, ``density`` and ``aqueous`` and the
record's ``stream_index``."""

from __future__ import annotations

import numpy as np

from polyflow.errors import DataError, FlowsheetError

__all__ = ["PHASES", "StreamFigures"]

PHASES = ("s", "aq", "org", "g", "l")


class StreamFigures:
    """Per-stream figures of a result record (mixed into :class:`~polyflow.result.Result`)."""

    @property
    def mass_flows(self) -> np.ndarray:
        """kg/h [stream, species]."""
        return self.flows_kmol_h * self.species.mw

    def flow_kg_h(self, stream: str) -> dict[str, float]:
        """Mass flow of every species in ``stream`` [kg/h]."""
        row = self.flows_kmol_h[self._s(stream)] * self.species.mw
        return {sid: float(v) for sid, v in zip(self.species.ids, row, strict=True)}

    def base_flow_kg_h(self, stream: str) -> dict[str, float]:
        """Mass flow of every species [kg/h], size classes added up to their species
        (the same as :meth:`flow_kg_h` for a flowsheet without sizes)."""
        row = self.flows_kmol_h[self._s(stream)] * self.species.mw
        m = np.bincount(self.species.base_index, weights=row,
                        minlength=len(self.species.base_ids))
        return {sid: float(v) for sid, v in zip(self.species.base_ids, m, strict=True)}

    # -- particle sizes ----------------------------------------------------------------
    def _class_mass(self, stream: str, species: str | None = None) -> np.ndarray:
        from polyflow.psd import class_mass

        if self.species.size_classes is None:
            raise FlowsheetError("this flowsheet has no particle sizes",
                                 hint="add size_classes = { top = '...', bottom = '...' } "
                                      "to [flowsheet] and a psd to the ore feed")
        base = None
        if species is not None:
            try:
                base = self.species.base_of(species)
            except DataError as err:
                raise FlowsheetError(str(err)) from None
            if self.species.size_index[self.species.components(base)[0]] < 0:
                raise FlowsheetError(f"{base!r} has no size classes in this flowsheet",
                                     hint="name a sized solid, or leave species out")
        return class_mass(self.species, self.flows_kmol_h[self._s(stream)], base)

    def psd(self, stream: str, species: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Size distribution of a stream's sized solids (or of one mineral): the class
        upper sizes [µm], coarsest first, and the cumulative % passing each."""
        from polyflow.psd import cumulative_passing

        m = self._class_mass(stream, species)
        return self.species.size_classes * 1e6, 100.0 * cumulative_passing(m)

    def passing_size_um(self, stream: str, percent: float, species: str | None = None
                        ) -> float:
        """Size [µm] that ``percent`` % of the sized solids pass (nan without solids),
        interpolated in log(size) between sieves (see :func:`polyflow.psd.percentile_size`)."""
        from polyflow.psd import percentile_size

        m = self._class_mass(stream, species)
        return percentile_size(self.species.size_classes, m, percent / 100.0) * 1e6

    def p80_um(self, stream: str, species: str | None = None) -> float:
        """80 % passing size of the stream's solids [µm]."""
        return self.passing_size_um(stream, 80.0, species)

    def p50_um(self, stream: str, species: str | None = None) -> float:
        """50 % passing size of the stream's solids [µm]."""
        return self.passing_size_um(stream, 50.0, species)

    def temperature_C(self, stream: str) -> float:
        return float(self.T_K[self._s(stream)] - 273.15)

    def elements_kg_h(self, stream: str, phase: str | None = None) -> dict[str, float]:
        """Mass flow of every element in ``stream`` (or in one phase of it) [kg/h]."""
        n = self.flows_kmol_h[self._s(stream)]
        if phase is not None:
            n = n * self.species.mask(phase)
        el = self.species.element_kg_per_kmol @ n
        return {e: float(v) for e, v in zip(self.species.elements, el, strict=True)}

    def phase_kg_h(self, stream: str) -> dict[str, float]:
        """Mass flow by phase code (s, aq, org, g, l) [kg/h]."""
        m = self.flows_kmol_h[self._s(stream)] * self.species.mw
        return {ph: float(m[self.species.phase == ph].sum()) for ph in PHASES}

    def enthalpy_kW(self, stream: str) -> float:
        """Enthalpy flow on the formation basis [kW]."""
        return float(self.H_kW[self._s(stream)])

    def solids_assay(self, stream: str) -> dict[str, float]:
        """Element grades of the solids [mass fraction of dry solids]."""
        solids = self.phase_kg_h(stream)["s"]
        if solids <= 0:
            return {}
        el = self.elements_kg_h(stream, "s")
        return {e: v / solids for e, v in el.items() if v > 0}

    def solution_volume_m3_h(self, stream: str, phase: str = "aq") -> float:
        return self.phase_kg_h(stream)[phase] / self.density[phase]

    def solution_g_L(self, stream: str, phase: str = "aq") -> dict[str, float]:
        """Element concentrations in the solution phase [g/L = kg/m3] (the solution
        density is a flowsheet option, 1000 kg/m3 for aqueous by default)."""
        vol = self.solution_volume_m3_h(stream, phase)
        if vol <= 0:
            return {}
        el = self.elements_kg_h(stream, phase)
        return {e: v / vol for e, v in el.items() if v > 0 and e not in ("H", "O")}


    def aqueous_of(self, stream: str) -> dict[str, float | None]:
        """pH (activity scale), ionic strength [mol/kg water] and free acid [g/L H2SO4]
        of ``stream``; None each where it has no speciation."""
        k = self.stream_index(stream)
        return {key: (self.aqueous[key][k] if key in self.aqueous else None)
                for key in ("pH", "ionic_strength_mol_kg", "free_acid_g_L")}

