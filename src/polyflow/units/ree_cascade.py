"""Rare-earth solvent-extraction cascade: extraction, scrubbing and stripping sections."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from polyflow.errors import InputError
from polyflow.quantity import parse_quantity
from polyflow.solve.system import SPECIES_FLOOR
from polyflow.units._ree_profile import acid_loading_profile, loaded_profile, start_profile
from polyflow.units.base import Param, Unit

#: guard of the logarithms of the acid and volume flows (pH model)
TINY = 1e-300
#: bound of the exponent of D = K·exp(n·u − m·v) in the equilibrium rows
EXP_CLIP = 300.0

__all__ = ["EQUILIBRIA", "REECascade", "complex_id"]

#: equilibrium models: constant separation factors near loading capacity, pH-dependent
#: distribution, constant distribution ratios
EQUILIBRIA = ("separation_factor", "pH", "distribution")
#: the P507 (HEHEHP) monomer HA of the species tables
EXTRACTANT = "C16H35O3P(org)"


def complex_id(element: str) -> str:
    """Species id of the P507 complex LnA3 of ``element`` (``La(C16H34O3P)3(org)``)."""
    return f"{element}(C16H34O3P)3(org)"


def _elements(value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise InputError("expected a list of element symbols such as ['La', 'Ce', 'Pr', 'Nd']",
                         value=value)
    out = [str(v).strip() for v in value]
    if len(set(out)) != len(out):
        raise InputError("an element is listed twice", value=value)
    return out


def _number_table(what: str, positive: bool = True):
    """``{element: number}``; one key ``all`` applies to every element."""
    def parse(value: object) -> dict[str, float]:
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            value = {"all": value}
        if not isinstance(value, Mapping):
            raise InputError(f"expected a table of {what} by element such as "
                             f"{{La = 1.0, Ce = 4.5}}", value=value)
        out = {}
        for k, v in value.items():
            try:
                x = parse_quantity(v, "ratio")
            except InputError as err:
                raise InputError(f"{what} of {k!r}: {err.message}", hint=err.hint) from None
            if not math.isfinite(x) or (positive and x <= 0):
                raise InputError(f"{what} of {k!r} must be a {'positive ' if positive else ''}"
                                 "number", value=v)
            out[str(k)] = x
        return out
    return parse


class REECascade(Unit):
    """Counter-current rare-earth solvent-extraction cascade (P507 or any cation-exchange
    extractant forming LnA3): extraction, scrubbing and stripping sections of equilibrium
    stages, all elements solved together in one sparse nonlinear block.

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
    LnCl3 + 3 HA(org) → LnA3(org) + 3 HCl. For stage j and element i, with a and o the
    aqueous and organic flows leaving the stage [kmol/h], h the acid, W and V the aqueous
    and organic volume flows [m3/h]:

    .. math::

        a_{ij} + o_{ij} = a_{i,j+1} + o_{i,j-1} + \\text{inlets}_{ij}
        \\qquad\\text{(linear: every element balanced)}

        h_j = h_{j+1} + 3\\sum_i (o_{ij} - o_{i,j-1}) + \\text{acid}_{j}, \\qquad
        F_j = T_A - \\nu \\sum_i o_{ij} \\quad\\text{(free extractant)}

        \\big(o_{ij} - (1-\\eta)\\,o_{i,j-1}\\big)\\,W\\,c_{H,j}^{m_i}\\,T_A^{n_i}
        = \\eta\\,K_{ij}\\,a_{ij}\\,V\\,F_j^{n_i}
        \\qquad(D_{ij} = K_{ij}\\,c_{H,j}^{-m_i}\\,(F_j/T_A)^{n_i})

    with η the Murphree efficiency (organic phase), T_A the total extractant [kmol/h]
    and ν = ``extractant_per_metal`` (6 for Ln(HA2)3). The ``equilibrium`` models:

    * ``separation_factor``: K_i = κ·β_i, m = 0, n = 1: constant separation factors β
      (``separation_factors``), the organic composition y_i ∝ β_i x_i, and a total
      loading that approaches the capacity T_A/ν (κ = ``reference_distribution``, the
      D of the β = 1 element on barren organic; large κ = near capacity). The strip
      section uses ``strip_distribution``.
    * ``pH``: log D_i = m_i pH + b_i + n log(F/T_A) (``pH_slope``, ``pH_intercept``,
      ``extractant_order``), pH = −log c_H, c_H = h/W [mol/L]; 3 H+ released per REE3+
      extracted, so pH is solved stage by stage (stripping follows from the acid).
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
    params = {
        "elements": Param(None, "rare-earth elements separated, e.g. ['La', 'Ce', 'Pr', 'Nd']",
                          required=True, parse=_elements),
        "extraction_stages": Param.integer("number of extraction stages n", required=True,
                                           bounds=(1, None)),
        "scrub_stages": Param.integer("number of scrubbing stages m (0: no scrub inlet)",
                                      default=0, bounds=(0, None)),
        "strip_stages": Param.integer("number of stripping stages k", default=1,
                                      bounds=(1, None)),
        "feed_stage": Param.integer("stage the aqueous feed enters, counted from the "
                                    "organic inlet (default: the last extraction stage n)",
                                    bounds=(1, None)),
        "equilibrium": Param.choice("separation_factor, pH or distribution", EQUILIBRIA,
                                    default="separation_factor"),
        "separation_factors": Param(None, "element -> β relative to a reference element "
                                          "(separation_factor model)",
                                    parse=_number_table("separation factor")),
        "reference_distribution": Param("ratio", "κ: D of the β = 1 element on barren "
                                                 "organic (separation_factor model)",
                                        default=20.0, bounds=(1e-6, 1e9)),
        "distribution": Param(None, "element -> D (distribution model)",
                              parse=_number_table("distribution ratio")),
        "strip_distribution": Param(None, "element (or all) -> D in the strip section "
                                          "(separation_factor and distribution models)",
                                    default={"all": 0.01},
                                    parse=_number_table("strip distribution ratio")),
        "pH_slope": Param(None, "element (or all) -> m in log D = m pH + b (pH model)",
                          default={"all": 3.0},
                          parse=_number_table("pH slope", positive=False)),
        "pH_intercept": Param(None, "element -> b in log D = m pH + b (pH model)",
                              parse=_number_table("pH intercept", positive=False)),
        "extractant_order": Param("ratio", "n in D ∝ (free/total extractant)^n (pH model)",
                                  default=0.0, bounds=(0.0, 6.0)),
        "extractant_per_metal": Param("ratio", "ν: extractant molecules bound per REE3+ "
                                               "at capacity (6 for Ln(HA2)3)",
                                      default=6.0, bounds=(3.0, 12.0)),
        "efficiency": Param("fraction", "Murphree stage efficiency (organic phase)",
                            default=1.0, bounds=(0.05, 1.0)),
        "aqueous_density": Param("density", "aqueous density, for phase volumes",
                                 default=1000.0, bounds=(500.0, 3000.0)),
        "organic_density": Param("density", "organic density, for phase volumes",
                                 default=800.0, bounds=(500.0, 1500.0)),
        "temperature": Param("temperature", "outlet temperature (default: adiabatic)",
                             bounds=(250.0, 400.0)),
    }

    # -- set-up ----------------------------------------------------------------------
    def validate(self) -> None:
        p = self.p
        n, m = p["extraction_stages"], p["scrub_stages"]
        if p["feed_stage"] is None:
            p["feed_stage"] = n
        if p["feed_stage"] > n + m:
            raise self.fail(f"feed_stage {p['feed_stage']} is beyond the scrub section "
                            f"(stages 1 to {n + m})", "feed_stage",
                            hint="the feed enters an extraction or scrub stage")
        need = {"separation_factor": "separation_factors", "pH": "pH_intercept",
                "distribution": "distribution"}[p["equilibrium"]]
        if not p[need]:
            raise self.fail(f"the {p['equilibrium']} model needs {need!r} for every element",
                            need)
        els = p["elements"]
        for key in ("separation_factors", "distribution", "strip_distribution", "pH_slope",
                    "pH_intercept"):
            table = p[key] or {}
            extra = sorted(set(table) - {*els, "all"})
            if extra:
                raise self.fail(f"{key} names {extra[0]!r}, which is not in elements "
                                f"{els}", key)
        for key in (need, "strip_distribution", "pH_slope"):
            table = p[key]
            if "all" not in table and set(els) - set(table):
                raise self.fail(f"{key} needs a value for {sorted(set(els) - set(table))[0]!r}",
                                key, hint="give every element, or 'all'")

    def inlet_ports(self) -> tuple[str, ...]:
        if self.p["scrub_stages"] == 0:
            return ("feed", "strip", "organic")
        return self.inlets

    def _per_element(self, key: str) -> np.ndarray:
        t = self.p[key]
        return np.array([t.get(e, t.get("all", np.nan)) for e in self.p["elements"]])

    def bind(self, species) -> None:
        els = self.p["elements"]
        db = species.database
        aq, org, form = [], [], set()
        for e in els:
            found = [sid for sid in (f"{e}Cl3(aq)", f"{e}+3(aq)") if sid in species]
            if not found:
                known = f"{e}Cl3(aq)" in db
                raise self.fail(f"element {e!r}: neither {e}Cl3(aq) nor {e}+3(aq) is in the "
                                "flowsheet's species", "elements",
                                hint=f"add '{e}Cl3' to [flowsheet] species" if known else
                                "the species tables have no aqueous chloride of it")
            if len(found) == 2:
                raise self.fail(f"element {e!r}: both {found[0]} and {found[1]} are in the "
                                "species list; the cascade needs one aqueous form",
                                "elements", hint="write the feed as the chloride only")
            aq.append(species.idx(found[0]))
            form.add("chloride" if "Cl3" in found[0] else "ion")
            cid = complex_id(e)
            if cid not in db:
                raise self.fail(f"element {e!r}: the species tables have no P507 complex "
                                f"{cid}", "elements",
                                hint="separate the rare earths La-Lu and Y; report the "
                                     "missing complex as a species-data issue")
            if cid not in species:
                raise self.fail(f"element {e!r}: add its P507 complex "
                                f"'{db[cid].aliases[0] if db[cid].aliases else cid}' to "
                                "[flowsheet] species", "elements")
            org.append(species.idx(cid))
        if len(form) > 1:
            raise self.fail("mixed aqueous forms: give every element as its chloride "
                            "(LaCl3) or every one as its ion (La+3)", "elements")
        acid = "HCl(aq)" if form == {"chloride"} else "H+(aq)"
        for sid, what in ((acid, "the acid"), (EXTRACTANT, "the extractant P507")):
            if sid not in species:
                raise self.fail(f"add {sid} ({what}) to [flowsheet] species", "elements")
        self.aq = np.array(aq)
        self.org = np.array(org)
        self.acid = species.idx(acid)
        self.ha = species.idx(EXTRACTANT)
        self.species = species
        # equilibrium constants per element: extraction section and strip section
        model = self.p["equilibrium"]
        E = len(els)
        self.m_ext = np.zeros(E)
        self.n_ext = np.zeros(E)
        if model == "separation_factor":
            self.K_ext = self.p["reference_distribution"] * self._per_element(
                "separation_factors")
            self.n_ext[:] = 1.0
        elif model == "distribution":
            self.K_ext = self._per_element("distribution")
        else:
            self.m_ext = self._per_element("pH_slope")
            self.K_ext = 10.0 ** self._per_element("pH_intercept")
            self.n_ext[:] = self.p["extractant_order"]
        if model == "pH":
            self.K_str, self.m_str, self.n_str = self.K_ext, self.m_ext, self.n_ext
        else:
            self.K_str, self.m_str, self.n_str = (self._per_element("strip_distribution"),
                                                  np.zeros(E), np.zeros(E))
        self._start_values()

    # -- layout ------------------------------------------------------------------------
    @property
    def n_stages(self) -> int:
        return self.p["extraction_stages"] + self.p["scrub_stages"] + self.p["strip_stages"]

    def _layout(self):
        N, E = self.n_stages, len(self.p["elements"])
        ns = self.p["extraction_stages"] + self.p["scrub_stages"]   # loaded-organic stage
        return N, E, ns

    # -- equations ---------------------------------------------------------------------
    def equations(self, eq) -> None:
        N, E, ns = self._layout()
        S = eq.S
        p = self.p
        f = p["feed_stage"] - 1
        feeds = eq.inlets["feed"]
        scrubs = eq.inlets.get("scrub", [])
        strips = eq.inlets["strip"]
        orgs = eq.inlets["organic"]
        els = p["elements"]
        names = [f"{q}[{j + 1},{e}]" for q in ("aq", "org") for j in range(N) for e in els]
        names += [f"acid[{j + 1}]" for j in range(N)] + [f"free_extractant[{j + 1}]"
                                                         for j in range(N)]
        names += ["V_aq_extraction", "V_aq_scrub", "V_aq_strip", "V_org", "extractant_total"]
        use_u, use_v = self._log_variables()
        names += [f"ln_free_fraction[{j + 1}]" for j in range(N)] if use_u else []
        names += [f"ln_acid_molarity[{j + 1}]" for j in range(N)] if use_v else []
        guess = [0.0] * (2 * N * E + 2 * N + 5) + [self.u0] * (N * use_u) + [self.v0] * (N * use_v)
        # the pH model reads ln(h/W): its stage acid is kept ≥ 0 by Newton (fraction to
        # the boundary); elsewhere the acid is free, so that a shortfall shows as such
        lower = [None] * (2 * N * E) + [0.0 if use_v else None] * N
        lower += [None] * (len(names) - len(lower))
        # ln(free-extractant fraction) ≤ 0
        n_plain = 2 * N * E + 2 * N + 5
        upper = [None] * n_plain + [0.0] * (N * use_u) + [None] * (N * use_v)
        z = eq.internal(names, guess, lower=lower, upper=upper)
        ia = z[:N * E].reshape(N, E)
        io = z[N * E:2 * N * E].reshape(N, E)
        ih = z[2 * N * E:2 * N * E + N]
        iF = z[2 * N * E + N:2 * N * E + 2 * N]
        iWfs, iWs, iWt, iV, iT = z[2 * N * E + 2 * N:2 * N * E + 2 * N + 5]
        iu = z[2 * N * E + 2 * N + 5:2 * N * E + 2 * N + 5 + N * use_u]
        iv = z[2 * N * E + 2 * N + 5 + N * use_u:]
        inlet_at = [(s, f) for s in feeds] + [(s, ns - 1) for s in scrubs] + \
                   [(s, N - 1) for s in strips]
        org_in_LnA3 = [eq.flows(s)[self.org] for s in orgs]          # E cols each
        same_train = np.ones(N, bool)            # aqueous from j+1 reaches j
        same_train[ns - 1] = False
        same_train[N - 1] = False

        # stage balances of every element: E×N rows ---------------------------------
        R, C, V = [], [], []
        rows = np.arange(N * E).reshape(N, E)
        R += [rows.ravel(), rows.ravel()]
        C += [ia.ravel(), io.ravel()]
        V += [np.ones(N * E), np.ones(N * E)]
        jj = np.nonzero(same_train)[0]
        R.append(rows[jj].ravel())
        C.append(ia[jj + 1].ravel())
        V.append(-np.ones(len(jj) * E))
        R.append(rows[1:].ravel())
        C.append(io[:-1].ravel())
        V.append(-np.ones((N - 1) * E))
        for cols in org_in_LnA3:
            R.append(rows[0])
            C.append(cols)
            V.append(-np.ones(E))
        for s, j in inlet_at:
            R.append(rows[j])
            C.append(eq.flows(s)[self.aq])
            V.append(-np.ones(E))
        # labelled as species rows of the raffinate, so that an element's trace amounts
        # are judged against that element's flows (the core's species floor)
        raf = eq.outlets["raffinate"]
        eq.linear_rows(N * E, raf, np.tile(self.aq, N), np.concatenate(R),
                       np.concatenate(C), np.concatenate(V))

        # acid balance: N rows --------------------------------------------------------
        r = np.arange(N)
        R = [r, r[jj], np.repeat(r, E), np.repeat(r[1:], E)]
        C = [ih, ih[jj + 1], io.ravel(), io[:-1].ravel()]
        V = [np.ones(N), -np.ones(len(jj)), np.full(N * E, -3.0), np.full((N - 1) * E, 3.0)]
        for cols in org_in_LnA3:
            R.append(np.zeros(E, int))
            C.append(cols)
            V.append(np.full(E, 3.0))
        for s, j in inlet_at:
            R.append(np.array([j]))
            C.append(np.array([eq.flows(s)[self.acid]]))
            V.append(np.array([-1.0]))
        eq.linear_rows(N, raf, self.acid, np.concatenate(R), np.concatenate(C),
                       np.concatenate(V))

        # free extractant: F_j = T_A − ν Σ_i o_ij: N rows ----------------------------
        nu = p["extractant_per_metal"]
        eq.linear_rows(N, eq.outlets["organic"], self.ha,
                       np.concatenate([r, r, np.repeat(r, E)]),
                       np.concatenate([iF, np.full(N, iT), io.ravel()]),
                       np.concatenate([np.ones(N), -np.ones(N), np.full(N * E, nu)]))

        # phase volumes and total extractant: 5 rows ---------------------------------
        sp = eq.species
        vaq = sp.mw * sp.mask("aq") / p["aqueous_density"]
        vorg = sp.mw * sp.mask("org") / p["organic_density"]
        R, C, V = [np.arange(5)], [np.array([iWfs, iWs, iWt, iV, iT])], [np.ones(5)]
        for row, streams, w in ((0, feeds + scrubs, vaq), (1, scrubs, vaq), (2, strips, vaq),
                                (3, orgs, vorg)):
            for s in streams:
                nz = np.nonzero(w)[0]
                R.append(np.full(len(nz), row))
                C.append(eq.flows(s)[nz])
                V.append(-w[nz])
        for s in orgs:
            R.append(np.full(E + 1, 4))
            C.append(np.append(eq.flows(s)[self.org], eq.flows(s)[self.ha]))
            V.append(np.append(np.full(E, -3.0), -1.0))
        eq.linear_rows(5, -1, -2, np.concatenate(R), np.concatenate(C), np.concatenate(V))

        # equilibrium: one nonlinear block of E×N rows -------------------------------
        self._equilibrium_block(eq, ia, io, ih, iF, (iWfs, iWs, iWt, iV, iT), iu, iv,
                                org_in_LnA3, f)
        if not len(iu):
            self._initialiser(eq, inlet_at, org_in_LnA3, (iWfs, iWs, iWt, iV, iT), iv,
                              np.concatenate([ia.ravel(), io.ravel(), ih, iF, iv]))
        elif p["equilibrium"] == "separation_factor":
            self._initialiser(eq, inlet_at, org_in_LnA3, (iWfs, iWs, iWt, iV, iT), iv,
                              np.concatenate([ia.ravel(), io.ravel(), ih, iF, iu]),
                              loaded=True)
        else:       # pH model with an extractant order: loading and acidity unknown
            self._initialiser(eq, inlet_at, org_in_LnA3, (iWfs, iWs, iWt, iV, iT), iv,
                              np.concatenate([ia.ravel(), io.ravel(), ih, iF, iu, iv]),
                              loaded=True)

        # outlets ------------------------------------------------------------------------
        active_aq = np.zeros(S, bool)
        active_aq[self.aq] = True
        active_aq[self.acid] = True
        active_org = np.zeros(S, bool)
        active_org[self.org] = True
        active_org[self.ha] = True
        self._outlet(eq, eq.outlets["raffinate"], feeds + scrubs, ~active_aq,
                     [(self.aq, ia[0]), ([self.acid], [ih[0]])])
        self._outlet(eq, eq.outlets["strip_liquor"], strips, ~active_aq,
                     [(self.aq, ia[ns]), ([self.acid], [ih[ns]])])
        out = eq.outlets["organic"]
        self._outlet(eq, out, orgs, ~active_org, [(self.org, io[N - 1])],
                     extractant=(iT, io[N - 1]))
        outs = [eq.outlets[k] for k in self.outlets]
        if p["temperature"] is not None:
            for s in outs:
                eq.temperature_fixed(s, p["temperature"])
        else:
            eq.energy_balance(eq.all_inlets, outs, primary=outs[0])
            for s in outs[1:]:
                eq.temperature_equal(s, outs[0])

    def _outlet(self, eq, dst: int, sources: list[int], passing: np.ndarray,
                taken: list, extractant=None) -> None:
        """Rows ``n_dst,i = Σ_src n_src,i`` for passing species and ``n_dst,i = z`` for
        the species the stages determine; the extractant from its balance."""
        S = eq.S
        dcols = eq.flows(dst)
        R, C, V = [np.arange(S)], [dcols], [np.ones(S)]
        pas = np.nonzero(passing)[0]
        for s in sources:
            R.append(pas)
            C.append(eq.flows(s)[pas])
            V.append(-np.ones(len(pas)))
        for sp_idx, cols in taken:
            R.append(np.asarray(sp_idx))
            C.append(np.asarray(cols))
            V.append(-np.ones(len(cols)))
        if extractant is not None:   # HA out = T_A − 3 Σ_i o_iN
            iT, oN = extractant
            R.append(np.full(len(oN) + 1, self.ha))
            C.append(np.append(oN, iT))
            V.append(np.append(np.full(len(oN), 3.0), -1.0))
        eq.linear_rows(S, dst, np.arange(S), np.concatenate(R), np.concatenate(C),
                       np.concatenate(V))

    def _log_variables(self) -> tuple[bool, bool]:
        """Whether the equilibrium needs ln(F/T_A) (loading) and ln(c_H) (acidity)."""
        model = self.p["equilibrium"]
        use_u = model == "separation_factor" or (model == "pH"
                                                 and self.p["extractant_order"] > 0)
        return use_u, model == "pH"

    def _equilibrium_block(self, eq, ia, io, ih, iF, vol, iu, iv, org_in_LnA3, f) -> None:
        """The nonlinear block, written in ln(free-extractant fraction) u_j and ln(acid
        molarity) v_j so that every distribution ratio D = K·exp(n·u − m·v) stays positive
        whatever the Newton iterate:

        * E×N rows  (o_ij − (1−η) o_i,j−1)·W_j − η·K_ij·a_ij·V·exp(n_ij u_j − m_ij v_j) = 0
        * N rows    F_j − T_A·exp(u_j) = 0      (when the loading enters the equilibrium)
        * N rows    v_j − ln(h_j/W_j) = 0       (pH model; h_j ≥ 0 kept by Newton)

        The acidity row is written for v from the logarithm of the acid, not as
        h = W·exp(v): Newton's step on exp(v) overshoots by orders of magnitude when the
        acid of a stage changes much (the strip section), and that stalled the pH model
        from the default start; on ln(h/W) the step is the relative change of the acid.
        """
        N, E, ns = self._layout()
        iWfs, iWs, iWt, iV, iT = vol
        eta = self.p["efficiency"]
        use_u, use_v = len(iu) > 0, len(iv) > 0
        ne = N * E
        has_prev_inlet = len(org_in_LnA3) == 1
        # local columns: a | o | h | F | Wfs Ws Wt V T | u | v | LnA3 of the organic inlet
        cols = np.concatenate([ia.ravel(), io.ravel(), ih, iF, [iWfs, iWs, iWt, iV, iT], iu, iv,
                               org_in_LnA3[0] if has_prev_inlet else []]).astype(int)
        base = 2 * ne + 2 * N
        ub = base + 5
        vb = ub + len(iu)
        pb = vb + len(iv)
        stage = np.arange(N)
        j = np.repeat(stage, E)
        e = np.tile(np.arange(E), N)
        r = np.arange(ne)
        la, lo = r, ne + r
        wsel = np.where(stage <= f, 0, np.where(stage < ns, 1, 2))
        lW_stage = base + wsel
        lW = lW_stage[j]
        lV = np.full(ne, base + 3)
        first = j == 0
        lprev = np.where(first, pb + e if has_prev_inlet else lo, ne + r - E)
        strip = j >= ns
        K = np.where(strip, self.K_str[e], self.K_ext[e])
        m = np.where(strip, self.m_str[e], self.m_ext[e])
        n = np.where(strip, self.n_str[e], self.n_ext[e])
        keep_prev = (1.0 - eta) * ((~first) | has_prev_inlet)
        lu = ub + j if use_u else lo      # placeholder column when unused (value 0)
        lv = vb + j if use_v else lo
        # pattern: equilibrium rows (o, o_prev, a, W, V, u, v), then the u and v rows
        ri = [np.tile(r, 7)]
        ci = [np.concatenate([lo, lprev, la, lW, lV, lu, lv])]
        row = ne
        if use_u:
            ru = row + stage
            ri.append(np.tile(ru, 3))
            ci.append(np.concatenate([2 * ne + N + stage, np.full(N, base + 4), ub + stage]))
            row += N
        if use_v:
            rv = row + stage
            ri.append(np.tile(rv, 3))
            ci.append(np.concatenate([2 * ne + stage, lW_stage, vb + stage]))
            row += N
        n_rows = row
        pattern = (np.concatenate(ri), np.concatenate(ci))
        nu_ = n if use_u else np.zeros(ne)
        mu_ = m if use_v else np.zeros(ne)

        def expo(x):
            arg = np.zeros(ne)
            if use_u:
                arg = arg + nu_ * x[ub + j]
            if use_v:
                arg = arg - mu_ * x[vb + j]
            # ±300: D = K·e^arg and its products with flows and volumes stay finite (at
            # ±700 a far iterate overflowed the equilibrium rows to inf and NaN)
            return np.exp(np.clip(arg, -EXP_CLIP, EXP_CLIP))

        def func(x):
            X = expo(x)
            P = x[lo] - keep_prev * x[lprev]
            H = eta * K * x[la] * x[lV] * X
            res = [P * x[lW] - H]
            sc = (np.abs(x[lo]) + np.abs(keep_prev * x[lprev])) * np.abs(x[lW]) + np.abs(H)
            # trace amounts are judged against 1e-3 of the element's largest term (as the
            # core judges species rows), not against their own round-off
            floor = SPECIES_FLOOR * sc.reshape(N, E).max(axis=0)
            scale = [np.maximum(sc, floor[e])]
            if use_u:
                t = x[base + 4] * np.exp(np.clip(x[ub + stage], -700.0, 700.0))
                res.append(x[2 * ne + N + stage] - t)
                scale.append(np.abs(x[2 * ne + N + stage]) + np.abs(t))
            if use_v:
                lc = np.log(np.maximum(x[2 * ne + stage], TINY)) - np.log(
                    np.maximum(x[lW_stage], TINY))
                res.append(x[vb + stage] - lc)
                scale.append(np.maximum(np.abs(x[vb + stage]) + np.abs(lc), 1.0))
            return np.concatenate(res), np.concatenate(scale)

        def jac(x):
            X = expo(x)
            P = x[lo] - keep_prev * x[lprev]
            H = eta * K * x[la] * x[lV] * X
            W = x[lW]
            out = [W, -keep_prev * W, -eta * K * x[lV] * X, P, -eta * K * x[la] * X,
                   -H * nu_, H * mu_]
            if use_u:
                eu = np.exp(np.clip(x[ub + stage], -700.0, 700.0))
                out += [np.ones(N), -eu, -x[base + 4] * eu]
            if use_v:
                out += [-1.0 / np.maximum(x[2 * ne + stage], TINY),
                        1.0 / np.maximum(x[lW_stage], TINY), np.ones(N)]
            return np.concatenate(out)

        # first iteration (all flows zero): a fixed organic/aqueous split per element and
        # the guesses of u and v held
        s0 = self._start_split(strip, e, n, m)
        zero = np.zeros(ne)

        def func0(x):
            res = [x[lo] - s0 * x[la]]
            scale = [np.abs(x[lo]) + np.abs(s0 * x[la])]
            if use_u:
                res.append(x[ub + stage] - self.u0)
                scale.append(np.abs(x[ub + stage]) + abs(self.u0))
            if use_v:
                res.append(x[vb + stage] - self.v0)
                scale.append(np.abs(x[vb + stage]) + abs(self.v0))
            return np.concatenate(res), np.concatenate(scale)

        def jac0(x):
            out = [np.ones(ne), zero, -s0, zero, zero, zero, zero]
            if use_u:
                out += [np.zeros(N), np.zeros(N), np.ones(N)]
            if use_v:
                out += [np.zeros(N), np.zeros(N), np.ones(N)]
            return np.concatenate(out)

        els = self.p["elements"]
        labels = [f"equilibrium of {els[ei]} in stage {ji + 1}"
                  for ji, ei in zip(j, e, strict=True)]
        labels += [f"loading of stage {k + 1}" for k in range(N)] if use_u else []
        labels += [f"acidity of stage {k + 1}" for k in range(N)] if use_v else []
        eq.nonlinear(cols, n_rows, func, jac, labels=labels, pattern=pattern,
                     start=(func0, jac0))

    def _initialiser(self, eq, inlet_at, org_in_LnA3, vol, iv, write,
                     loaded: bool = False) -> None:
        """Start profile once the inlets are known (:mod:`polyflow.units._ree_profile`),
        for the models whose equilibrium does not depend on the loading (distribution;
        pH without an extractant order): reads the inlet element and acid flows, the
        phase volumes and the acidity logarithms; writes every stage's flows, acid,
        free extractant and acidity logarithm. With ``loaded`` (the separation-factor
        model) the loading logarithms u are written instead of the acidity's, from
        :func:`~polyflow.units._ree_profile.loaded_profile` (Newton on the stage
        loadings with the element flows eliminated, continued in the separation
        factors); the loadings of the previous call are its first guess. With
        ``loaded`` and the pH model (an extractant order: loading and acidity both
        unknown) the loading and acidity logarithms are both written, from
        :func:`~polyflow.units._ree_profile.acid_loading_profile` (Newton on both stage
        variables, continued in the order from the order-0 profile), warm-started from
        the previous call's. When a profile fails the initialiser returns NaN and
        Newton keeps its own iterate."""
        N, E, ns = self._layout()
        f = self.p["feed_stage"] - 1
        use_v = len(iv) > 0
        read = [*vol, *iv]
        stage_of = []
        for s, j in inlet_at:
            read += [*eq.flows(s)[self.aq], eq.flows(s)[self.acid]]
            stage_of.append(j)
        for cols in org_in_LnA3:
            read += list(cols)
        strip = (np.arange(N) >= ns)[:, None]
        K = np.where(strip, self.K_str, self.K_ext)
        m = np.where(strip, self.m_str, self.m_ext)
        n = np.where(strip, self.n_str, self.n_ext)
        wsel = np.where(np.arange(N) <= f, 0, np.where(np.arange(N) < ns, 1, 2))
        eta, nu = self.p["efficiency"], self.p["extractant_per_metal"]
        last: dict[str, np.ndarray] = {}     # loadings of the previous call (warm start)

        def func(x):
            Wfs, Ws, Wt, V, T = x[:5]
            v = x[5:5 + len(iv)] if use_v else np.zeros(N)
            k = 5 + len(iv)
            aq_in = np.zeros((N, E))
            acid_in = np.zeros(N)
            for j in stage_of:
                aq_in[j] += x[k:k + E]
                acid_in[j] += x[k + E]
                k += E + 1
            org_in = np.zeros(E)
            for _ in org_in_LnA3:
                org_in += x[k:k + E]
                k += E
            W = np.array([Wfs, Ws, Wt])[wsel]
            if loaded and use_v:
                out = acid_loading_profile(K, m, n, eta, ns, np.maximum(aq_in, 0.0),
                                           np.maximum(org_in, 0.0), acid_in, W, V, T, nu,
                                           v, start=last.get("uv"))
                if out is None:
                    return np.full(len(write), np.nan)   # not applied
                a, o, h, F, u, v = out
                last["uv"] = (u, v)
                return np.concatenate([a.ravel(), o.ravel(), h, F, u, v])
            if loaded:
                out = loaded_profile(K, eta, ns, np.maximum(aq_in, 0.0),
                                     np.maximum(org_in, 0.0), acid_in, W, V, T, nu,
                                     u_start=last.get("u"))
                if out is None:
                    return np.full(len(write), np.nan)   # not applied
                a, o, h, F, u = out
                last["u"] = u[:ns]
                return np.concatenate([a.ravel(), o.ravel(), h, F, u])
            a, o, h, F, v = start_profile(K, m, n, eta, ns, np.maximum(aq_in, 0.0),
                                          np.maximum(org_in, 0.0), acid_in, W, V, T, nu,
                                          np.zeros(N), v, use_v)
            return np.concatenate([a.ravel(), o.ravel(), h, F, v if use_v else []])

        eq.initialiser(read, write, func)

    def _start_split(self, strip: np.ndarray, e: np.ndarray, n: np.ndarray, m: np.ndarray
                     ) -> np.ndarray:
        """Organic/aqueous flow ratio of each element for the first Newton step: the
        extraction constants normalised to their geometric mean (the split falls mid-way
        through the elements), and the strip D in the strip section."""
        D = self.K_ext * np.exp(self.n_ext * self.u0 - self.m_ext * self.v0)
        if self.p["equilibrium"] != "distribution":
            D = D / math.exp(float(np.mean(np.log(D))))
        D_str = self.K_str * np.exp(self.n_str * self.u0 - self.m_str * self.v0)
        return np.where(strip, D_str[e], D[e])

    def _start_values(self) -> None:
        """Start values of ln(free-extractant fraction) and ln(acid molarity)."""
        self.u0, self.v0 = math.log(0.1), math.log(0.1)

    # -- report --------------------------------------------------------------------------
    def stage_profile(self, sol) -> dict[str, np.ndarray]:
        """Stage-by-stage aqueous and organic flows [kmol/h] (stage × element), acid
        [kmol/h], pH (where the aqueous carries acid) and free extractant."""
        N, E, _ = self._layout()
        x = sol.internal
        ns = N - self.p["strip_stages"]
        j = np.arange(N)
        v = x[2 * N * E + 2 * N:]
        W = np.where(j < self.p["feed_stage"], v[0], np.where(j < ns, v[1], v[2]))
        h = x[2 * N * E:2 * N * E + N]
        with np.errstate(divide="ignore", invalid="ignore"):
            pH = np.where((h > 0) & (W > 0), -np.log10(h / np.maximum(W, 1e-300)), np.nan)
        return {"aqueous": x[:N * E].reshape(N, E), "organic": x[N * E:2 * N * E].reshape(N, E),
                "acid": h, "pH": pH, "free_extractant": x[2 * N * E + N:2 * N * E + 2 * N]}

    def report(self, sol) -> dict[str, float]:
        prof = self.stage_profile(sol)
        N, E, _ = self._layout()
        tot = sol.internal[2 * N * E + 2 * N + 4]
        nu = self.p["extractant_per_metal"]
        load = prof["organic"].sum(axis=1) * nu / tot if tot > 0 else np.zeros(N)
        return {"stages": float(N), "max_loading_fraction": float(load.max(initial=0.0)),
                "raffinate_pH": float(prof["pH"][0])}

