"""Cyanide leaching of gold: first-order-to-equilibrium kinetics in tanks in series."""

from __future__ import annotations

import numpy as np

from polyflow.chem.elements import atomic_weight
from polyflow.solve.system import ROW_INTERNAL
from polyflow.units._gold_common import ELSNER, first_order_cstr_series
from polyflow.units._hydro_common import (
    nu_vector,
    phase_masks,
    reaction_rows,
    resolve_reaction,
    split_energy,
)
from polyflow.units.base import Param, Reported, Unit
from polyflow.units.reactor import conversion_matrix

__all__ = ["CyanideLeach"]

AU_MW = atomic_weight("Au")
CYANIDE_LOSS = "NaCN + 0.5 O2(g) -> NaOCN"
#: diffusion coefficients of CN- and O2 in water [cm2/s] (Kudryk & Kellogg 1954, as used
#: in Habashi's cyanidation rate law; Marsden & House (2006) §6.3)
D_CN, D_O2 = 1.83e-5, 2.76e-5
M_NACN, M_O2 = 49.007, 31.998


def habashi(cn_mol_m3: float, o2_mol_m3: float) -> float:
    """The concentration part of Habashi's rate of gold cyanidation,
    [CN⁻][O2]/(D_CN [CN⁻] + 4 D_O2 [O2]) (the rate is 2 A D_CN D_O2/δ times it): first
    order in cyanide when it is scarce, in oxygen when the cyanide is in excess
    ([CN⁻]/[O2] above 4 D_O2/D_CN = 6.0). Habashi, *Trans. SME-AIME* 235 (1966) 236;
    Marsden & House (2006) §6.3.

    >>> round(habashi(6.033, 1.0) / habashi(6.033 * 100, 1.0), 3)   # at the ratio: half
    0.505
    """
    cn, o2 = max(cn_mol_m3, 0.0), max(o2_mol_m3, 0.0)
    den = D_CN * cn + 4.0 * D_O2 * o2
    return cn * o2 / den if den > 0 else 0.0


class CyanideLeach(Unit):
    """Agitated cyanide leach of gold in ``tanks`` equal CSTRs in series. The gold
    extraction follows the empirical first-order-to-equilibrium rate law
    dX/dt = k (X∞ − X) (X the fraction of the ore's gold dissolved, X∞ the leachable
    fraction at infinite time: gold locked in sulphides or silica never leaches); each
    tank is a CSTR, so the extraction leaving tank n is

    .. math::

        X_n = X_\\infty - \\frac{X_\\infty - X_0}{(1 + k\\tau)^n},\\qquad
        \\tau = \\frac{\\text{residence\\_time}}{N}

    with ``X_0`` the ``feed_extraction`` (gold already leached upstream, e.g. in a
    pre-leach ahead of CIL). The gold dissolves by Elsner's reaction
    ``4 Au + 8 NaCN + O2 + 2 H2O -> 4 NaAu(CN)2 + 4 NaOH`` (``reaction``, key ``Au(s)``),
    the fraction (X_N − X_0)/(1 − X_0) of the gold in the solids fed. Cyanide lost to
    cyanicides and oxidation is a stated consumption per tonne of solids fed
    (``cyanide_consumption``, kg NaCN/t), taken by ``NaCN + 0.5 O2 -> NaOCN``. Both are
    linear in the inlet flows, so the unit is linear rows only. Gases (excess air or
    oxygen) leave by ``vent``. Lime is not consumed in the model: protective lime passes
    to the discharge (its addition is the reagent figure the plant report gives).

    Parameters: ``tanks`` (1-30), ``residence_time`` (whole train, h), ``k`` (1/h,
    typically 0.05-0.5 /h for free-milling ores), ``extraction_limit`` X∞ (fraction),
    ``feed_extraction`` X_0, ``cyanide_consumption`` (kg/t, typically 0.2-1 kg/t),
    ``temperature`` (isothermal; adiabatic otherwise, with the agitator power heating the
    slurry), ``agitator_power`` (kW per tank).

    **Rate in free cyanide and dissolved oxygen** (given ``k_cyanide``): ``k`` holds at
    ``k_cyanide`` of free NaCN and ``k_oxygen`` of dissolved oxygen, and scales with
    Habashi's rate law, k(C_CN, C_O2) = k · h(C_CN, C_O2)/h(k_cyanide, k_oxygen),
    h = [CN⁻][O2]/(D_CN[CN⁻] + 4 D_O2[O2]): C_CN is the free cyanide of the liquor fed
    less the stated consumption (what the gold itself takes, two NaCN per Au, is
    negligible and left out), C_O2 the ``dissolved_oxygen`` the sparging holds. The gold
    leached is then an internal unknown (its extent); less cyanide, or less oxygen when
    the cyanide is in excess, leaches less.

    Source: first-order leach kinetics to an equilibrium (residual) gold content and
    the design of CSTR trains, Marsden & House, *The Chemistry of Gold Extraction*,
    2nd ed., SME (2006), ch. 6 (leach kinetics, §6.6) and ch. 12 (leach reactor design);
    Elsner's equation ibid. §6.2; N tanks in series, Levenspiel, *Chemical Reaction
    Engineering*, 3rd ed. (1999), ch. 6.

    Example: k = 0.5 /h, 3 tanks of 2 h, X∞ = 90 %: X = 0.9 (1 − 1/2³) = 78.75 %; the
    ore's 1 kmol/h of gold gives 0.7875 kmol/h of aurocyanide.

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "SiO2", "Au(s)", "NaCN", "O2(g)", "NaAu(CN)2", "NaOH",
    ...                 "NaOCN"])
    >>> _ = fs.add(Feed("ore", flows={"SiO2": "100 t/h", "Au(s)": "1 kmol/h",
    ...                               "H2O": "100 t/h", "NaCN": "5 kmol/h",
    ...                               "O2(g)": "2 kmol/h"}))
    >>> _ = fs.add(CyanideLeach("leach", tanks=3, residence_time="6 h", k="0.5 1/h",
    ...                         extraction_limit="90 %"))
    >>> _ = fs.add(Product("slurry")); _ = fs.add(Product("gas"))
    >>> fs.connect("f", "ore", "leach"); fs.connect("d", "leach.discharge", "slurry")
    >>> fs.connect("v", "leach.vent", "gas")
    >>> r = fs.solve()
    >>> round(r.energy["leach"]["Au_extraction_%"], 4)
    78.75
    >>> round(r.flow_kg_h("d")["NaAu(CN)2(aq)"] / 271.99, 4)
    0.7875
    """

    model = "cyanide_leach"
    inlets = ("feed*",)
    outlets = ("discharge", "vent")
    params = {
        "tanks": Param.integer("number of tanks in series", default=1, bounds=(1, 30)),
        "residence_time": Param("time", "slurry residence time of the whole train",
                                required=True, bounds=(1e-3, 500.0)),
        "k": Param("rate", "first-order leach rate constant", required=True,
                   bounds=(1e-6, 100.0)),
        "extraction_limit": Param("fraction", "X∞, leachable fraction of the ore's gold",
                                  required=True, bounds=(0.0, 1.0)),
        "feed_extraction": Param("fraction", "X0, fraction of the ore's gold leached "
                                 "before this unit", default=0.0, bounds=(0.0, 1.0)),
        "reaction": Param(None, "gold dissolution reaction", default=ELSNER),
        "key": Param(None, "the gold mineral", default="Au(s)"),
        "cyanide_consumption": Param("fraction", "NaCN lost to cyanicides and oxidation "
                                     "per tonne of solids fed ('0.3 kg/t')", default=0.0,
                                     bounds=(0.0, 0.05)),
        "cyanide_loss_reaction": Param(None, "reaction taking the cyanide consumption",
                                       default=CYANIDE_LOSS),
        "temperature": Param("temperature", "leach temperature (isothermal)",
                             bounds=(273.15, 373.15)),
        "agitator_power": Param("power", "agitator power drawn per tank", default=0.0,
                                bounds=(0.0, 1e4)),
        "k_cyanide": Param("concentration", "free NaCN at which k holds (makes k follow "
                           "Habashi's law)", bounds=(1e-6, 100.0)),
        "k_oxygen": Param("concentration", "dissolved oxygen at which k holds",
                          default=0.008, bounds=(1e-6, 1.0)),
        "dissolved_oxygen": Param("concentration", "dissolved oxygen held in the tanks",
                                  default=0.008, bounds=(1e-6, 1.0)),
    }
    results = {
        "Au_extraction": Reported("%", "gold leached over the train"),
        "Au_extraction_tank{k}": Reported("%", "gold leached by the end of tank k"),
        "{reagent}_consumed": Reported("kg/t", "reagent used per tonne of ore"),
        "solution_Au": Reported("mg/L", "gold in the discharge solution"),
        "residence_time_per_tank": Reported("h", "residence time of each tank"),
        "free_cyanide": Reported("mg/L", "free NaCN of the leach liquor (Habashi rate)"),
        "rate_constant": Reported("1/h", "leach rate constant at the liquor's cyanide "
                                          "and oxygen"),
    }

    def validate(self) -> None:
        if self.p["feed_extraction"] > self.p["extraction_limit"]:
            raise self.fail("feed_extraction cannot exceed extraction_limit",
                            "feed_extraction")

    def extraction(self, n: int | None = None, k: float | None = None) -> float:
        """X_n, extraction of the ore's gold leaving tank n (default the last), at the
        rate constant ``k`` (default the given one)."""
        N = self.p["tanks"]
        return first_order_cstr_series(self.p["k"] if k is None else k,
                                       self.p["residence_time"] / N,
                                       N if n is None else n, self.p["feed_extraction"],
                                       self.p["extraction_limit"])

    def fraction_of_feed(self, k: float | None = None) -> float:
        """Fraction of the gold in the solids fed that dissolves here."""
        x0 = self.p["feed_extraction"]
        return 0.0 if x0 >= 1.0 else (self.extraction(None, k) - x0) / (1.0 - x0)

    @property
    def follows_cyanide(self) -> bool:
        return self.p["k_cyanide"] is not None

    def free_cyanide(self, n_in: np.ndarray) -> float:
        """Free NaCN of the liquor [kg/m3 = g/L]: what is fed less the stated loss."""
        sp = self._species
        V = float(sp.mw[self.liquor] @ n_in[self.liquor]) / 1000.0     # m3/h at 1 t/m3
        i = sp.index.get("NaCN(aq)")
        if i is None or V <= 0:
            return 0.0
        return max(float((self.T_loss @ n_in)[i]) * sp.mw[i] / V, 0.0)

    def rate_constant(self, n_in: np.ndarray) -> float:
        """k at the liquor's free cyanide and the dissolved oxygen (Habashi)."""
        if not self.follows_cyanide:
            return float(self.p["k"])
        cn = self.free_cyanide(n_in) * 1000.0 / M_NACN                  # mol/m3
        ref = habashi(self.p["k_cyanide"] * 1000.0 / M_NACN,
                      self.p["k_oxygen"] * 1000.0 / M_O2)
        now = habashi(cn, self.p["dissolved_oxygen"] * 1000.0 / M_O2)
        return float(self.p["k"]) * now / ref

    def bind(self, species) -> None:
        self._species = species
        self.solids, self.gas, self.liquor = phase_masks(species)
        self.rx, self.key = resolve_reaction(self, self.p["reaction"], self.p["key"], 1,
                                             "reaction")
        M = conversion_matrix([self.rx], [self.key], [self.fraction_of_feed()], species)
        self.nu_au = nu_vector(self.rx, species)
        S = len(species)
        T_loss = np.eye(S)
        c = self.p["cyanide_consumption"]
        self.loss_nu = None
        if c > 0:
            rx, key = resolve_reaction(self, self.p["cyanide_loss_reaction"], "NaCN", 1,
                                       "cyanide_loss_reaction")
            nu = nu_vector(rx, species)
            # extent [kmol/h] = c [kg/kg] × solids [kg/h] / (|ν| M_NaCN)
            w = np.where(self.solids, species.mw, 0.0) * c / \
                (abs(nu[key]) * species.mw[key])
            M = M + np.outer(nu, w)
            T_loss = T_loss + np.outer(nu, w)
            self.loss_nu = nu
        self.T = M
        #: the cyanide loss alone (the gold's own reaction an unknown extent)
        self.T_loss = T_loss

    def equations(self, eq) -> None:
        ins = eq.all_inlets
        dis, vent = eq.outlets["discharge"], eq.outlets["vent"]
        g = self.gas.astype(float)
        if self.follows_cyanide:
            self._cyanide_rows(eq, ins, dis, vent, g)
        else:
            eq.species_map(vent, [(s, g[:, None] * self.T) for s in ins])
            eq.species_map(dis, [(s, (1.0 - g)[:, None] * self.T) for s in ins])
        # agitation power ends as heat in the slurry
        split_energy(eq, [dis, vent], duty_kW=self.power_kW(None),
                     temperature=self.p["temperature"], reactive=True)

    def _cyanide_rows(self, eq, ins, dis, vent, g) -> None:
        """ξ − f(k(n_in)) n_Au,in/|ν_Au| = 0 (f the fraction of the gold fed that
        dissolves, k by Habashi at the liquor's cyanide), outlets linear in ξ."""
        S = eq.S
        in_cols = [eq.flows(s) for s in ins]
        nk = abs(self.nu_au[self.key])
        xi = eq.internal(["extent_Au"], [0.0], lower=0.0)[0]
        cols = np.concatenate([[xi], *in_cols])

        def total(x):
            return sum(x[1 + j * S:1 + (j + 1) * S] for j in range(len(in_cols)))

        def f(x):
            n = total(x)
            d = self.fraction_of_feed(self.rate_constant(n)) * n[self.key] / nk
            return np.array([x[0] - d]), np.array([abs(x[0]) + abs(d)])

        def jac(x):
            J = np.zeros((1, len(x)))
            J[0, 0] = 1.0
            for c in range(1, len(x)):
                h = 1e-7 * max(abs(x[c]), 1e-3)
                xp, xm = x.copy(), x.copy()
                xp[c] += h
                xm[c] -= h
                J[0, c] = (f(xp)[0][0] - f(xm)[0][0]) / (2 * h)
            return J

        f_ref = self.fraction_of_feed()

        def f0(x):      # start: the given k (no liquor at the all-zero start)
            d = f_ref * total(x)[self.key] / nk
            return np.array([x[0] - d]), np.array([abs(x[0]) + abs(d)])

        def j0(x):
            J = np.zeros((1, len(x)))
            J[0, 0] = 1.0
            for j in range(len(in_cols)):
                J[0, 1 + j * S + self.key] = -f_ref / nk
            return J

        eq.nonlinear(cols, 1, f, jac, stream=dis, var=ROW_INTERNAL,
                     labels=["gold leached (Habashi rate in cyanide and oxygen)"],
                     start=(f0, j0))
        reaction_rows(eq, eq.flows(vent), in_cols, self.T_loss, [self.nu_au], [xi], vent,
                      mask=g)
        reaction_rows(eq, eq.flows(dis), in_cols, self.T_loss, [self.nu_au], [xi], dis,
                      mask=1.0 - g)

    def power_kW(self, sol) -> float:
        return float(self.p["agitator_power"]) * self.p["tanks"]

    def report(self, sol) -> dict[str, float]:
        sp = sol.species
        n_in = sol.inlet_total()
        n_out = sol.outlet_total()
        k_now = self.rate_constant(n_in)
        out: dict[str, float] = {"Au_extraction": 100.0 * self.extraction(None, k_now)}
        for k in range(1, self.p["tanks"] + 1):
            out[f"Au_extraction_tank{k}"] = 100.0 * self.extraction(k, k_now)
        if self.follows_cyanide:
            out["free_cyanide"] = 1000.0 * self.free_cyanide(n_in)
            out["rate_constant"] = k_now
        solids_t_h = float(sp.mw[self.solids] @ n_in[self.solids]) / 1000.0
        used = (n_in - n_out) * sp.mw
        for sid in ("NaCN(aq)", "O2(g)"):
            if sid in sp.index and solids_t_h > 0:
                out[f"{sid.split('(')[0]}_consumed"] = float(used[sp.index[sid]]) / solids_t_h
        n_dis = sol.outlets["discharge"][0]
        vol = float(sp.mw[self.liquor] @ n_dis[self.liquor]) / 1000.0     # m3/h at 1 t/m3
        i = sp.index.get("NaAu(CN)2(aq)")
        if i is not None and vol > 0:
            out["solution_Au"] = float(n_dis[i]) * AU_MW * 1000.0 / vol
        out["residence_time_per_tank"] = self.p["residence_time"] / self.p["tanks"]
        return out
