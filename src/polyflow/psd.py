"""Particle size distributions: size classes, feed distributions, percentiles, breakage.

A sized solid species is carried as one component per size class (DESIGN: "A solid
species with a size distribution is several components (species × size class) on the
same stream axis"). This module holds what those components need and no solver code:

* the **size classes**: a sieve series given by its top and bottom sizes and ratio
  (√2 by default) or an explicit list of sieves. Class ``k`` holds the particles that
  pass sieve ``k`` and are retained on sieve ``k + 1``; the last class is the pan (finer
  than the bottom sieve). ``sieves[k]`` is the upper size of class ``k``, coarsest first;
* **feed distributions**: a table of sizes and cumulative % passing, Rosin–Rammler
  ``P(x) = 1 − exp(−(x/x63)^n)`` or Gates–Gaudin–Schuhmann ``P(x) = (x/xmax)^m``,
  turned into the mass fraction of each class;
* **percentiles** (P80, P50) of a distribution on the classes, interpolated linearly in
  log(size) between sieves (and linearly in size between the bottom sieve and zero);
* **Bond's law** and the short-ton conversion, the **Austin** selection and breakage
  functions, the population-balance matrix of a mill, **Whiten's** crusher model and the
  **Whiten** efficiency curve of classifiers.

>>> sieves = sieve_series(1e-3, 0.1e-3)          # 1 mm down to 100 µm, √2 series
>>> [size_label(x) for x in sieves]
['1mm', '707.1um', '500um', '353.6um', '250um', '176.8um', '125um']
>>> f = class_fractions(sieves, rosin_rammler(x63=0.4e-3, n=1.2))
>>> round(float(f.sum()), 12), round(percentile_size(sieves, f, 0.632) * 1e6)
(1.0, 400)
>>> round(bond_energy(wi=15.0, f80_um=2000.0, p80_um=150.0), 3)   # kWh/t
8.893
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from polyflow.errors import InputError
from polyflow.quantity import parse_quantity

__all__ = [
    "SHORT_TON_FACTOR", "austin_breakage", "austin_selection", "bond_energy",
    "class_fractions", "cumulative_passing", "gates_gaudin_schuhmann", "mill_matrix",
    "operating_work_index", "percentile_size", "read_psd", "read_size_classes",
    "read_work_index", "representative_sizes", "rosin_rammler", "sieve_series", "size_label",
    "table_distribution", "whiten_crusher_matrix", "whiten_efficiency",
]

#: 1 kWh per short ton (2000 lb = 907.18474 kg) is 1.1023 kWh per tonne (Bond 1961;
#: Rowland 1976 gives the factor as 1.102)
SHORT_TON_FACTOR = 1000.0 / 907.18474
#: size classes at most (a guard against a ratio of 1.0001)
MAX_CLASSES = 80

Passing = Callable[[np.ndarray], np.ndarray]


# -- size classes ---------------------------------------------------------------------
def sieve_series(top: float, bottom: float, ratio: float = math.sqrt(2.0)) -> np.ndarray:
    """Sieve sizes [m] from ``top`` down by ``ratio`` while not below ``bottom``.

    >>> [round(float(x) * 1e6, 1) for x in sieve_series(150e-6, 50e-6)]
    [150.0, 106.1, 75.0, 53.0]
    """
    if not (top > 0 and bottom > 0 and top > bottom):
        raise InputError("the top size must be larger than the bottom size, both above zero",
                         field="size_classes")
    if not ratio > 1.0:
        raise InputError("the sieve ratio must be above 1 (sqrt2 is the usual series)",
                         field="size_classes.ratio", value=ratio)
    n = math.floor(math.log(top / bottom) / math.log(ratio) + 1e-9) + 1
    if n > MAX_CLASSES:
        raise InputError(f"{n} size classes are too many (at most {MAX_CLASSES})",
                         field="size_classes", hint="use a larger ratio or a narrower range")
    return top / ratio ** np.arange(n)


def _ratio(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).replace(" ", "").lower()
    named = {"sqrt2": math.sqrt(2.0), "√2": math.sqrt(2.0), "2^(1/2)": math.sqrt(2.0),
             "2^(1/4)": 2 ** 0.25, "fourthroot2": 2 ** 0.25, "2": 2.0}
    if text in named:
        return named[text]
    try:
        return float(text)
    except ValueError:
        raise InputError("the sieve ratio must be a number above 1, 'sqrt2' or '2^(1/4)'",
                         field="size_classes.ratio", value=value) from None


def read_size_classes(size_classes: Any = None, sieves: Any = None) -> np.ndarray:
    """Sieve sizes [m] from ``size_classes = {top, bottom, ratio}`` or ``sieves = [...]``.

    >>> [size_label(x) for x in read_size_classes(sieves=["2 mm", "1 mm", "500 um"])]
    ['2mm', '1mm', '500um']
    """
    if (size_classes is None) == (sieves is None):
        raise InputError("give either size_classes = {top, bottom, ratio} or sieves = [...], "
                         "not both", field="size_classes")
    if sieves is not None:
        if not isinstance(sieves, Sequence) or isinstance(sieves, str) or len(sieves) < 2:
            raise InputError("sieves must be a list of at least two sizes, coarsest first",
                             field="sieves", value=sieves)
        out = np.array([_length(v, "sieves") for v in sieves])
        if np.any(np.diff(out) >= 0) or out[-1] <= 0:
            raise InputError("sieves must decrease strictly, coarsest first", field="sieves",
                             value=sieves)
        if len(out) > MAX_CLASSES:
            raise InputError(f"at most {MAX_CLASSES} sieves", field="sieves")
        return out
    if not isinstance(size_classes, Mapping) or not {"top", "bottom"} <= set(size_classes):
        raise InputError("size_classes needs top and bottom sizes, e.g. { top = '150 mm', "
                         "bottom = '10 um', ratio = 'sqrt2' }", field="size_classes",
                         value=size_classes)
    extra = set(size_classes) - {"top", "bottom", "ratio"}
    if extra:
        raise InputError(f"size_classes has no field {sorted(extra)[0]!r}",
                         field="size_classes", hint="use top, bottom and ratio")
    return sieve_series(_length(size_classes["top"], "size_classes.top"),
                        _length(size_classes["bottom"], "size_classes.bottom"),
                        _ratio(size_classes.get("ratio", "sqrt2")))


def _length(value: Any, field: str) -> float:
    try:
        x = parse_quantity(value, "length")
    except InputError as err:
        raise InputError(err.message, field=field, hint=err.hint) from None
    if not x > 0:
        raise InputError("a size must be above zero", field=field, value=value)
    return x


def size_label(x: float) -> str:
    """Short label of a size [m]: ``'150um'``, ``'1.18mm'``, ``'75mm'`` (4 digits)."""
    if x >= 1e-3:
        return f"{x * 1e3:.4g}mm"
    return f"{x * 1e6:.4g}um"


def representative_sizes(sieves: np.ndarray) -> np.ndarray:
    """Size standing for each class [m]: the geometric mean of its sieves; the pan's is
    the bottom sieve divided by the ratio of the last two sieves (the next sieve of the
    series)."""
    sieves = np.asarray(sieves, dtype=float)
    lower = np.append(sieves[1:], sieves[-1] ** 2 / sieves[-2])
    return np.sqrt(sieves * lower)


# -- distributions ----------------------------------------------------------------------
def rosin_rammler(x63: float, n: float) -> Passing:
    """Rosin–Rammler: ``P(x) = 1 − exp(−(x/x63)^n)`` (Rosin & Rammler, J. Inst. Fuel 7
    (1933) 29; Wills 8th ed. §4.5)."""
    return lambda x: 1.0 - np.exp(-(np.asarray(x, dtype=float) / x63) ** n)


def gates_gaudin_schuhmann(xmax: float, m: float) -> Passing:
    """Gates–Gaudin–Schuhmann: ``P(x) = (x/xmax)^m`` below ``xmax``, 1 above
    (Schuhmann, AIME Tech. Pub. 1189 (1940); Wills 8th ed. §4.5)."""
    return lambda x: np.minimum(np.asarray(x, dtype=float) / xmax, 1.0) ** m


def table_distribution(sizes: Sequence[float], passing: Sequence[float]) -> Passing:
    """A measured distribution: cumulative fraction passing at given sizes [m],
    interpolated linearly in log(size); 100 % above the largest size is assumed only if
    the table says so (what the table leaves above it goes to the top class), and linear
    in size from zero below the smallest."""
    xs = np.asarray(sizes, dtype=float)
    ps = np.asarray(passing, dtype=float)
    order = np.argsort(xs)
    xs, ps = xs[order], ps[order]

    def f(x):
        x = np.asarray(x, dtype=float)
        inside = np.interp(np.log(np.maximum(x, 1e-300)), np.log(xs), ps)
        below = ps[0] * x / xs[0]
        return np.where(x < xs[0], below, inside)

    return f


def class_fractions(sieves: np.ndarray, passing: Passing) -> np.ndarray:
    """Mass fraction in each class: ``P(x_k) − P(x_{k+1})``; the top class also takes
    what is coarser than the top sieve and the pan takes ``P(x_bottom)``.

    >>> np.round(class_fractions(np.array([4e-3, 2e-3, 1e-3]),
    ...                          gates_gaudin_schuhmann(4e-3, 1.0)), 3)
    array([0.5 , 0.25, 0.25])
    """
    P = np.clip(np.asarray(passing(np.asarray(sieves, dtype=float)), dtype=float), 0.0, 1.0)
    P = np.minimum.accumulate(P)          # a table may not rise with falling size
    f = np.empty_like(P)
    f[0] = 1.0 - P[1] if len(P) > 1 else 1.0
    f[1:-1] = P[1:-1] - P[2:]
    if len(P) > 1:
        f[-1] = P[-1]
    return f


def read_psd(spec: Any, field: str = "psd") -> Passing:
    """A distribution from a feed's ``psd`` entry: ``{sizes = [...], passing = [...]}``,
    ``{rosin_rammler = {x63 = '12 mm', n = 1.1}}`` (or ``p80`` in place of ``x63``) or
    ``{ggs = {xmax = '25 mm', m = 0.8}}`` (or ``p80`` in place of ``xmax``)."""
    if not isinstance(spec, Mapping):
        raise InputError("psd must be a table: {sizes, passing}, {rosin_rammler = {...}} or "
                         "{ggs = {...}}", field=field, value=spec)
    kinds = [k for k in ("sizes", "rosin_rammler", "ggs") if k in spec]
    if len(kinds) != 1:
        raise InputError("psd needs exactly one of: sizes and passing (a table), "
                         "rosin_rammler = {x63 or p80, n}, ggs = {xmax or p80, m}",
                         field=field, value=dict(spec))
    kind = kinds[0]
    allowed = {"sizes": {"sizes", "passing"}}.get(kind, {kind})
    extra = set(spec) - allowed - {"minerals"}
    if extra:
        raise InputError(f"psd has no field {sorted(extra)[0]!r} with {kind}", field=field)
    if kind == "sizes":
        sizes, passing = spec.get("sizes"), spec.get("passing")
        if not isinstance(sizes, Sequence) or not isinstance(passing, Sequence) \
                or isinstance(sizes, str) or len(sizes) != len(passing) or len(sizes) < 2:
            raise InputError("psd sizes and passing must be lists of the same length (two "
                             "or more)", field=f"{field}.sizes")
        xs = [_length(v, f"{field}.sizes") for v in sizes]
        ps = []
        for v in passing:
            try:
                ps.append(parse_quantity(v, "fraction"))
            except InputError as err:
                raise InputError(err.message, field=f"{field}.passing", hint=err.hint) \
                    from None
        order = np.argsort(xs)
        if np.any(np.diff(np.asarray(ps)[order]) < 0) or min(ps) < 0 or max(ps) > 1:
            raise InputError("% passing must be between 0 and 100 % and rise with size",
                             field=f"{field}.passing", value=passing)
        return table_distribution(xs, ps)
    params = spec[kind]
    if not isinstance(params, Mapping):
        raise InputError(f"{kind} must be a table of its parameters", field=f"{field}.{kind}")
    shape_key = "n" if kind == "rosin_rammler" else "m"
    size_key = "x63" if kind == "rosin_rammler" else "xmax"
    if shape_key not in params or (size_key in params) == ("p80" in params):
        raise InputError(f"{kind} needs {shape_key} and one of {size_key} or p80",
                         field=f"{field}.{kind}", value=dict(params))
    extra = set(params) - {shape_key, size_key, "p80"}
    if extra:
        raise InputError(f"{kind} has no parameter {sorted(extra)[0]!r}",
                         field=f"{field}.{kind}")
    try:
        shape = float(parse_quantity(params[shape_key], "ratio"))
    except InputError as err:
        raise InputError(err.message, field=f"{field}.{kind}.{shape_key}") from None
    if not shape > 0:
        raise InputError(f"{shape_key} must be above zero", field=f"{field}.{kind}",
                         value=params[shape_key])
    if "p80" in params:
        p80 = _length(params["p80"], f"{field}.{kind}.p80")
        size = p80 / (-math.log(0.2)) ** (1.0 / shape) if kind == "rosin_rammler" \
            else p80 / 0.8 ** (1.0 / shape)
    else:
        size = _length(params[size_key], f"{field}.{kind}.{size_key}")
    return rosin_rammler(size, shape) if kind == "rosin_rammler" \
        else gates_gaudin_schuhmann(size, shape)


# -- percentiles --------------------------------------------------------------------------
def cumulative_passing(mass: np.ndarray) -> np.ndarray:
    """Fraction passing each sieve (the upper size of each class) from class masses."""
    mass = np.asarray(mass, dtype=float)
    total = mass.sum()
    if total <= 0:
        return np.zeros_like(mass)
    return np.clip(np.cumsum(mass[::-1])[::-1] / total, 0.0, 1.0)


def percentile_size(sieves: np.ndarray, mass: np.ndarray, q: float) -> float:
    """Size [m] that a fraction ``q`` of the mass passes (P80: ``q = 0.8``).

    Interpolated linearly in log(size) between sieves, linearly in size between the bottom
    sieve and zero; the top sieve when ``q`` is reached only there; ``nan`` for no mass.

    >>> sieves = np.array([1e-3, 0.5e-3, 0.25e-3])
    >>> round(percentile_size(sieves, np.array([0.1, 0.3, 0.6]), 0.8) * 1e6, 1)
    396.9
    """
    mass = np.asarray(mass, dtype=float)
    if mass.sum() <= 0:
        return math.nan
    P = cumulative_passing(mass)
    sieves = np.asarray(sieves, dtype=float)
    if q >= P[0]:
        return float(sieves[0])
    if q <= P[-1]:
        return float(sieves[-1] * q / P[-1]) if P[-1] > 0 else float(sieves[-1])
    k = int(np.nonzero(q >= P)[0][0])            # P[k] <= q < P[k-1]
    lo, hi = P[k], P[k - 1]
    t = (q - lo) / (hi - lo) if hi > lo else 0.0
    return float(math.exp(math.log(sieves[k]) + t * math.log(sieves[k - 1] / sieves[k])))


# -- Bond's law -----------------------------------------------------------------------------
def bond_energy(wi: float, f80_um: float, p80_um: float) -> float:
    """Bond's third theory: specific energy [kWh/t] to grind from F80 to P80 [µm],
    ``W = 10 Wi (1/√P80 − 1/√F80)`` with Wi in kWh/t (Bond, Trans. AIME 193 (1952) 484;
    Bond, Br. Chem. Eng. 6 (1961) 378; Wills 8th ed. §5.4). Zero for no size reduction."""
    if not (f80_um > 0 and p80_um > 0) or p80_um >= f80_um:
        return 0.0
    return 10.0 * wi * (1.0 / math.sqrt(p80_um) - 1.0 / math.sqrt(f80_um))


def operating_work_index(w_kwh_t: float, f80_um: float, p80_um: float) -> float:
    """Operating work index [kWh/t] back-calculated from the specific energy a mill
    draws: ``Wi_op = W / (10 (1/√P80 − 1/√F80))`` (Rowland, "The Bond work index, a tool
    to measure grinding efficiency", SME-AIME Fall Meeting, 1976).

    >>> round(operating_work_index(12.0, 2000.0, 150.0), 2)
    20.24
    """
    if not (f80_um > 0 and p80_um > 0) or p80_um >= f80_um:
        return math.nan
    return w_kwh_t / (10.0 * (1.0 / math.sqrt(p80_um) - 1.0 / math.sqrt(f80_um)))


def read_work_index(value: Any) -> float:
    """A Bond work index in kWh/t; ``"13 kWh/st"`` (per short ton, as Bond tabulated it)
    is multiplied by 1.1023.

    >>> round(read_work_index("13 kWh/st"), 3), read_work_index("14.3 kWh/t")
    (14.33, 14.3)
    """
    if isinstance(value, str):
        text = value.strip()
        for suffix in ("kWh/st", "kWh/sht", "kWh/shortton", "kWh/short ton"):
            if text.endswith(suffix):
                number = text[: -len(suffix)].strip()
                try:
                    return float(number) * SHORT_TON_FACTOR
                except ValueError:
                    raise InputError("cannot read the number of the work index",
                                     value=value) from None
    x = parse_quantity(value, "specific_energy")
    if not 0.0 < x < 200.0:
        raise InputError("a Bond work index must be between 0 and 200 kWh/t", value=value)
    return x


# -- population balance: Austin ---------------------------------------------------------------
def austin_selection(sizes: np.ndarray, a: float, alpha: float, mu: float | None = None,
                     lam: float = 2.0, x0: float = 1e-3) -> np.ndarray:
    """Specific rate of breakage of each class [1/h]:
    ``S_i = a (x_i/x0)^α · 1/(1 + (x_i/μ)^Λ)`` with ``x0`` = 1 mm; without ``μ`` the
    last factor is 1 (Austin, Klimpel & Luckie, *Process Engineering of Size Reduction:
    Ball Milling*, SME-AIME (1984), eq. 4.3 and 4.4)."""
    x = np.asarray(sizes, dtype=float)
    s = a * (x / x0) ** alpha
    if mu is not None:
        s = s / (1.0 + (x / mu) ** lam)
    return s


def austin_breakage(sieves: np.ndarray, phi: float, gamma: float, beta: float) -> np.ndarray:
    """Breakage matrix ``b[i, j]``: fraction of the primary fragments of class ``j``
    that fall into class ``i > j``, from the cumulative breakage function
    ``B(x, y) = φ (x/y)^γ + (1 − φ)(x/y)^β`` (normalised; Austin, Klimpel & Luckie 1984,
    eq. 4.5), with ``y`` the lower sieve of the parent class so that every fragment
    leaves it; the pan takes what is finer than the bottom sieve. Columns sum to 1 (the
    pan's column to 0: the pan does not break)."""
    sieves = np.asarray(sieves, dtype=float)
    n = len(sieves)
    b = np.zeros((n, n))
    for j in range(n - 1):
        y = sieves[j + 1]

        def B(x, y=y):
            r = np.minimum(x / y, 1.0)
            return phi * r ** gamma + (1.0 - phi) * r ** beta

        for i in range(j + 1, n):
            upper = B(sieves[i])
            lower = B(sieves[i + 1]) if i + 1 < n else 0.0
            b[i, j] = upper - lower
    return b


def mill_matrix(selection: np.ndarray, breakage: np.ndarray, residence_time: float,
                n_cells: int = 1) -> np.ndarray:
    """``M`` with ``product = M · feed`` (class mass flows) for a mill of ``n_cells``
    equal perfectly mixed cells in series with total mean residence time ``τ``:
    in each cell ``p = f − τ_c (I − b) S p``, so ``M = [(I + τ_c (I − b) S)^{-1}]^N``
    (Austin, Klimpel & Luckie 1984, ch. 6; Whiten, "A matrix theory of comminution
    machines", Chem. Eng. Sci. 29 (1974) 589). Columns of ``M`` sum to 1 (mass is kept).

    >>> M = mill_matrix(np.array([1.0, 0.0]), np.array([[0, 0], [1.0, 0]]), 1.0, 1)
    >>> M.round(3).tolist()                 # half the coarse class breaks (kτ = 1)
    [[0.5, 0.0], [0.5, 1.0]]
    """
    n = len(selection)
    tc = residence_time / n_cells
    A = np.eye(n) + tc * (np.eye(n) - breakage) @ np.diag(selection)
    cell = np.linalg.solve(A, np.eye(n))
    return np.linalg.matrix_power(cell, int(n_cells))


# -- Whiten's crusher model and efficiency curve ---------------------------------------------
def whiten_classification(sizes: np.ndarray, k1: float, k2: float, k3: float) -> np.ndarray:
    """Probability that a particle of size ``x`` enters the breakage zone of a crusher:
    0 below ``K1``, 1 above ``K2`` and ``1 − ((K2 − x)/(K2 − K1))^K3`` between (Whiten,
    "The simulation of crushing plants with models developed using pilot scale data",
    PhD thesis, University of Queensland (1972); Napier-Munn et al., *Mineral Comminution
    Circuits*, JKMRC (1996), §6.4)."""
    x = np.asarray(sizes, dtype=float)
    c = 1.0 - np.clip((k2 - x) / (k2 - k1), 0.0, 1.0) ** k3
    return np.where(x <= k1, 0.0, np.where(x >= k2, 1.0, c))


def whiten_crusher_matrix(classification: np.ndarray, breakage: np.ndarray) -> np.ndarray:
    """Whiten's crusher: the classified material breaks and returns to the chamber, so
    ``p = (I − C)(I − B C)^{-1} f`` (Whiten 1972; Napier-Munn et al. 1996, eq. 6.3)."""
    n = len(classification)
    C = np.diag(classification)
    return (np.eye(n) - C) @ np.linalg.solve(np.eye(n) - breakage @ C, np.eye(n))


def whiten_efficiency(x: np.ndarray, alpha: float) -> np.ndarray:
    """Corrected efficiency curve of a classifier (fraction to the coarse product at the
    reduced size ``x = d/d50c``): ``E = (e^{αx} − 1)/(e^{αx} + e^α − 2)`` (Whiten, in
    Lynch & Rao, "Modelling and scale-up of hydrocyclone classifiers", 11th IMPC
    (1975); Napier-Munn et al. 1996, eq. 10.5). ``E(1) = 0.5``.

    >>> float(whiten_efficiency(np.array([1.0]), 3.0)[0])
    0.5
    """
    x = np.asarray(x, dtype=float)
    ax = np.minimum(alpha * x, 700.0)
    return np.expm1(ax) / (np.exp(ax) + math.exp(min(alpha, 700.0)) - 2.0)


# -- size classes on the species axis -----------------------------------------------------
def require_sizes(unit, species) -> np.ndarray:
    """The sieves of ``species``, or an error at ``unit`` saying how to declare them."""
    if getattr(species, "size_classes", None) is None:
        raise unit.fail(f"model '{unit.model}' needs particle sizes, and this flowsheet has "
                        "none", hint="add size_classes = { top = '...', bottom = '...' } to "
                                     "[flowsheet] and a psd to the ore feed")
    return species.size_classes


def expand_matrix(species, per_class: np.ndarray) -> np.ndarray:
    """S×S species map applying the class matrix ``per_class`` (n×n, ``out = M·in`` on
    class mass flows) to every sized species and the identity to the others. The size
    classes of one species share a molar mass, so the map holds in kmol/h as in kg/h."""
    S = len(species)
    M = np.eye(S)
    for sid in species.base_ids:
        comps = species.components(sid)
        if species.size_index[comps[0]] >= 0:
            M[np.ix_(comps, comps)] = per_class
    return M


def expand_vector(species, per_class: np.ndarray, other: float | np.ndarray) -> np.ndarray:
    """Per-species vector: ``per_class[class]`` for size components, ``other`` (a scalar
    or a per-species vector) for the rest."""
    v = np.broadcast_to(np.asarray(other, dtype=float), (len(species),)).copy()
    sized = species.size_index >= 0
    v[sized] = np.asarray(per_class, dtype=float)[species.size_index[sized]]
    return v


def class_mass(species, n_kmol_h: np.ndarray, base: str | None = None) -> np.ndarray:
    """Mass flow of each size class [kg/h] over every sized species (or one of them)."""
    m = np.asarray(n_kmol_h, dtype=float) * species.mw
    sel = species.size_index >= 0
    if base is not None:
        sel = sel & (species.base_index == species.base_ids.index(base))
    return np.bincount(species.size_index[sel], weights=m[sel],
                       minlength=len(species.size_classes))
