"""Solvent-extraction mixer-settler stage: isotherm, Murphree efficiency, entrainment."""

from __future__ import annotations

import numpy as np

from polyflow.chem.elements import atomic_weight
from polyflow.units._sx_common import (
    SXChemistry,
    equilibrium,
    equilibrium_derivatives,
    isotherm_params,
    ph,
    validate_isotherm,
)
from polyflow.units.base import Param, Reported, Unit

__all__ = ["SXStage", "phase_weights"]


def phase_weights(unit, species, chem: SXChemistry, need_complex: bool = True):
    """(aqueous-volume weights, organic-volume weights, total-extractant weights), each a
    vector over the flowsheet's species: ``V_a = w_a·n``, ``V_o = w_o·n``, ``R = r·n``.

    ``volume_basis = "solution"``: phase mass over the phase density (as the feeds and the
    stream table count volume); ``"solvent"``: water, and diluent plus extractant (the
    complex counted as its extractant), which the reaction leaves unchanged."""
    S = len(species)
    solvent = unit.p["volume_basis"] == "solvent"
    if "H2O(l)" not in species:
        raise unit.fail("solvent extraction needs water 'H2O' in the flowsheet's species "
                        "(the aqueous phase)", hint="add 'H2O' to [flowsheet] species")
    if solvent:
        w_a = np.zeros(S)
        iw = species.idx("H2O(l)")
        w_a[iw] = species.mw[iw]
    else:
        w_a = np.where(species.mask("aq"), species.mw, 0.0)
    org = species.mask("org")
    w_o = np.where(org, species.mw, 0.0)
    r = np.zeros(S)
    if chem.extractant_id in species:
        r[species.idx(chem.extractant_id)] = 1.0
    elif need_complex:
        raise unit.fail(f"extractant {chem.extractant_id} is not in the flowsheet's species",
                        "extractant", hint="add it to [flowsheet] species")
    if chem.complex_id in species:
        ic = species.idx(chem.complex_id)
        r[ic] = chem.q
        if solvent:
            w_o[ic] = chem.q * chem.mw_extractant   # the complex counts as its extractant
    elif need_complex:
        raise unit.fail(f"complex {chem.complex_id} is not in the flowsheet's species",
                        "complex", hint="add it to [flowsheet] species")
    return w_a / unit.p["aqueous_density"], w_o / unit.p["organic_density"], r


class SXStage(Unit):
    """One mixer-settler stage of solvent extraction (or stripping: the same reaction run
    backwards by acid). The aqueous and organic inlets mix, the extraction reaction
    ``M(aq) + q HR(org) -> MR_q(org) + acid(aq)`` proceeds to a Murphree efficiency of
    the equilibrium given by a distribution isotherm, and the settler returns each phase
    with a fraction of the other entrained.

    With ξ the extent [kmol/h], Y* the complex in equilibrium with the aqueous outlet,
    C the complex entering (both inlets), e_a and e_o the entrained fractions:

    .. math::

        A = P_{aq}(n_{aq} + n_{org}) + \\nu_{aq}\\xi,\\quad
        O = P_{org}(n_{aq} + n_{org}) + \\nu_{org}\\xi

        n_{aq,out} = (1-e_a)A + e_o O,\\qquad n_{org,out} = e_a A + (1-e_o) O

        \\nu_C\\,\\xi = E_M\\,(Y^* - C)\\quad\\text{(Murphree: } y_{out} - y_{in} =
        E_M (y^* - y_{in})\\text{, on the organic volume)}

    and the isotherm (product form, finite at zero flows), one of

    .. math::

        \\text{constant:}\\ a_C Y^* V_a = D\\,a_M M V_o,\\qquad
        \\text{ph:}\\ a_C Y^* V_a [H^+]^m = 10^b a_M M V_o \\ (\\log D = m\\,pH + b)

        \\text{hydroxyoxime:}\\ Y^* V_o (hA)^2 = K_{ex} M V_a (R - qY^*)|R - qY^*|

    the last being K_ex = [CuR2][H+]²/([Cu2+][HR]²) with the acid released by the
    extraction, so the pH is solved, not given ([H+] = 2 [H2SO4]: fully dissociated, or
    the first dissociation only with ``acid_dissociation = "first"``). V_a and V_o are
    the phase masses over 1000 and 800 kg/m3 (``volume_basis = "solution"``, as the
    stream table), or the water and the diluent plus extractant masses, which the
    reaction leaves unchanged (``"solvent"``: the constant flows of Kremser). Both
    outlets leave at the temperature of the adiabatic mixing of the inlets (the heat of
    extraction is zero by the species data).

    Source: Murphree efficiency and stage model: Treybal, *Liquid Extraction*, 2nd ed.
    (1963), ch. 6; Seader, Henley & Roper, *Separation Process Principles*, 3rd ed.
    (2011), §8.3 and §6.5. Copper–hydroxyoxime mass-action law: Ritcey & Ashbrook,
    *Solvent Extraction*, Part I (1984), ch. 2; Schlesinger et al., *Extractive
    Metallurgy of Copper*, 5th ed. (2011), ch. 15. Default densities: 1000 and 800 kg/m3.

    Example: one equilibrium stage, D = 2, equal water and organic volumes (1 m3/h
    each on the solvent basis): a fraction ε/(1+ε) = 2/3 of the copper is extracted
    (ε = D·O/A):

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "CuSO4", "H2SO4", "LIX984N", "CuR2", "kerosene"])
    >>> _ = fs.add(Feed("pls", flows={"H2O": "1000 kg/h", "CuSO4": "0.05 kmol/h"}))
    >>> _ = fs.add(Feed("barren", flows={"kerosene": "720 kg/h", "LIX984N": "80 kg/h"}))
    >>> _ = fs.add(SXStage("e1", reaction="CuSO4 + 2 LIX984N -> CuR2 + H2SO4", D=2,
    ...                    volume_basis="solvent"))
    >>> _ = fs.add(Product("raffinate")); _ = fs.add(Product("loaded"))
    >>> fs.connect("a", "pls", "e1.aqueous"); fs.connect("o", "barren", "e1.organic")
    >>> fs.connect("raff", "e1.aqueous", "raffinate"); fs.connect("lo", "e1.organic", "loaded")
    >>> r = fs.solve()
    >>> round(r.energy["e1"]["transferred_kmol/h"] / 0.05, 6)
    0.666667
    """

    model = "sx_stage"
    inlets = ("aqueous", "organic")
    outlets = ("aqueous", "organic")
    params = {
        **isotherm_params(),
        "aqueous_entrainment": Param("fraction", "fraction of the settled aqueous phase "
                                                 "carried out with the organic outlet",
                                     default=0.0, bounds=(0.0, 0.5)),
        "organic_entrainment": Param("fraction", "fraction of the settled organic phase "
                                                 "carried out with the aqueous outlet",
                                     default=0.0, bounds=(0.0, 0.5)),
    }
    results = {
        "aqueous_pH": Reported("", "pH of the aqueous outlet"),
        "aqueous_metal": Reported("g/L", "metal in the aqueous outlet"),
        "organic_metal": Reported("g/L", "metal on the organic outlet"),
        "transferred": Reported("kmol/h", "metal moved to the organic (negative: stripped)"),
    }
    n_internal = 2

    def validate(self) -> None:
        validate_isotherm(self)

    def bind(self, species) -> None:
        self.chem = SXChemistry.resolve(self, species, need_organic=True)
        self.w_a, self.w_o, self.r = phase_weights(self, species, self.chem)
        self.org = species.mask("org")
        self.ic = species.idx(self.chem.complex_id)
        self.species = species

    # -- equations ------------------------------------------------------------------
    def equations(self, eq) -> None:
        S, c, p = eq.S, self.chem, self.p
        a_in, o_in = eq.inlets["aqueous"][0], eq.inlets["organic"][0]
        a_out, o_out = eq.outlets["aqueous"], eq.outlets["organic"]
        xi, ystar = eq.internal(["extent", "complex_at_equilibrium"], [0.0, 0.0])
        ea, eo = p["aqueous_entrainment"], p["organic_entrainment"]
        Paq = (~self.org).astype(float)
        Porg = self.org.astype(float)
        nu_aq, nu_org = c.nu * Paq, c.nu * Porg
        for out, alpha, beta in ((a_out, 1.0 - ea, eo), (o_out, ea, 1.0 - eo)):
            m = alpha * Paq + beta * Porg
            v = alpha * nu_aq + beta * nu_org
            k = np.arange(S)
            cols = np.concatenate([eq.flows(out), eq.flows(a_in), eq.flows(o_in),
                                   np.full(S, xi)])
            vals = np.concatenate([np.ones(S), -m, -m, -v])
            eq.linear_rows(S, out, k, np.tile(k, 4), cols, vals)
        eq.energy_balance([a_in, o_in], [a_out, o_out], primary=a_out)
        eq.temperature_equal(o_out, a_out)
        # Murphree: ν_C ξ − E (Y* − C_in) = 0
        E = p["efficiency"]
        eq.linear_rows(1, -1, -2, np.zeros(4, int),
                       np.array([xi, ystar, eq.flows(a_in)[self.ic], eq.flows(o_in)[self.ic]]),
                       np.array([c.nu_complex, -E, E, E]))
        cols = np.concatenate([eq.flows(a_in), eq.flows(o_in), [xi, ystar]])
        eq.nonlinear(cols, 1, self._residual, jac=self._jacobian,
                     labels=[f"{p['isotherm']} isotherm of {self.species.ids[c.metal]}"],
                     start=(self._start, None))

    def _phases(self, x: np.ndarray):
        S = len(self.species)
        n = x[:S] + x[S:2 * S]
        xi, y = x[2 * S], x[2 * S + 1]
        c = self.chem
        M = n[c.metal] + c.nu[c.metal] * xi
        A = n[c.acid] + c.nu[c.acid] * xi
        Va = self.w_a @ n + (self.w_a @ c.nu) * xi
        Vo = self.w_o @ n + (self.w_o @ c.nu) * xi
        R = self.r @ n
        return n, xi, y, M, A, Va, Vo, R

    def _residual(self, x: np.ndarray):
        _, _, y, M, A, Va, Vo, R = self._phases(x)
        r, s = equilibrium(self.p["isotherm"], self.p, self.chem, y, M, A, Va, Vo, R)
        return np.atleast_1d(r), np.atleast_1d(s)

    def _jacobian(self, x: np.ndarray) -> np.ndarray:
        """The isotherm row's derivatives on (aqueous in, organic in, ξ, y*), analytic
        (:func:`~polyflow.units._sx_common.equilibrium_derivatives`, chain rule through
        :meth:`_phases`, which is linear in them)."""
        S = len(self.species)
        _, _, y, M, A, Va, Vo, R = self._phases(x)
        c = self.chem
        d = equilibrium_derivatives(self.p["isotherm"], self.p, c, y, M, A, Va, Vo, R)
        dn = d["Va"] * self.w_a + d["Vo"] * self.w_o + d["R"] * self.r
        dn[c.metal] += d["M"]
        dn[c.acid] += d["A"]
        J = np.zeros((1, 2 * S + 2))
        J[0, :S] = dn
        J[0, S:2 * S] = dn
        J[0, 2 * S] = (d["M"] * c.nu[c.metal] + d["A"] * c.nu[c.acid]
                       + d["Va"] * (self.w_a @ c.nu) + d["Vo"] * (self.w_o @ c.nu))
        J[0, 2 * S + 1] = d["Y"]
        return J

    def _start(self, x: np.ndarray):
        """First iteration: half of the metal in the organic at equilibrium (linear)."""
        n, _, y, *_ = self._phases(x)
        c = self.chem
        total = c.a_complex * n[self.ic] + c.a_metal * n[c.metal]
        r = c.a_complex * y - 0.5 * total
        return np.atleast_1d(r), np.atleast_1d(abs(c.a_complex * y) + 0.5 * abs(total))

    # -- results --------------------------------------------------------------------
    def report(self, sol) -> dict[str, float]:
        x = np.concatenate([sol.inlets["aqueous"][0][0], sol.inlets["organic"][0][0],
                            sol.internal])
        n, xi, _, M, A, Va, Vo, _ = self._phases(x)
        c = self.chem
        el = atomic_weight(c.element)
        cu_aq = c.a_metal * M * el / Va if Va > 0 else float("nan")
        cu_org = c.a_complex * (n[self.ic] + c.nu_complex * xi) * el / Vo if Vo > 0 \
            else float("nan")
        return {"aqueous_pH": ph(c, A, Va), "aqueous_metal": float(cu_aq),
                "organic_metal": float(cu_org),
                "transferred": float(c.a_complex * c.nu_complex * xi)}
