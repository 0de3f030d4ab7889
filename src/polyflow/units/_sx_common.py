"""Solvent-extraction chemistry shared by ``sx_stage`` and ``sx_circuit``: the extraction
reaction, phase volumes and the distribution isotherms in product form.

Conventions (see docs/sx.md):

* amounts in kmol/h, volumes in m3/h, concentrations in kmol/m3 (= mol/L);
* phase volumes, ``volume_basis = "solution"`` (default): the mass of the aqueous phase
  over the solution density (1000 kg/m3) and of the organic phase over the organic
  density (800 kg/m3), which is how feeds given in m3/h and the stream table count
  volume; ``"solvent"``: the water mass, and the diluent plus extractant mass (the
  complex counted as its free extractant), which the extraction reaction leaves
  unchanged, so that flows are exactly constant through a cascade as Kremser and
  McCabe–Thiele assume;
* ``[H+] = h·[acid]`` with ``h`` the acid's hydrogen atoms (2 for H2SO4: fully
  dissociated) or 1 (``acid_dissociation = "first"``);
* the distribution coefficient ``D`` is the ratio of the metal's concentrations (as the
  element) in the organic and aqueous phases.

Isotherms, written as residuals finite at zero flows (``Y`` the complex in equilibrium
with the aqueous phase, kmol/h; ``M`` the metal species in the aqueous phase; ``a_c``,
``a_m`` atoms of the metal per complex and per metal species):

* ``constant``:      a_c Y V_a − D a_m M V_o = 0
* ``ph``:            a_c Y V_a [H+]^m − 10^b a_m M V_o = 0       (log D = m pH + b)
* ``hydroxyoxime``:  Y V_o (h A)² − K_ex M V_a s(R − qY) = 0,     s(z) = z|z|

where ``A`` is the acid, ``R`` the total extractant (free + q × complexed), ``q`` the
extractant molecules per complex (2 for CuR2). The last is the mass-action law
K_ex = [CuR2][H+]²/([Cu2+][HR]²) multiplied by V_a² V_o²; the signed square keeps it
increasing in ``Y`` everywhere, so its only root is the physical one (0 ≤ qY ≤ R).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from polyflow.chem.reactions import parse_reaction
from polyflow.errors import PolyflowError
from polyflow.units.base import Param

__all__ = ["ISOTHERMS", "SXChemistry", "equilibrium", "equilibrium_derivatives", "isotherm_params"]

#: isotherm kinds and the parameters each needs
ISOTHERMS = {"constant": ("D",), "hydroxyoxime": ("K_ex",), "ph": ("slope", "intercept")}
#: [H+] floor [mol/L] (pH 14) so that the pH isotherm stays finite in a neutral liquor
H_FLOOR = 1e-14
#: volume floor [m3/h] against division by an empty phase
V_FLOOR = 1e-30


#: other names of the isotherms
ISOTHERM_ALIASES = {"constant_d": "constant", "d": "constant", "ph_log_d": "ph",
                    "log_d": "ph", "oxime": "hydroxyoxime", "lix": "hydroxyoxime"}


def isotherm_params() -> dict[str, Param]:
    """Parameters common to the stage and the circuit."""
    return {
        "reaction": Param(None, "extraction reaction, e.g. 'CuSO4 + 2 LIX984N -> CuR2 + "
                                "H2SO4' (metal + extractant -> complex + acid)",
                          required=True),
        "metal": Param(None, "extracted aqueous metal species (default: the aqueous "
                             "reactant)"),
        "complex": Param(None, "organic metal complex (default: the organic product)"),
        "extractant": Param(None, "extractant HR (default: the organic reactant)"),
        "isotherm": Param.choice("'constant', 'hydroxyoxime' or 'ph'", tuple(ISOTHERMS),
                                 default="constant", aliases=ISOTHERM_ALIASES),
        "D": Param("ratio", "distribution coefficient [metal]org/[metal]aq (constant)",
                   bounds=(0.0, 1e12)),
        "K_ex": Param("ratio", "[MR2][H+]²/([M2+][HR]²), concentrations in mol/L "
                               "(hydroxyoxime)", bounds=(1e-12, 1e12)),
        "slope": Param("ratio", "m of log10 D = m·pH + b (ph)"),
        "intercept": Param("ratio", "b of log10 D = m·pH + b (ph)"),
        "acid_dissociation": Param.choice("'full' ([H+] = 2 [H2SO4]) or 'first' "
                                          "([H+] = [H2SO4])", ("full", "first"),
                                          default="full"),
        "efficiency": Param("fraction", "Murphree stage efficiency E_M (organic phase), "
                                        "0 < E_M ≤ 1", default=1.0),
        "volume_basis": Param.choice("'solution' (phase mass / density, as the stream "
                                     "table) or 'solvent' (water; diluent + extractant)",
                                     ("solution", "solvent"), default="solution"),
        "aqueous_density": Param("density", "density giving the aqueous volume",
                                 default=1000.0,
                                 bounds=(100.0, 5000.0)),
        "organic_density": Param("density", "density giving the organic volume",
                                 default=800.0,
                                 bounds=(100.0, 5000.0)),
    }


def validate_isotherm(unit) -> None:
    """Check the isotherm's coefficients and the efficiency (unit.p)."""
    p = unit.p
    kind = p["isotherm"]
    for key in ISOTHERMS[kind]:
        if p[key] is None:
            raise unit.fail(f"isotherm '{kind}' needs {key!r}", key,
                            hint={"D": "e.g. D = 2.5", "K_ex": "e.g. K_ex = 3.9",
                                  "slope": "e.g. slope = 2, intercept = -3 "
                                           "(log D = 2 pH − 3)",
                                  "intercept": "e.g. intercept = -3"}[key])
    unused = [k for ks in ISOTHERMS.values() for k in ks
              if k not in ISOTHERMS[kind] and p[k] is not None]
    if unused:
        raise unit.misspecified(f"over-specified: {unused[0]!r} is not used by isotherm "
                                f"'{kind}'", unused[0],
                                hint=f"isotherm '{kind}' takes {', '.join(ISOTHERMS[kind])}")
    E = p["efficiency"]
    if not 0.0 < E <= 1.0:
        raise unit.fail(f"efficiency must be in (0, 1], not {E:g}", "efficiency",
                        hint="the Murphree efficiency of a mixer-settler is typically "
                             "0.85-0.95; 1 is an equilibrium stage")


@dataclass
class SXChemistry:
    """The extraction reaction resolved against a flowsheet's species.

    ``nu`` is the reaction's coefficient of every flowsheet species (organic species
    missing from the flowsheet are left out: the circuit keeps its organic internal);
    the remaining fields are scalars of the reaction."""

    nu: np.ndarray            # S, per unit extent
    metal: int                # flowsheet index of the aqueous metal species
    acid: int                 # flowsheet index of the aqueous acid released
    complex_id: str
    extractant_id: str
    nu_metal: float           # > 0: metal consumed per extent
    nu_complex: float         # > 0: complex formed per extent
    nu_extractant: float      # > 0: extractant consumed per extent
    a_metal: float            # atoms of the metal element per metal species
    a_complex: float          # ... per complex
    element: str
    h: float                  # H+ per acid molecule in [H+] = h [acid]
    mw_extractant: float
    mw_complex: float

    @property
    def q(self) -> float:
        """Extractant molecules per complex (2 for CuR2)."""
        return self.nu_extractant / self.nu_complex

    @classmethod
    def resolve(cls, unit, species, need_organic: bool) -> SXChemistry:
        p = unit.p
        db = species.database
        try:
            rx = parse_reaction(str(p["reaction"]), db)
        except PolyflowError as err:
            raise unit.fail(f"reaction: {err.message}", "reaction", hint=err.hint) from None

        def pick(field: str, candidates: list[str], what: str) -> str:
            if p[field] is not None:
                try:
                    sid = db.resolve(str(p[field]))
                except PolyflowError as err:
                    raise unit.fail(f"{field}: {err.message}", field, hint=err.hint) from None
                if sid not in candidates:
                    raise unit.fail(f"{field} {p[field]!r} is not {what} of "
                                    f"{p['reaction']!r}", field,
                                    hint=f"candidates: {', '.join(candidates) or 'none'}")
                return sid
            if len(candidates) != 1:
                raise unit.fail(f"cannot tell the {field} in {p['reaction']!r}: "
                                f"{len(candidates)} candidates ({', '.join(candidates)})",
                                field, hint=f"name it with {field} = '...'")
            return candidates[0]

        phase = {s: db[s].phase for s in rx.nu}
        water = {"H2O(l)"}
        aq_react = [s for s in rx.reactants if phase[s] != "org" and s not in water]
        org_react = [s for s in rx.reactants if phase[s] == "org"]
        org_prod = [s for s in rx.products if phase[s] == "org"]
        aq_prod = [s for s in rx.products if phase[s] != "org" and s not in water]
        metal = pick("metal", aq_react, "an aqueous reactant")
        extractant = pick("extractant", org_react, "an organic reactant")
        cplx = pick("complex", org_prod, "an organic product")
        if len(aq_prod) != 1:
            raise unit.fail(f"the reaction must release one acid to the aqueous phase "
                            f"(found {', '.join(aq_prod) or 'none'})", "reaction",
                            hint="write it as metal + n HR -> complex + acid, e.g. "
                                 "'CuSO4 + 2 LIX984N -> CuR2 + H2SO4'")
        acid = aq_prod[0]
        others = set(rx.nu) - {metal, extractant, cplx, acid} - water
        if others:
            raise unit.fail(f"the reaction has species the SX models cannot place: "
                            f"{', '.join(sorted(others))}", "reaction",
                            hint="one metal, one extractant, one complex and one acid")
        common = (set(db[metal].elements) & set(db[cplx].elements)) \
            - set(db[extractant].elements)
        if len(common) != 1:
            raise unit.fail(f"cannot tell the extracted element of {metal} and {cplx} "
                            f"(candidates {sorted(common)})", "reaction")
        element = common.pop()
        S = len(species)
        nu = np.zeros(S)
        for sid, v in rx.nu.items():
            if phase[sid] == "org" and not need_organic and sid not in species:
                continue
            try:
                nu[species.idx(sid)] = v
            except PolyflowError as err:
                field = "metal" if sid == metal else "reaction"
                raise unit.fail(f"{field}: {err.message}", field, hint=err.hint) from None
        H = db[acid].elements.get("H", 0.0)
        if H <= 0:
            raise unit.fail(f"the acid {acid} has no hydrogen", "reaction")
        h = H if p["acid_dissociation"] == "full" else 1.0
        chem = cls(nu=nu, metal=species.idx(metal), acid=species.idx(acid),
                   complex_id=cplx, extractant_id=extractant,
                   nu_metal=-rx.nu[metal], nu_complex=rx.nu[cplx],
                   nu_extractant=-rx.nu[extractant],
                   a_metal=db[metal].elements[element], a_complex=db[cplx].elements[element],
                   element=element, h=float(h), mw_extractant=db[extractant].molar_mass,
                   mw_complex=db[cplx].molar_mass)
        if p["isotherm"] == "hydroxyoxime" and (chem.nu_metal != 1 or chem.nu_complex != 1):
            raise unit.fail("the hydroxyoxime isotherm is for M + q HR -> MRq + acid with "
                            "one metal species and one complex per extent", "reaction")
        return chem


def equilibrium(kind: str, p: dict, chem: SXChemistry, Y, M, A, Va, Vo, R):
    """Isotherm residual and scale (see the module docstring), vectorised.

    ``Y`` complex in equilibrium [kmol/h], ``M`` aqueous metal species, ``A`` acid,
    ``Va``/``Vo`` phase volumes [m3/h], ``R`` total extractant [kmol/h]."""
    if kind == "constant":
        t1 = chem.a_complex * Y * Va
        t2 = p["D"] * chem.a_metal * M * Vo
    elif kind == "ph":
        Hc = np.maximum(chem.h * A / np.maximum(Va, V_FLOOR), H_FLOOR)
        t1 = chem.a_complex * Y * Va * Hc ** p["slope"]
        t2 = 10.0 ** p["intercept"] * chem.a_metal * M * Vo
    else:
        z = R - chem.q * Y
        Hn = chem.h * np.maximum(A, 0.0)
        t1 = Y * Vo * Hn * Hn
        t2 = p["K_ex"] * M * Va * z * np.abs(z)
    return t1 - t2, np.abs(t1) + np.abs(t2)


def equilibrium_derivatives(kind: str, p: dict, chem: SXChemistry, Y, M, A, Va, Vo, R
                            ) -> dict[str, float]:
    """∂r/∂(Y, M, A, Va, Vo, R) of :func:`equilibrium`'s residual r, analytic (the
    isotherms are products of powers; the floors of the pH model and the acid's
    non-negativity in the hydroxyoxime model are held as :func:`equilibrium` holds
    them, so these are its exact one-sided derivatives)."""
    if kind == "constant":
        return {"Y": chem.a_complex * Va, "M": -p["D"] * chem.a_metal * Vo, "A": 0.0,
                "Va": chem.a_complex * Y, "Vo": -p["D"] * chem.a_metal * M, "R": 0.0}
    if kind == "ph":
        Vs = max(Va, V_FLOOR)
        raw = chem.h * A / Vs
        Hc, live = max(raw, H_FLOOR), raw > H_FLOOR
        dH_dA = chem.h / Vs if live else 0.0
        dH_dVa = -raw / Vs if live and Va > V_FLOOR else 0.0
        s_ = p["slope"]
        t1_H = chem.a_complex * Y * Va * s_ * Hc ** (s_ - 1.0)
        k2 = 10.0 ** p["intercept"] * chem.a_metal
        return {"Y": chem.a_complex * Va * Hc ** s_, "M": -k2 * Vo, "A": t1_H * dH_dA,
                "Va": chem.a_complex * Y * Hc ** s_ + t1_H * dH_dVa, "Vo": -k2 * M,
                "R": 0.0}
    z = R - chem.q * Y
    Hn = chem.h * max(A, 0.0)
    zz, dzz = z * abs(z), 2.0 * abs(z)
    K = p["K_ex"]
    return {"Y": Vo * Hn * Hn + K * M * Va * dzz * chem.q, "M": -K * Va * zz,
            "A": Y * Vo * 2.0 * Hn * chem.h if A > 0 else 0.0, "Va": -K * M * zz,
            "Vo": Y * Hn * Hn, "R": -K * M * Va * dzz}


def ph(chem: SXChemistry, acid_kmol_h: float, Va: float) -> float:
    """pH = −log10(h·[acid]) of an aqueous phase (nan when it holds no acid)."""
    c = chem.h * acid_kmol_h / Va if Va > 0 else 0.0
    return float(-np.log10(c)) if c > 0 else float("nan")
