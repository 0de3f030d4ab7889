"""Carbon-in-pulp / carbon-in-leach: counter-current gold adsorption on activated carbon."""

from __future__ import annotations

import numpy as np

from polyflow.chem.elements import atomic_weight
from polyflow.solve.layout import Layout
from polyflow.solve.system import ROW_INTERNAL
from polyflow.units._gold_common import (
    ELSNER,
    first_order_cstr_series,
    read_float,
)
from polyflow.units._hydro_common import nu_vector, phase_masks, resolve_reaction, split_energy
from polyflow.units.base import Param, Reported, Unit
from polyflow.units.reactor import conversion_matrix

__all__ = ["CarbonAdsorption"]

AU_MW = atomic_weight("Au")     # g/mol, the tables' (IUPAC 2021, abridged)


class CarbonAdsorption(Unit):
    """A train of ``stages`` agitated adsorption tanks with activated carbon moving
    counter-current to the pulp (CIP; CIL when ``leach_k`` is given and the gold keeps
    leaching in the same tanks). The pulp (``pulp``) enters stage 1 and leaves stage N as
    ``tailings``; the carbon (``carbon``) enters stage N and leaves stage 1 as
    ``loaded_carbon``. In each stage the adsorption rate is the Fleming–Nicol form

    .. math::

        \\frac{dQ}{dt} = k\\,(C - Q/K)

    (Q gold on carbon, g/t; C gold in solution, mg/L; k rate constant, (g/t)/h per mg/L
    = m³ t⁻¹ h⁻¹; K equilibrium constant, (g/t)/(mg/L) = m³/t), and each stage is a
    CSTR for pulp and carbon alike, so with V the solution flow (m³/h), M the carbon flow
    (t/h), W = c τ Q_pulp the carbon inventory of a stage (t; c the carbon concentration,
    g/L of pulp; τ the pulp residence time per stage) and d_j the gold leached in stage j:

    .. math::

        V C_{j-1} + M Q_{j+1} + d_j = V C_j + M Q_j,\\qquad
        M (Q_j - Q_{j+1}) = W k (C_j - Q_j/K)

    With k → ∞ every stage is at equilibrium (Q_j = K C_j) and the train is the
    Kremser cascade: the fraction of the dissolved gold left in the barren solution is
    (A − 1)/(A^(N+1) − 1), A = K M / V, for gold-free carbon. In CIL mode the leach is
    the first-order-to-equilibrium law of ``cyanide_leach`` stage by stage,
    X_j = X∞ − (X∞ − X_(j−1))/(1 + k_L τ), from ``feed_extraction`` X_0.

    Choice of species: the tables have no species for gold adsorbed on carbon, so the
    gold on carbon is carried as ``NaAu(CN)2(aq)`` (``aurocyanide``) in the carbon
    stream (with the ``C(s)`` of the carbon); the carbon stream carries no solution
    otherwise. Everything else passes with the pulp. Gold and carbon are the
    unknowns of the 2N balance and rate rows (the rate row in product form, multiplied
    by V M K); the first Newton step uses a fixed split instead of the rate.

    Source: Nicol, Fleming & Cromberge, "The absorption of gold cyanide onto activated
    carbon. I/II", *J. S. Afr. Inst. Min. Metall.* 84 (1984) 50-54 and 70-78 (the
    k, K rate model and counter-current CIP stage design); Marsden & House, *The
    Chemistry of Gold Extraction*, 2nd ed., SME (2006), ch. 7 (§7.6 adsorption kinetics,
    CIP/CIL circuit design); Kremser cascade, Treybal, *Mass-Transfer Operations*,
    3rd ed. (1980), eq. 5.50.

    Example: one stage, V = 100 m³/h of solution at 2 mg/L, M = 0.1 t/h of fresh carbon,
    W = 2 t, k = 100, K = 5000: M Q = V (C0 − C) and M Q = W k (C − Q/K) give
    C = C0 V (1 + β)/(V (1 + β) + W k), β = W k/(M K) = 0.4: C = 0.8235 mg/L and
    Q = 1176.5 g/t.

    >>> from polyflow import Flowsheet
    >>> from polyflow.chem.elements import atomic_weight
    >>> from polyflow.units import Feed, Product
    >>> fs = Flowsheet(["H2O", "SiO2", "NaAu(CN)2", "C(s)"])
    >>> mw = fs.species.mw[fs.species.idx("NaAu(CN)2")]
    >>> au = 100 * 2.0 / atomic_weight("Au") * mw / 1000            # kg/h of NaAu(CN)2 at 2 mg/L Au
    >>> _ = fs.add(Feed("pulp", flows_kg_h={"H2O": 100000 - au, "NaAu(CN)2": au}))
    >>> _ = fs.add(Feed("fresh", flows={"C(s)": "0.1 t/h"}))
    >>> _ = fs.add(CarbonAdsorption("cip", stages=1, residence_time="1 h",
    ...                             carbon_concentration="20 g/L", k=100, K=5000))
    >>> _ = fs.add(Product("tails")); _ = fs.add(Product("loaded"))
    >>> fs.connect("p", "pulp", "cip.pulp"); fs.connect("c", "fresh", "cip.carbon")
    >>> fs.connect("t", "cip.tailings", "tails"); fs.connect("l", "cip.loaded_carbon", "loaded")
    >>> e = fs.solve().energy["cip"]
    >>> round(e["C_stage1_mg/L"], 4), round(e["loaded_carbon_Au_g/t"], 1)
    (0.8235, 1176.5)
    """

    model = "carbon_adsorption"
    inlets = ("pulp*", "carbon")
    outlets = ("tailings", "loaded_carbon")
    params = {
        "stages": Param.integer("number of adsorption tanks", default=6, bounds=(1, 30)),
        "residence_time": Param("time", "pulp residence time of the whole train",
                                required=True, bounds=(1e-3, 500.0)),
        "carbon_concentration": Param("concentration", "carbon held in each tank per "
                                      "volume of pulp (typically 10-25 g/L in CIP/CIL)",
                                      required=True, bounds=(0.1, 200.0)),
        "k": Param(None, "adsorption rate constant, (g/t)/h per mg/L (m3/(t h)); "
                         "typically 20-500", required=True, parse=read_float(1e-6, 1e12, "k")),
        "K": Param(None, "adsorption equilibrium constant, (g/t)/(mg/L) (m3/t); "
                         "typically 1e3-3e4", required=True, parse=read_float(1.0, 1e8, "K")),
        "aurocyanide": Param(None, "species of dissolved (and adsorbed) gold",
                             default="NaAu(CN)2(aq)"),
        "carbon_species": Param(None, "species of the activated carbon", default="C(s)"),
        "solids_density": Param("density", "density of the ore solids", default=2700.0,
                                bounds=(1000.0, 8000.0)),
        "solution_density": Param("density", "density of the solution", default=1000.0,
                                  bounds=(700.0, 2000.0)),
        "leach_k": Param("rate", "CIL: first-order leach rate constant in the tanks",
                         bounds=(1e-6, 100.0)),
        "extraction_limit": Param("fraction", "CIL: X∞, leachable fraction of the ore's "
                                  "gold", bounds=(0.0, 1.0)),
        "feed_extraction": Param("fraction", "CIL: X0, fraction of the ore's gold leached "
                                 "before the train", default=0.0, bounds=(0.0, 1.0)),
        "reaction": Param(None, "CIL: gold dissolution reaction", default=ELSNER),
        "key": Param(None, "CIL: the gold mineral", default="Au(s)"),
        "temperature": Param("temperature", "pulp temperature (isothermal)",
                             bounds=(273.15, 373.15)),
        "agitator_power": Param("power", "agitator power drawn per tank", default=0.0,
                                bounds=(0.0, 1e4)),
    }
    results = {
        "C_stage{k}": Reported("mg/L", "gold in solution leaving stage k"),
        "Q_stage{k}": Reported("g/t", "gold on the carbon of stage k"),
        "loaded_carbon_Au": Reported("g/t", "gold on the loaded carbon"),
        "barren_solution_Au": Reported("mg/L", "gold left in the barren solution"),
        "carbon": Reported("t/d", "carbon moved counter-current"),
        "extraction_factor_A": Reported("", "K M / V, the adsorption factor"),
        "carbon_inventory_per_tank": Reported("t", "carbon held in each tank"),
        "tank_volume": Reported("m3", "pulp volume of each tank"),
        "Au_extraction": Reported("%", "gold leached (CIL)"),
        "adsorption": Reported("%", "gold in solution adsorbed"),
    }

    def validate(self) -> None:
        cil = [self.p[k] is not None for k in ("leach_k", "extraction_limit")]
        if any(cil) and not all(cil):
            raise self.fail("CIL needs both 'leach_k' and 'extraction_limit'",
                            "extraction_limit" if cil[0] else "leach_k")
        if all(cil) and self.p["feed_extraction"] > self.p["extraction_limit"]:
            raise self.fail("feed_extraction cannot exceed extraction_limit",
                            "feed_extraction")

    @property
    def cil(self) -> bool:
        return self.p["leach_k"] is not None

    def extraction(self, j: int) -> float:
        """X_j, extraction of the ore's gold leaving stage j (CIL)."""
        N = self.p["stages"]
        return first_order_cstr_series(self.p["leach_k"], self.p["residence_time"] / N, j,
                                       self.p["feed_extraction"], self.p["extraction_limit"])

    def bind(self, species) -> None:
        self._species = species
        self.solids, self.gas, self.liquor = phase_masks(species)
        for f in ("aurocyanide", "carbon_species"):
            try:
                setattr(self, "_" + f, species.idx(self.p[f]))
            except Exception as err:
                raise self.fail(str(err), f) from None
        self.au = self._aurocyanide
        self.cs = self._carbon_species
        els = list(species.elements)
        self.au_per_mol = float(species.element_matrix[els.index("Au"), self.au]) \
            if "Au" in els else 1.0
        S = len(species)
        N = self.p["stages"]
        self.M = np.eye(S)
        self.d = np.zeros((N, S))      # gold dissolved in stage j per kmol of each inlet
        if self.cil:
            rx, key = resolve_reaction(self, self.p["reaction"], self.p["key"], 1, "reaction")
            nu = nu_vector(rx, species)
            x0 = self.p["feed_extraction"]
            frac = [(self.extraction(j) - x0) / (1.0 - x0) if x0 < 1 else 0.0
                    for j in range(N + 1)]
            self.M = conversion_matrix([rx], [key], [frac[N]], species)
            for j in range(N):
                self.d[j, key] = nu[self.au] / abs(nu[key]) * (frac[j + 1] - frac[j])
        mw = species.mw
        self.wl = np.where(self.liquor, mw / self.p["solution_density"], 0.0)     # m3/kmol
        self.wq = self.wl + np.where(self.solids, mw / self.p["solids_density"], 0.0)
        self.wc = np.zeros(S)
        self.wc[self.cs] = mw[self.cs] / 1000.0                                  # t/kmol

    def equations(self, eq) -> None:
        S = eq.S
        N = self.p["stages"]
        au = self.au
        tail, loaded = eq.outlets["tailings"], eq.outlets["loaded_carbon"]
        pulp = [eq.flows(s) for s in eq.inlets["pulp"]]
        carb = eq.flows(eq.inlets["carbon"][0])
        T_cols, L_cols = eq.flows(tail), eq.flows(loaded)
        # gold in solution leaving stage j (a_j) and on carbon leaving stage j (b_j)
        a_int = eq.internal([f"Au_solution_stage{j}" for j in range(1, N)], [0.0] * (N - 1),
                            lower=0.0)
        b_int = eq.internal([f"Au_carbon_stage{j}" for j in range(2, N + 1)],
                            [0.0] * (N - 1), lower=0.0)
        a = [*a_int, T_cols[au]]
        b = [L_cols[au], *b_int]
        # other species: tailings = M Σ pulp (pulp species, leach applied);
        # loaded carbon = carbon inlet; the aurocyanide rows are the stage balances
        others = np.array([i for i in range(S) if i != au])
        for dst, srcs, mat in ((T_cols, pulp, self.M), (L_cols, [carb], np.eye(S))):
            rl, cl, vl = [np.arange(len(others))], [dst[others]], [np.ones(len(others))]
            sub = mat[others, :]
            ii, jj = np.nonzero(sub)
            for src in srcs:
                rl.append(ii)
                cl.append(src[jj])
                vl.append(-sub[ii, jj])
            eq.linear_rows(len(others), tail if dst is T_cols else loaded, others,
                           np.concatenate(rl), np.concatenate(cl), np.concatenate(vl))
        # gold balance of stage j: a_{j-1} + b_{j+1} + d_j − a_j − b_j = 0
        for j in range(N):
            rl, cl, vl = [[0, 0]], [[a[j], b[j]]], [[-1.0, -1.0]]
            if j == 0:
                for src in pulp:
                    rl.append([0])
                    cl.append([src[au]])
                    vl.append([1.0])
            else:
                rl.append([0])
                cl.append([a[j - 1]])
                vl.append([1.0])
            if j == N - 1:
                rl.append([0])
                cl.append([carb[au]])
                vl.append([1.0])
            else:
                rl.append([0])
                cl.append([b[j + 1]])
                vl.append([1.0])
            nz = np.nonzero(self.d[j])[0]
            for src in pulp:
                rl.append(np.zeros(len(nz), int))
                cl.append(src[nz])
                vl.append(self.d[j][nz])
            stream = tail if j == N - 1 else loaded if j == 0 else tail
            var = au if j in (0, N - 1) else ROW_INTERNAL
            eq.linear_rows(1, stream, var, np.concatenate(rl).astype(int),
                           np.concatenate(cl).astype(int), np.concatenate(vl))
        self._rate_rows(eq, a, b, pulp, carb, tail)
        # agitation power ends as heat in the pulp
        split_energy(eq, [tail, loaded], duty_kW=self.power_kW(None),
                     temperature=self.p["temperature"], reactive=True)

    def _rate_rows(self, eq, a, b, pulp, carb, tail) -> None:
        S = eq.S
        N = self.p["stages"]
        au = self.au
        np_ = len(pulp)
        # the block's local columns, by name: gold in solution (a) and on carbon (b)
        # leaving each stage, every pulp inlet's species flows, the carbon inlet's
        lay = Layout()
        lay.add("a", N)
        lay.add("b", N)
        lay.add("pulp", (np_, S))
        lay.add("carbon", S)
        cols = lay.gather({"a": a, "b": b, "pulp": pulp, "carbon": carb}).astype(int)
        a_, b_, pulp_, carbon_ = (lay.slice(k) for k in ("a", "b", "pulp", "carbon"))
        K = self.p["K"]
        kct = self.p["k"] * self.p["carbon_concentration"] / 1000.0 * \
            self.p["residence_time"] / N                 # k c τ: (m3/(t h)) (t/m3) h
        wl, wq, wc = self.wl, self.wq, self.wc
        d = self.d

        def parts(x):
            P = x[pulp_].reshape(np_, S).sum(axis=0)
            Cn = x[carbon_]
            av, bv = x[a_], x[b_]
            bn = np.append(bv[1:], Cn[au])               # b_{j+1}
            return P, Cn, av, bv, bn

        def on_pulp(J, rows_values):
            """Each pulp inlet enters through its sum: the same derivative block."""
            J[:, pulp_] = np.tile(rows_values, (1, np_))

        def func(x):
            P, Cn, av, bv, bn = parts(x)
            V, Q, M = wl @ P, wq @ P, wc @ Cn
            t1 = K * V * M * (bv - bn)
            t2 = kct * Q * K * M * av
            t3 = kct * Q * V * bv
            return t1 - t2 + t3, np.abs(K * V * M * bv) + np.abs(K * V * M * bn) + \
                np.abs(t2) + np.abs(t3)

        def jac(x):
            P, Cn, av, bv, bn = parts(x)
            V, Q, M = wl @ P, wq @ P, wc @ Cn
            J = np.zeros((N, len(cols)))
            r = np.arange(N)
            ja, jb = J[:, a_], J[:, b_]                  # views into J
            ja[r, r] = -kct * Q * K * M
            jb[r, r] = K * V * M + kct * Q * V
            jb[r[:-1], r[:-1] + 1] = -K * V * M
            on_pulp(J, (K * M * (bv - bn))[:, None] * wl[None, :]
                    - (kct * (K * M * av - V * bv))[:, None] * wq[None, :]
                    + (kct * Q * bv)[:, None] * wl[None, :])
            jc = J[:, carbon_]
            jc[:] = (K * V * (bv - bn))[:, None] * wc[None, :] \
                - (kct * Q * K * av)[:, None] * wc[None, :]
            jc[N - 1, au] += -K * V * M
            return J

        # first iteration: a_j = 0.2 (a_{j-1} + b_{j+1} + d_j), a fixed split
        def func0(x):
            P, _, av, _, bn = parts(x)
            a_prev = np.append(P[au], av[:-1])
            inflow = a_prev + bn + d @ P
            return av - 0.2 * inflow, np.abs(av) + 0.2 * np.abs(inflow) + 1e-30

        def jac0(x):
            J = np.zeros((N, len(cols)))
            r = np.arange(N)
            ja, jb = J[:, a_], J[:, b_]
            ja[r, r] = 1.0
            ja[r[1:], r[:-1]] = -0.2
            jb[r[:-1], r[:-1] + 1] = -0.2
            J[N - 1, carbon_.start + au] = -0.2
            dP = -0.2 * d
            dP[0, au] += -0.2
            on_pulp(J, dP)
            return J

        eq.nonlinear(cols, N, func, jac, stream=tail, var=ROW_INTERNAL,
                     labels=[f"adsorption rate in stage {j + 1}" for j in range(N)],
                     start=(func0, jac0))

    # -- results ---------------------------------------------------------------------
    def profile(self, sol) -> tuple[np.ndarray, np.ndarray, float, float]:
        """(C_j mg/L, Q_j g/t, V m3/h, M t/h) of every stage."""
        N = self.p["stages"]
        P = sum(n for n, _ in sol.inlets["pulp"])
        Cn = sol.inlets["carbon"][0][0]
        V, M = float(self.wl @ P), float(self.wc @ Cn)
        z = sol.internal
        a = np.append(z[:N - 1], sol.outlets["tailings"][0][self.au])
        b = np.append(sol.outlets["loaded_carbon"][0][self.au], z[N - 1:2 * N - 2])
        g = AU_MW * 1000.0 * self.au_per_mol
        C = a * g / V if V > 0 else np.zeros(N)
        Q = b * g / M if M > 0 else np.zeros(N)
        return C, Q, V, M

    def report(self, sol) -> dict[str, float]:
        C, Q, V, M = self.profile(sol)
        N = self.p["stages"]
        out: dict[str, float] = {}
        for j in range(N):
            out[f"C_stage{j + 1}"] = float(C[j])
            out[f"Q_stage{j + 1}"] = float(Q[j])
        out["loaded_carbon_Au"] = float(Q[0])
        out["barren_solution_Au"] = float(C[-1])
        out["carbon"] = M * 24.0
        out["extraction_factor_A"] = self.p["K"] * M / V if V > 0 else 0.0
        P = sum(n for n, _ in sol.inlets["pulp"])
        Q_pulp = float(self.wq @ P)
        out["carbon_inventory_per_tank"] = self.p["carbon_concentration"] / 1000.0 * \
            self.p["residence_time"] / N * Q_pulp
        out["tank_volume"] = Q_pulp * self.p["residence_time"] / N
        au_in = float(sum(n[self.au] for n, _ in sol.inlets["pulp"]))
        if self.cil:
            out["Au_extraction"] = 100.0 * self.extraction(N)
            au_in += float(self.d.sum(axis=0) @ P)
        if au_in > 0:
            out["adsorption"] = 100.0 * (1.0 - float(sol.outlets["tailings"][0][self.au])
                                           / au_in)
        return out

    def power_kW(self, sol) -> float:
        return float(self.p["agitator_power"]) * self.p["stages"]
