"""Particle size distributions: size classes, feed distributions, percentiles.

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
* the size classes on the **species axis** (class matrices and vectors expanded to every
  sized species, class mass flows).

The comminution correlations that act on these classes (Bond, Austin, Whiten) are in
:mod:`polyflow.comminution`.

>>> sieves = sieve_series(1e-3, 0.1e-3)          # 1 mm down to 100 µm, √2 series
>>> [size_label(x) for x in sieves]
['1mm', '707.1um', '500um', '353.6um', '250um', '176.8um', '125um']
>>> f = class_fractions(sieves, rosin_rammler(x63=0.4e-3, n=1.2))
>>> round(float(f.sum()), 12), round(percentile_size(sieves, f, 0.632) * 1e6)
(1.0, 400)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from polyflow.errors import InputError
from polyflow.quantity import parse_quantity

__all__ = [
    "class_fractions", "class_mass", "cumulative_passing", "expand_matrix", "expand_vector",
    "gates_gaudin_schuhmann", "percentile_size", "percentile_size_gradient", "read_psd",
    "read_size_classes", "representative_sizes", "require_sizes", "rosin_rammler",
    "sieve_series", "size_label", "table_distribution",
]

#: size classes at most (a guard against a ratio of 1.0001)
MAX_CLASSES = 80
#: the shape exponent n or m a distribution may have: a guard against overflow in
#: p80 / 0.8 ** (1 / m) (a steeper or flatter distribution is not a ground ore's)
SHAPE_RANGE = (0.05, 20.0)

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
    if not SHAPE_RANGE[0] <= shape <= SHAPE_RANGE[1]:
        raise InputError(f"{shape_key} must be between {SHAPE_RANGE[0]:g} and "
                         f"{SHAPE_RANGE[1]:g}", field=f"{field}.{kind}.{shape_key}",
                         value=params[shape_key],
                         hint="ground ores have Rosin-Rammler n of about 0.5-2 and "
                              "Gates-Gaudin-Schuhmann m of about 0.5-1.5")
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
    sieve and zero; the top sieve when ``q`` is reached only there; ``nan`` for no mass
    (an empty stream has no P80). ``q`` outside (0, 1] (a percentage given as such, say)
    or a mass per class that does not match the sieves raise :class:`InputError`.

    >>> sieves = np.array([1e-3, 0.5e-3, 0.25e-3])
    >>> round(percentile_size(sieves, np.array([0.1, 0.3, 0.6]), 0.8) * 1e6, 1)
    396.9
    """
    mass = np.asarray(mass, dtype=float)
    if not (math.isfinite(q) and 0.0 < q <= 1.0):
        raise InputError("the passing fraction must be in (0, 1] (0.8 for the P80)",
                         field="q", value=q)
    if mass.shape != np.shape(sieves):
        raise InputError(f"{mass.size} class masses for {np.size(sieves)} sieves",
                         field="mass", hint="give one mass per size class")
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


def percentile_size_gradient(sieves: np.ndarray, mass: np.ndarray, q: float
                             ) -> tuple[float, np.ndarray]:
    """:func:`percentile_size` [m] and its derivative with respect to each class mass
    [m per kg/h], for analytic Jacobians of rows that hold a P80. With ``P_i`` the
    fraction passing sieve ``i``, ``∂P_i/∂m_j = ([j ≥ i] − P_i)/Σm``; between sieves
    ``x = exp(ln s_k + t ln(s_{k−1}/s_k))``, ``t = (q − P_k)/(P_{k−1} − P_k)``. Zero
    gradient at the top sieve and for no mass.

    >>> sieves, m = np.array([1e-3, 0.5e-3, 0.25e-3]), np.array([0.1, 0.3, 0.6])
    >>> x, g = percentile_size_gradient(sieves, m, 0.8)
    >>> h = 1e-7; mp = m.copy(); mp[1] += h
    >>> bool(abs((percentile_size(sieves, mp, 0.8) - x) / h - g[1]) < 1e-6 * abs(g[1]))
    True
    """
    mass = np.asarray(mass, dtype=float)
    x = percentile_size(sieves, mass, q)
    g = np.zeros_like(mass)
    total = mass.sum()
    if not math.isfinite(x) or total <= 0:
        return x, g
    P = cumulative_passing(mass)
    sieves = np.asarray(sieves, dtype=float)
    n = len(mass)
    j = np.arange(n)

    def dP(i: int) -> np.ndarray:
        return ((j >= i).astype(float) - P[i]) / total

    if q >= P[0]:
        return x, g
    if q <= P[-1]:
        return x, (-x / P[-1]) * dP(n - 1) if P[-1] > 0 else g
    k = int(np.nonzero(q >= P)[0][0])
    lo, hi = P[k], P[k - 1]
    if hi <= lo:
        return x, g
    t = (q - lo) / (hi - lo)
    dt = ((t - 1.0) * dP(k) - t * dP(k - 1)) / (hi - lo)
    return x, x * math.log(sieves[k - 1] / sieves[k]) * dt


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
