"""Tungsten amine solvent extraction from acidified sodium tungstate, ammonia strip."""

from __future__ import annotations

import math

import numpy as np

from polyflow.errors import InputError, PolyflowError
from polyflow.units.base import Param, Reported, Unit

__all__ = ["TungstenAmineSX", "kremser_unextracted"]


def kremser_unextracted(D: float, oa: float, stages: int) -> float:
    """Fraction of the metal left in the raffinate of ``stages`` counter-current
    stages fed with metal-free organic: (ε − 1)/(ε^(N+1) − 1), ε = D·O/A
    (1/(N + 1) at ε = 1). A negative or non-finite ε, or stages below 1, raise
    :class:`InputError`."""
    eps = D * oa
    if not (math.isfinite(eps) and eps >= 0.0):
        raise InputError("the extraction factor D·O/A must be a finite number ≥ 0",
                         field="D", value=eps)
    if isinstance(stages, bool) or int(stages) != stages or stages < 1:
        raise InputError("the number of stages must be a whole number ≥ 1",
                         field="extraction_stages", value=stages)
    if abs(eps - 1.0) < 1e-12:
        return 1.0 / (stages + 1)
    return (eps - 1.0) / (eps ** (stages + 1) - 1.0)


class TungstenAmineSX(Unit):
    """Tungsten solvent extraction with a tertiary amine (Alamine 336 in kerosene) from
    acidified (pH 2–3, sulfate) sodium tungstate liquor, with the loaded organic
    stripped by aqueous ammonia to ammonium tungstate: the "acid amine extraction" of
    every modern APT plant. The amine sulfate takes up the (iso)polytungstate anion
    and releases sulfate; ammonia strips it and regenerates the free amine, which the
    raffinate acid converts back to the sulfate. Per mole of tungsten transferred the
    net change of each aqueous phase is

    .. math::

        \\text{raffinate:}\\; Na_2WO_4 + H_2SO_4 \\to Na_2SO_4 + [H_2WO_4]_{org},\\qquad
        \\text{strip:}\\; [H_2WO_4]_{org} + 2\\,NH_3 \\to (NH_4)_2WO_4

    so the circuit turns Na2WO4 + H2SO4 + 2 NH3 into (NH4)2WO4 + Na2SO4, its organic
    kept inside the unit. The extraction section is E counter-current stages with a
    constant distribution coefficient D at the O/A ratio ``oa_ratio``; the stripped
    organic carries no tungsten (ammonia stripping is practically complete), so the
    fraction extracted is Kremser's

    .. math::

        X = 1 - \\frac{\\varepsilon - 1}{\\varepsilon^{E+1} - 1},\\qquad
        \\varepsilon = D\\,O/A,\\qquad \\xi = X\\,n_{Na_2WO_4,feed}

    and ``raffinate = feed + ν_raff ξ``, ``strip_product = strip_liquor + ν_strip ξ``.
    Each phase leaves at its inlet's temperature. The feed must carry at least one
    H2SO4 and the strip liquor two NH3 per tungsten extracted (acidify the feed with
    excess acid, as plants do to pH 2–3); the report gives what is left of each.

    Parameters: ``D`` (ratio, 1–1000; acid amine extraction of tungstate at pH 2–3
    gives D of 10–100 and above), ``oa_ratio`` (0.1–10), ``extraction_stages`` (1–20).

    Source: acid amine extraction and ammonia stripping of tungsten, Lassner &
    Schubert, *Tungsten: Properties, Chemistry, Technology of the Element, Alloys, and
    Chemical Compounds*, Kluwer/Plenum (1999), §6.2 (solvent extraction, tertiary
    amines at pH 2–3, NH3 strip); Shen, Li, Lindberg & Taskinen, *Minerals Engineering*
    142 (2019) 105934 (review); stage model, Kremser equation, Seader, Henley & Roper,
    *Separation Process Principles*, 3rd ed. (2011), §5.4.

    Example: D = 10 at O/A = 0.5 over 3 stages (ε = 5) leaves (5 − 1)/(5⁴ − 1) =
    4/624 = 0.641 % of the tungsten in the raffinate: of 1 kmol/h Na2WO4 fed,
    0.99359 kmol/h leaves as ammonium tungstate.

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> sp = ["H2O", "Na2WO4", "H2SO4", "Na2SO4", "NH3", "(NH4)2WO4"]
    >>> fs = Flowsheet(sp)
    >>> _ = fs.add(Feed("pls", flows={"H2O": "50 t/h", "Na2WO4": "1 kmol/h",
    ...                               "H2SO4": "1.2 kmol/h"}))
    >>> _ = fs.add(Feed("ammonia", flows={"H2O": "5 t/h", "NH3": "2.4 kmol/h"}))
    >>> _ = fs.add(TungstenAmineSX("sx", D=10, oa_ratio=0.5, extraction_stages=3))
    >>> for p in ("raff", "at"): _ = fs.add(Product(p))
    >>> fs.connect("f", "pls", "sx.feed"); fs.connect("a", "ammonia", "sx.strip_liquor")
    >>> fs.connect("r", "sx.raffinate", "raff"); fs.connect("s", "sx.strip_product", "at")
    >>> r = fs.solve()
    >>> round(r.flow_kg_h("s")["(NH4)2WO4(aq)"] / 283.9, 4)
    0.9936
    """

    model = "tungsten_amine_sx"
    inlets = ("feed", "strip_liquor")
    outlets = ("raffinate", "strip_product")
    params = {
        "D": Param("ratio", "distribution coefficient of tungsten in extraction, organic "
                            "over aqueous", required=True, bounds=(1e-3, 1e4)),
        "oa_ratio": Param("ratio", "organic over aqueous volume flow in extraction",
                          default=1.0, bounds=(0.05, 20.0)),
        "extraction_stages": Param.integer("number of counter-current extraction stages",
                                           default=3, bounds=(1, 20)),
        "metal": Param(None, "tungstate in the feed", default="Na2WO4(aq)"),
        "acid": Param(None, "acid the extraction consumes", default="H2SO4(aq)"),
        "salt": Param(None, "salt left in the raffinate", default="Na2SO4(aq)"),
        "base": Param(None, "stripping base", default="NH3(aq)"),
        "product": Param(None, "tungstate in the strip product", default="(NH4)2WO4(aq)"),
    }
    results = {
        "extraction": Reported("%", "tungsten extracted from the feed"),
        "tungsten_transferred": Reported("kmol/h", "tungsten moved from feed to strip product"),
        "WO3_transferred": Reported("kg/h", "the same as WO3"),
        "raffinate_acid_left": Reported("kg/h", "acid left in the raffinate"),
        "strip_base_left": Reported("kg/h", "base left in the strip product"),
    }

    def bind(self, species) -> None:
        self.sp = species
        idx = {}
        for f in ("metal", "acid", "salt", "base", "product"):
            try:
                idx[f] = species.idx(self.p[f])
            except PolyflowError as err:
                raise self.fail(f"{f}: {err.message}", f,
                                hint="add it to the flowsheet's species") from None
        self.i = idx
        S = len(species)
        self.nu_raff = np.zeros(S)
        self.nu_raff[idx["metal"]] = -1.0
        self.nu_raff[idx["acid"]] = -1.0
        self.nu_raff[idx["salt"]] = 1.0
        self.nu_strip = np.zeros(S)
        self.nu_strip[idx["product"]] = 1.0
        self.nu_strip[idx["base"]] = -2.0
        # the net transfer must conserve every element (checked once, here)
        E = species.element_matrix
        net = E @ (self.nu_raff + self.nu_strip)
        if np.max(np.abs(net)) > 1e-9:
            raise self.fail("metal + acid + 2 base -> product + salt does not balance with "
                            "these species", "metal",
                            hint="defaults: Na2WO4 + H2SO4 + 2 NH3 -> (NH4)2WO4 + Na2SO4")

    def extracted_fraction(self) -> float:
        return 1.0 - kremser_unextracted(self.p["D"], self.p["oa_ratio"],
                                         self.p["extraction_stages"])

    def equations(self, eq) -> None:
        feed = eq.inlets["feed"][0]
        strip = eq.inlets["strip_liquor"][0]
        raff = eq.outlets["raffinate"]
        prod = eq.outlets["strip_product"]
        X = self.extracted_fraction()
        S = len(self.nu_raff)
        w = self.i["metal"]
        M_r = np.eye(S)
        M_r[:, w] += X * self.nu_raff
        M_s = np.zeros((S, S))
        M_s[:, w] = X * self.nu_strip
        eq.species_map(raff, [(feed, M_r)])
        eq.species_map(prod, [(strip, 1.0), (feed, M_s)])
        eq.temperature_equal(raff, feed)
        eq.temperature_equal(prod, strip)

    def report(self, sol) -> dict[str, float]:
        sp = sol.species
        feed = sol.inlets["feed"][0][0]
        raff = sol.outlets["raffinate"][0]
        prod = sol.outlets["strip_product"][0]
        w, a, b = self.i["metal"], self.i["acid"], self.i["base"]
        xi = float(feed[w] - raff[w])
        return {"extraction": 100.0 * self.extracted_fraction(),
                "tungsten_transferred": xi,
                "WO3_transferred": xi * 231.84,
                "raffinate_acid_left": float(raff[a] * sp.mw[a]),
                "strip_base_left": float(prod[b] * sp.mw[b])}
