"""Solvent-extraction circuit: counter-current extraction, scrub and strip sections with
the organic circulating inside the unit."""

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
from polyflow.units._sx_start import circuit_start_profile
from polyflow.units.base import Param, Reported, Unit
from polyflow.units.sx_stage import phase_weights

__all__ = ["SXCircuit"]



class SXCircuit(Unit):
    """A solvent-extraction circuit of mixer-settler stages (the ``sx_stage`` model):
    E extraction stages in counter-current, an optional scrub section of W stages and S
    strip stages, the organic circulating between them inside the unit (its flow, or the
    O/A ratio in extraction (on the PLS volume), and its extractant content are
    parameters; the organic
    inventory is not a stream). The typical copper plant, and the default, is 2
    extraction + 1 strip stages.

    Aqueous: ``pls`` -> E1 -> ... -> E_E -> ``raffinate``; ``scrub_liquor`` -> W_W -> ...
    -> W1 -> joins the PLS in E1; ``strip_liquor`` (spent electrolyte) -> S_S -> ... ->
    S1 -> ``loaded_electrolyte``. Organic: E_E -> ... -> E1 (loaded organic) -> W1 ->
    ... -> W_W -> S1 -> ... -> S_S (stripped organic) -> E_E.

    Stage k holds its settled aqueous phase A_k [kmol/h of each species], the complex
    C_k leaving in its organic and the complex Y*_k in equilibrium with A_k:

    .. math::

        A_k = a_k + e_a A_{k'} + \\nu_{aq}(C_k - C_{k'})/\\nu_C,\\qquad
        C_k - C_{k'} = E_M (Y^*_k - C_{k'}),\\qquad g(Y^*_k, A_k) = 0

    where k' is the stage the organic comes from, a_k the aqueous entering (a feed, or
    (1 − e_a) A of the previous stage on the aqueous path), e_a the fraction of the
    settled aqueous entrained by the organic, and g the isotherm of ``sx_stage`` with
    V_o the organic flow and R = c_HR V_o its extractant. Outlets are (1 − e_a) A of
    E_E and S1. The extractant concentration c_HR follows from the v/v content and the
    maximum loading per 1 % v/v: c_HR = q × (v/v in %) × max_loading / M_metal.
    The raffinate leaves at the PLS temperature; the loaded electrolyte's temperature
    closes the circuit's (adiabatic) energy balance.

    Source: stage model and Murphree efficiency, Seader, Henley & Roper, *Separation
    Process Principles*, 3rd ed. (2011), §8.3; copper SX circuits, O/A and maximum
    loading, Schlesinger, King, Sole & Davenport, *Extractive Metallurgy of Copper*,
    5th ed. (2011), ch. 15; configurations and the copper–oxime equilibrium,
    Kafumbila, *Design of Copper Solvent Extraction Configurations* (2016), ch. 2–3.

    Example: with a constant D = 4 in extraction, a complete strip (strip_D = 0) and O/A
    = 1, the two extraction stages leave (ε − 1)/(ε³ − 1) = 3/63 of the copper in the
    raffinate (Kremser, ε = D·O/A = 4):

    >>> from polyflow import Flowsheet
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "CuSO4", "H2SO4"])
    >>> _ = fs.add(Feed("leach", flows={"H2O": "100 t/h", "CuSO4": "5 kmol/h"}))
    >>> _ = fs.add(Feed("spent", flows={"H2O": "20 t/h", "H2SO4": "30 kmol/h"}))
    >>> _ = fs.add(SXCircuit("sx", reaction="CuSO4 + 2 LIX984N -> CuR2 + H2SO4",
    ...                      D=4, strip_D=0, oa_ratio=1, volume_basis="solvent"))
    >>> for p in ("raffinate", "electrolyte"): _ = fs.add(Product(p))
    >>> fs.connect("pls", "leach", "sx.pls"); fs.connect("sl", "spent", "sx.strip_liquor")
    >>> fs.connect("raff", "sx.raffinate", "raffinate")
    >>> fs.connect("le", "sx.loaded_electrolyte", "electrolyte")
    >>> r = fs.solve()
    >>> round(float(r.flows_kmol_h[r.stream_index("raff"), 1]) / 5, 6), round(3 / 63, 6)
    (0.047619, 0.047619)
    """

    model = "sx_circuit"
    inlets = ("pls", "strip_liquor", "scrub_liquor")
    outlets = ("raffinate", "loaded_electrolyte")
    params = {
        **isotherm_params(),
        "strip_D": Param("ratio", "distribution coefficient in the strip stages (constant "
                                  "isotherm only)", bounds=(0.0, 1e12)),
        "extraction_stages": Param.integer("number of extraction stages", default=2,
                                           bounds=(0, 50)),
        "scrub_stages": Param.integer("number of scrub (wash) stages; 0 for none; with "
                                      "scrub stages the inlet scrub_liquor is needed",
                                      default=0, bounds=(0, 50)),
        "strip_stages": Param.integer("number of strip stages", default=1, bounds=(0, 50)),
        "organic_flow": Param("volume_flow", "organic flow circulating (or give oa_ratio)"),
        "oa_ratio": Param("ratio", "O/A: organic over PLS volume flow in extraction (or "
                                   "give organic_flow)"),
        "extractant_concentration": Param("fraction", "extractant in the organic, v/v",
                                          default=0.20, bounds=(1e-4, 1.0)),
        "max_loading": Param("concentration", "maximum metal loading of the organic per "
                                              "1 % v/v extractant", default=0.5,
                             bounds=(1e-6, 100.0)),
        "aqueous_entrainment": Param("fraction", "fraction of each stage's settled aqueous "
                                                 "carried on with its organic",
                                     default=0.0, bounds=(0.0, 0.5)),
    }
    results = {
        "organic_flow": Reported("m3/h", "organic circulating"),
        "pls_metal": Reported("g/L", "metal in the PLS"),
        "raffinate_metal": Reported("g/L", "metal left in the raffinate"),
        "raffinate_pH": Reported("", "pH of the raffinate"),
        "loaded_organic": Reported("g/L", "metal on the loaded organic"),
        "stripped_organic": Reported("g/L", "metal on the stripped organic"),
        "loaded_electrolyte": Reported("g/L", "metal in the loaded electrolyte"),
        "extraction": Reported("%", "metal extracted from the PLS"),
    }

    # -- set-up ---------------------------------------------------------------------
    def validate(self) -> None:
        p = self.p
        validate_isotherm(self)
        if p["isotherm"] != "constant" and p["strip_D"] is not None:
            raise self.misspecified("over-specified: strip_D is for the constant isotherm",
                                    "strip_D")
        if p["isotherm"] == "constant" and p["strip_D"] is None:
            raise self.fail("the constant isotherm needs strip_D, the distribution "
                            "coefficient in the strip stages", "strip_D",
                            hint="e.g. strip_D = 0.05 (0 strips completely)")
        if p["extraction_stages"] < 1:
            raise self.fail("a circuit needs at least 1 extraction stage",
                            "extraction_stages")
        if p["strip_stages"] < 1:
            raise self.fail("a circuit needs at least 1 strip stage", "strip_stages")
        given = [k for k in ("organic_flow", "oa_ratio") if p[k] is not None]
        if len(given) != 1:
            kind = "over" if given else "under"
            raise self.misspecified(f"{kind}-specified: give the organic flow as either "
                                    f"'organic_flow' or 'oa_ratio'", "oa_ratio",
                                    hint="e.g. oa_ratio = 1.2 or organic_flow = '600 m3/h'")
        for k in given:
            if not p[k] > 0:
                raise self.fail(f"{k} must be > 0 (O/A ≤ 0 means no organic), not {p[k]:g}",
                                k, hint="copper plants run O/A of about 0.8-1.5 in "
                                        "extraction")
        E, W, S = p["extraction_stages"], p["scrub_stages"], p["strip_stages"]
        self.names = [f"E{j + 1}" for j in range(E)] + [f"W{j + 1}" for j in range(W)] \
            + [f"S{j + 1}" for j in range(S)]
        self.section = ["E"] * E + ["W"] * W + ["S"] * S
        # organic comes from: E_j <- E_{j+1}; E_E <- S_S; W1 <- E1; W_j <- W_{j-1};
        # S1 <- W_W (or E1); S_j <- S_{j-1}
        N = E + W + S
        prev = [0] * N
        for j in range(E):
            prev[j] = j + 1 if j < E - 1 else N - 1
        for j in range(W):
            prev[E + j] = 0 if j == 0 else E + j - 1
        for j in range(S):
            prev[E + W + j] = (E + W - 1 if W else 0) if j == 0 else E + W + j - 1
        self.org_prev = prev

    def inlet_ports(self) -> tuple[str, ...]:
        return self.inlets if self.p["scrub_stages"] else self.inlets[:2]

    def bind(self, species) -> None:
        self.chem = SXChemistry.resolve(self, species, need_organic=False)
        self.w_a, _, _ = phase_weights(self, species, self.chem, need_complex=False)
        self.species = species
        c = self.chem
        # extractant concentration [kmol/m3 = mol/L] from the v/v content and max loading
        self.c_HR = (c.q / c.a_complex * self.p["extractant_concentration"] * 100.0
                     * self.p["max_loading"] / atomic_weight(c.element))

    # -- equations ------------------------------------------------------------------
    def equations(self, eq) -> None:
        p, c, S = self.p, self.chem, eq.S
        N = len(self.names)
        ea, Em = p["aqueous_entrainment"], p["efficiency"]
        names = []
        for k in self.names:
            names += [f"{k}.aqueous.{sid}" for sid in self.species.ids]
            names += [f"{k}.complex", f"{k}.complex_at_equilibrium"]
        # the settled aqueous phases are kept ≥ 0 by Newton (fraction to the boundary),
        # and so are the complex flows with the hydroxyoxime isotherm: this keeps the
        # mass-action law on its physical branch (a negative copper or acid flow makes it
        # meaningless). The complex is left free with the constant and pH isotherms, whose
        # root is exactly 0 for a complete strip (strip_D = 0): Newton reaches a bound
        # only by steps of 99 % of the remaining distance, so a root on it is not reached.
        bound_complex = 0.0 if p["isotherm"] == "hydroxyoxime" else -np.inf
        lower = ([0.0] * S + [bound_complex] * 2) * N
        z = eq.internal(names, [0.0] * len(names), lower=lower).reshape(N, S + 2)
        A, C, Y = z[:, :S], z[:, S], z[:, S + 1]
        self.z = z
        pls = eq.inlets["pls"][0]
        strip = eq.inlets["strip_liquor"][0]
        scrub = eq.inlets["scrub_liquor"][0] if p["scrub_stages"] else None
        E, W = p["extraction_stages"], p["scrub_stages"]
        nu_aq = np.where(self.species.mask("org"), 0.0, c.nu) / c.nu_complex
        k_idx = np.arange(S)
        for k in range(N):
            kp = self.org_prev[k]
            # aqueous entering stage k
            if k == 0:
                feeds = [(eq.flows(pls), 1.0)] + ([(A[E], 1.0 - ea)] if W else [])
            elif k < E:
                feeds = [(A[k - 1], 1.0 - ea)]
            elif k < E + W:
                feeds = [(eq.flows(scrub), 1.0)] if k == E + W - 1 else [(A[k + 1], 1.0 - ea)]
            else:
                feeds = [(eq.flows(strip), 1.0)] if k == N - 1 else [(A[k + 1], 1.0 - ea)]
            cols = [A[k]] + [f[0] for f in feeds] + [A[kp], np.full(S, C[k]),
                                                     np.full(S, C[kp])]
            vals = [np.ones(S)] + [np.full(S, -f[1]) for f in feeds] + [
                np.full(S, -ea), -nu_aq, nu_aq]
            eq.linear_rows(S, -1, k_idx, np.tile(k_idx, len(cols)), np.concatenate(cols),
                           np.concatenate(vals))
            # Murphree: C_k − (1 − E) C_k' − E Y_k = 0
            eq.linear_rows(1, -1, -2, np.zeros(3, int), np.array([C[k], C[kp], Y[k]]),
                           np.array([1.0, -(1.0 - Em), -Em]))
            # isotherm
            D = p["strip_D"] if self.section[k] == "S" else p["D"]
            bcols = np.concatenate([A[k], [Y[k]], eq.flows(pls)])
            eq.nonlinear(bcols, 1, self._residual(D), jac=self._jacobian(D),
                         labels=[f"{p['isotherm']} isotherm in stage {self.names[k]}"],
                         start=(self._starter(self.section[k]), None))
        inlets = [eq.flows(pls), eq.flows(strip)] + ([eq.flows(scrub)] if W else [])
        eq.initialiser(np.concatenate([*inlets, z.ravel()]), z.ravel(), self._start_profile)
        raff, le = eq.outlets["raffinate"], eq.outlets["loaded_electrolyte"]
        for out, k in ((raff, E - 1), (le, E + W)):
            eq.linear_rows(S, out, k_idx, np.tile(k_idx, 2),
                           np.concatenate([eq.flows(out), A[k]]),
                           np.concatenate([np.ones(S), np.full(S, -(1.0 - ea))]))
        eq.temperature_equal(raff, pls)
        eq.energy_balance(eq.all_inlets, [raff, le], primary=le)

    def organic_volume(self, pls_flows: np.ndarray) -> float:
        """Organic flow [m3/h]: given, or O/A times the PLS water volume."""
        if self.p["organic_flow"] is not None:
            return float(self.p["organic_flow"])
        return float(self.p["oa_ratio"] * (self.w_a @ pls_flows))

    def _parts(self, x: np.ndarray):
        S = len(self.species)
        A, y, pls = x[:S], x[S], x[S + 1:]
        if self.p["organic_flow"] is not None:
            Vo = self.p["organic_flow"]
        else:
            Vo = self.p["oa_ratio"] * (self.w_a @ pls)
        return A, y, Vo

    def _residual(self, D):
        p = dict(self.p, D=D)
        c = self.chem

        def func(x: np.ndarray):
            A, y, Vo = self._parts(x)
            r, s = equilibrium(p["isotherm"], p, c, y, A[c.metal], A[c.acid],
                               self.w_a @ A, Vo, self.c_HR * Vo)
            return np.atleast_1d(r), np.atleast_1d(s)
        return func

    def _jacobian(self, D):
        """The isotherm row's derivatives on (A, y, pls), analytic
        (:func:`~polyflow.units._sx_common.equilibrium_derivatives`, chain rule through
        the aqueous volume w_a·A and the organic flow)."""
        p = dict(self.p, D=D)
        c = self.chem
        S = len(self.species)
        oa = self.p["organic_flow"] is None

        def jac(x: np.ndarray):
            A, y, Vo = self._parts(x)
            d = equilibrium_derivatives(p["isotherm"], p, c, y, A[c.metal], A[c.acid],
                                        self.w_a @ A, Vo, self.c_HR * Vo)
            J = np.zeros((1, 2 * S + 1))
            J[0, :S] = d["Va"] * self.w_a
            J[0, c.metal] += d["M"]
            J[0, c.acid] += d["A"]
            J[0, S] = d["Y"]
            if oa:
                J[0, S + 1:] = (d["Vo"] + d["R"] * self.c_HR) * self.p["oa_ratio"] * self.w_a
            return J
        return jac

    #: start-up ratio of the metal in a stage's organic to that in its aqueous (kmol/h
    #: over kmol/h) for the hydroxyoxime isotherm: high in extraction and scrub, low in
    #: the strip, so that the start-up step already carries metal from the PLS to the
    #: electrolyte, and every stage starts with as much aqueous metal as the balance gives
    START_RATIO = {"E": 3.0, "W": 3.0, "S": 0.15}

    def _starter(self, section: str):
        """First iteration only: a linear split of the metal between the phases (the
        ratio of ``START_RATIO`` for the hydroxyoxime isotherm, whose Jacobian vanishes at
        the all-zero start; as much metal in the organic as in the aqueous phase for the
        constant and pH isotherms)."""
        ratio = self.START_RATIO[section] if self.p["isotherm"] == "hydroxyoxime" else 1.0

        def start(x: np.ndarray):
            A, y, _ = self._parts(x)
            c = self.chem
            t = ratio * c.a_metal * A[c.metal] / c.a_complex
            return np.atleast_1d(y - t), np.atleast_1d(abs(y) + abs(t))
        return start

    def _start_profile(self, x: np.ndarray) -> np.ndarray:
        """Start profile: the circuit's own equations solved for its inlets
        (:func:`polyflow.units._sx_start.circuit_start_profile`)."""
        return circuit_start_profile(self, x)

    # -- results --------------------------------------------------------------------
    def stage_profile(self, sol) -> list[dict[str, float]]:
        """Per stage: aqueous metal [g/L], organic metal [g/L], pH, in circuit order."""
        S = len(self.species)
        c = self.chem
        z = sol.internal.reshape(len(self.names), S + 2)
        Vo = self.organic_volume(sol.inlets["pls"][0][0])
        Mw = atomic_weight(c.element)
        out = []
        for k, name in enumerate(self.names):
            A = z[k, :S]
            Va = self.w_a @ A
            out.append({"stage": name,
                        "aqueous_metal_g_L": c.a_metal * A[c.metal] * Mw / Va,
                        "organic_metal_g_L": c.a_complex * z[k, S] * Mw / Vo,
                        "pH": ph(c, A[c.acid], Va)})
        return out

    def report(self, sol) -> dict[str, float]:
        prof = self.stage_profile(sol)
        c = self.chem
        E, W = self.p["extraction_stages"], self.p["scrub_stages"]
        pls = sol.inlets["pls"][0][0]
        Vpls = self.w_a @ pls
        Mw = atomic_weight(c.element)
        feed = c.a_metal * pls[c.metal] * Mw / Vpls if Vpls > 0 else float("nan")
        raff = prof[E - 1]
        return {
            "organic_flow": self.organic_volume(pls),
            "pls_metal": float(feed),
            "raffinate_metal": float(raff["aqueous_metal_g_L"]),
            "raffinate_pH": float(raff["pH"]),
            "loaded_organic": float(prof[0]["organic_metal_g_L"]),
            "stripped_organic": float(prof[-1]["organic_metal_g_L"]),
            "loaded_electrolyte": float(prof[E + W]["aqueous_metal_g_L"]),
            "extraction": float(100.0 * (1.0 - sol.outlets["raffinate"][0][c.metal]
                                             / pls[c.metal])) if pls[c.metal] > 0
            else float("nan"),
        }
