"""Rare-earth solvent-extraction cascade: extraction, scrubbing and stripping sections."""

from __future__ import annotations

import math

import numpy as np

from polyflow.solve.layout import Layout
from polyflow.units.base import Reported, Unit
from polyflow.units.ree.balances import outlet_rows, stage_rows, volume_rows
from polyflow.units.ree.equilibrium import equilibrium_block
from polyflow.units.ree.initialiser import add_initialiser
from polyflow.units.ree.layout import VOLUMES, Stages, internal_layout
from polyflow.units.ree.models import MODELS, Constants
from polyflow.units.ree.params import PARAMS, validate_params
from polyflow.units.ree.species import resolve_species

__all__ = ["REECascade"]

#: start values of ln(free-extractant fraction) and ln(acid molarity)
U0 = V0 = math.log(0.1)


class REECascade(Unit):
    """Counter-current rare-earth solvent-extraction cascade (P507, D2EHPA or Cyanex 272,
    ``extractant``; any cation exchanger forming MA_z): extraction, scrubbing and
    stripping sections of equilibrium stages, all metals (rare earths, impurities such as
    Fe3+, Al3+, Ca2+, Th4+, and the NH4+ or Na+ of a saponified organic) solved together
    in one sparse nonlinear block. With ``strip_stages = 0`` it is an extraction-only
    battery (no strip inlet, no ``strip_liquor``).

    Stages are numbered from the end where the barren organic enters (stage 1) to the
    end of the strip section (stage N = n + m + k: ``extraction_stages`` n,
    ``scrub_stages`` m, ``strip_stages`` k). The organic runs 1 → N; the aqueous feed
    enters at ``feed_stage`` (default n), the scrub liquor at n + m and the aqueous of
    the extraction and scrub sections runs back to stage 1 and leaves as ``raffinate``
    (the less extractable elements). Strip acid enters at N, runs back to n + m + 1 and
    leaves as ``strip_liquor`` (the more extractable elements); the stripped organic
    leaves stage N as ``organic`` (recycle it through a mixer with make-up).

    Each element takes part as its aqueous species (``LaCl3(aq)`` with ``HCl(aq)``, or
    ``La+3(aq)`` with ``H+(aq)``) and its complex ``La(C16H34O3P)3(org)``:
    MCl_z + z HA(org) → MA_z(org) + z HCl, z the charge (3 for LaCl3, 2 for CaCl2, 4 for
    ThCl4, 1 for NH4Cl; from the species listed or ``charges``). For stage j and element
    i, with a and o the aqueous and organic flows leaving the stage [kmol/h], h the acid,
    W and V the aqueous and organic volume flows [m3/h]:

    .. math::

        a_{ij} + o_{ij} = a_{i,j+1} + o_{i,j-1} + \\text{inlets}_{ij}
        \\qquad\\text{(linear: every element balanced)}

        h_j = h_{j+1} + \\sum_i z_i (o_{ij} - o_{i,j-1}) + \\text{acid}_{j}, \\qquad
        F_j = T_A - \\sum_i \\nu_i o_{ij} \\quad\\text{(free extractant)}

        \\big(o_{ij} - (1-\\eta)\\,o_{i,j-1}\\big)\\,W\\,c_{H,j}^{m_i}\\,T_A^{n_i}
        = \\eta\\,K_{ij}\\,a_{ij}\\,V\\,F_j^{n_i}
        \\qquad(D_{ij} = K_{ij}\\,c_{H,j}^{-m_i}\\,(F_j/T_A)^{n_i})

    with η the Murphree efficiency (organic phase), T_A the total extractant [kmol/h]
    and ν_i = ν·z_i/3, ν = ``extractant_per_metal`` (6 for Ln(HA2)3). The ``equilibrium``
    models:

    * ``separation_factor``: K_i = κ·β_i, m = 0, n = 1: constant separation factors β
      (``separation_factors``), the organic composition y_i ∝ β_i x_i, and a total
      loading that approaches the capacity T_A/ν (κ = ``reference_distribution``, the
      D of the β = 1 element on barren organic; large κ = near capacity). The strip
      section uses ``strip_distribution``.
    * ``pH``: log D_i = m_i pH + b_i + n log(F/T_A) (``pH_slope``, ``pH_intercept``,
      ``extractant_order``·z/3), pH = −log c_H, c_H = h/W [mol/L]; z H+ released per
      ion extracted, so pH is solved stage by stage (stripping follows from the acid).
      Slopes and intercepts default to ``data/ree_extraction.csv`` for the
      ``extractant`` at ``extractant_molarity``; a metal named in ``distribution`` is
      held at that constant D (an impurity beside pH-dependent rare earths).
    * ``distribution``: constant D_i (``distribution``; ``strip_distribution`` in the
      strip section): the Kremser cascade.

    Species that take no part (water, NaCl, the diluent) pass with their phase: feed and
    scrub to the raffinate, strip to the strip liquor, organic to the organic. Outlets
    leave at the temperature of the adiabatic mixing of the inlets (heat of extraction
    on the formation basis), or at ``temperature``.

    Source: stage model and separation factors, Xu Guangxian, *Rare Earths* (2nd ed.,
    Metallurgical Industry Press, Beijing, 1995), vol. 1, ch. 9 (theory of counter-current
    extraction), and Yan, Jia, Liao, Wu & Xu, Tsinghua Sci. Technol. 11 (2006) 241-247;
    slope analysis log D = 3 pH + const for Ln3+ with P507, Xie, Zhang, Dreisinger & Doyle,
    Miner. Eng. 56 (2014) 10-28, §3.1; Murphree efficiency and the Kremser equation,
    Seader, Henley & Roper, *Separation Process Principles*, 3rd ed. (2011), §5.4, §8.5.

    Example: constant D = 2, 1 m3/h of each phase (O/A = 1), 4 extraction stages and no
    scrub: the Kremser fraction unextracted is (E − 1)/(E^{n+1} − 1) = 1/31 with
    E = D·O/A = 2 (Seader, Henley & Roper, eq. 5-29), so 1/31 of the Nd fed leaves in the
    raffinate.

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "NdCl3", "HCl", "P507", "NdA3", "kerosene"])
    >>> _ = fs.add(Feed("pls", flows={"H2O": "975 kg/h", "NdCl3": "25 kg/h"}))
    >>> _ = fs.add(Feed("acid", flows={"H2O": "1000 kg/h", "HCl": "2 kmol/h"}))
    >>> _ = fs.add(Feed("solvent", flows={"kerosene": "500 kg/h", "P507": "300 kg/h"}))
    >>> _ = fs.add(REECascade("sx", elements=["Nd"], equilibrium="distribution",
    ...     distribution={"Nd": 2}, strip_distribution=0.0001, extractant_per_metal=3,
    ...     extraction_stages=4, scrub_stages=0, strip_stages=1))
    >>> for p in ("raffinate", "strip_liquor", "loaded"): _ = fs.add(Product(p))
    >>> fs.connect("f", "pls", "sx.feed"); fs.connect("s", "acid", "sx.strip")
    >>> fs.connect("o", "solvent", "sx.organic"); fs.connect("r", "sx.raffinate", "raffinate")
    >>> fs.connect("l", "sx.strip_liquor", "strip_liquor")
    >>> fs.connect("b", "sx.organic", "loaded")
    >>> r = fs.solve()
    >>> nd = r.elements_kg_h("r")["Nd"] / r.elements_kg_h("f")["Nd"]
    >>> round(nd * 31, 9), r.iterations <= 4
    (1.0, True)
    """

    model = "ree_cascade"
    inlets = ("feed", "scrub", "strip", "organic")
    outlets = ("raffinate", "strip_liquor", "organic")
    params = PARAMS
    results = {
        "stages": Reported("", "number of stages (extraction + scrub + strip)"),
        "max_loading_fraction": Reported("", "largest organic loading as a fraction of "
                                             "the extractant's capacity"),
        "raffinate_pH": Reported("", "pH of the raffinate leaving stage 1"),
    }

    # -- set-up ----------------------------------------------------------------------
    def validate(self) -> None:
        validate_params(self)
        self.equilibrium_model = MODELS[self.p["equilibrium"]](self.p)
        self.stages = Stages.of(self.p)

    def inlet_ports(self) -> tuple[str, ...]:
        """No scrub inlet without scrub stages, no strip inlet without strip stages (an
        extraction-only battery: the loaded organic leaves as ``organic``)."""
        return tuple(k for k in self.inlets
                     if not (k == "scrub" and self.p["scrub_stages"] == 0)
                     and not (k == "strip" and self.p["strip_stages"] == 0))

    def outlet_ports(self) -> tuple[str, ...]:
        if self.p["strip_stages"] == 0:
            return ("raffinate", "organic")
        return self.outlets

    def _per_element(self, key: str) -> np.ndarray:
        t = self.p[key]
        return np.array([t.get(e, t.get("all", np.nan)) for e in self.p["elements"]])

    def bind(self, species) -> None:
        sp = resolve_species(self, species)
        self.aq, self.org, self.acid, self.ha = sp.aq, sp.org, sp.acid, sp.ha
        self.species = species
        #: charge z of each element: H+ released and extractant anions per ion extracted
        self.charge = sp.charge
        #: extractant molecules bound per ion at capacity: ν·z/3 (ν per REE3+)
        self.nu = self.p["extractant_per_metal"] * sp.charge / 3.0
        #: K, m, n of every element in the extraction and strip sections
        self.constants: Constants = self.equilibrium_model.constants(
            self._per_element, self.stages.E, sp.charge)
        self.u0, self.v0 = U0, V0

    @property
    def n_stages(self) -> int:
        return self.stages.N

    def internal_layout(self) -> Layout:
        """The named internal unknowns (:func:`~polyflow.units.ree.layout.internal_layout`)."""
        use_u, use_v = self.equilibrium_model.log_variables()
        return internal_layout(self.stages, self.p["elements"], use_u, use_v, self.u0,
                               self.v0)

    # -- equations ---------------------------------------------------------------------
    def equations(self, eq) -> None:
        st = self.stages
        lay = self.internal_layout()
        z = lay.declare(eq)
        g = {name: lay.take(name, z) for name in lay.names}
        inlet_at = [(s, st.f) for s in eq.inlets["feed"]] + \
                   [(s, st.ns - 1) for s in eq.inlets.get("scrub", [])] + \
                   [(s, st.N - 1) for s in eq.inlets.get("strip", [])]
        org_in_LnA3 = [eq.flows(s)[self.org] for s in eq.inlets["organic"]]   # E cols each
        stage_rows(eq, self, g, inlet_at, org_in_LnA3)
        volume_rows(eq, self, g, tuple(g[k] for k in VOLUMES))
        equilibrium_block(eq, self, g, org_in_LnA3)
        add_initialiser(eq, self, lay, g, inlet_at, org_in_LnA3)
        outlet_rows(eq, self, g)
        outs = [eq.outlets[k] for k in self.outlet_ports()]
        if self.p["temperature"] is not None:
            for s in outs:
                eq.temperature_fixed(s, self.p["temperature"])
        else:
            eq.energy_balance(eq.all_inlets, outs, primary=outs[0])
            for s in outs[1:]:
                eq.temperature_equal(s, outs[0])

    # -- report --------------------------------------------------------------------------
    def stage_profile(self, sol) -> dict[str, np.ndarray]:
        """Stage-by-stage aqueous and organic flows [kmol/h] (stage × element), acid
        [kmol/h], pH (where the aqueous carries acid) and free extractant."""
        lay = self.internal_layout()
        x = sol.internal
        W = np.array([lay.take(k, x) for k in VOLUMES[:3]])[self.stages.volume_of_stage()]
        h = lay.take("acid", x)
        with np.errstate(divide="ignore", invalid="ignore"):
            pH = np.where((h > 0) & (W > 0), -np.log10(h / np.maximum(W, 1e-300)), np.nan)
        return {"aqueous": lay.take("aqueous", x), "organic": lay.take("organic", x),
                "acid": h, "pH": pH, "free_extractant": lay.take("free_extractant", x)}

    def report(self, sol) -> dict[str, float]:
        prof = self.stage_profile(sol)
        N = self.stages.N
        tot = self.internal_layout().take("extractant_total", sol.internal)
        load = (prof["organic"] * self.nu).sum(axis=1) / tot if tot > 0 else np.zeros(N)
        return {"stages": float(N), "max_loading_fraction": float(load.max(initial=0.0)),
                "raffinate_pH": float(prof["pH"][0])}

