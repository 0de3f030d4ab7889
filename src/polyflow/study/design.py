"""The study file: which plant, which outputs, which inputs vary and how; its points.

A study file (TOML, docs/studies.md)::

    flowsheet = "flowsheets/copper_oxide_leach.toml"   # relative to the study file
    outputs = ["recovery.Cu.cathode", "streams.pls.g_L.Cu"]

    [vary."process_water.flow"]                         # any --set path
    values = ["90 m3/h", "110 m3/h", "130 m3/h"]        # a grid (several: full factorial)

or, with ``[monte_carlo]`` (``samples``, ``seed``), each ``[vary."PATH"]`` a distribution:
``normal`` (mean, sd), ``lognormal`` (mean, sd of the quantity itself),
``uniform`` (low, high), ``triangular`` (low, mode, high) or ``discrete`` (values and
optional weights). Samples come from ``numpy.random.default_rng(seed)``, one column per
varied input in file order, so the same seed gives the same points on any machine and
with any number of workers.

Lognormal from the mean ``m`` and standard deviation ``s`` of the quantity: the log has
``σ² = ln(1 + s²/m²)`` and ``μ = ln m − σ²/2`` (Johnson, Kotz & Balakrishnan,
*Continuous Univariate Distributions* vol. 1, 2nd ed. (1994), ch. 14, eq. 14.8a-b).
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from polyflow.errors import InputError, did_you_mean
from polyflow.quantity import _QUANTITY

__all__ = ["DISTRIBUTIONS", "Study", "Varied", "read_study", "study_from_dict"]

#: distribution -> the fields it needs (beyond ``distribution``)
DISTRIBUTIONS = {"normal": ("mean", "sd"), "lognormal": ("mean", "sd"),
                 "uniform": ("low", "high"), "triangular": ("low", "mode", "high"),
                 "discrete": ("values",)}
STUDY_KEYS = ("flowsheet", "outputs", "vary", "monte_carlo", "batch", "continuation",
              "name")
#: points solved one after the other (warm-started from each other) in one batch
DEFAULT_BATCH = 50


def split_value(value: Any, where: str) -> tuple[float | str, str]:
    """``"150 m3/h"`` -> ``(150.0, "m3/h")``; ``0.3`` -> ``(0.3, "")``; a word stays text."""
    if isinstance(value, bool):
        return str(value).lower(), ""
    if isinstance(value, int | float):
        return float(value), ""
    if isinstance(value, str):
        m = _QUANTITY.match(value)
        if m:
            return float(m.group(1)), m.group(2).strip()
        return value, ""
    raise InputError(f"{where}: {value!r} is not a number, a quantity or a word",
                     field=where, hint='write values like 0.3, "150 m3/h" or "cocurrent"')


@dataclass
class Varied:
    """One varied input: its ``--set`` path, its unit symbol, and either grid values or
    a distribution with its parameters (numbers in ``symbol``)."""

    path: str
    symbol: str
    values: list[Any] = field(default_factory=list)   # grid: as written (for --set)
    distribution: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def column(self) -> str:
        return f"{self.path} [{self.symbol}]" if self.symbol else self.path

    def override(self, number: float | str) -> Any:
        """The ``--set`` value for a sampled number (full precision, with the unit)."""
        if isinstance(number, str):
            return number
        return f"{float(number)!r} {self.symbol}" if self.symbol else float(number)

    def sample(self, rng: np.random.Generator, n: int) -> list[Any]:
        p = self.params
        d = self.distribution
        if d == "normal":
            return list(rng.normal(p["mean"], p["sd"], n))
        if d == "lognormal":
            m, s = p["mean"], p["sd"]
            sigma2 = np.log1p((s / m) ** 2)
            return list(rng.lognormal(np.log(m) - sigma2 / 2, np.sqrt(sigma2), n))
        if d == "uniform":
            return list(rng.uniform(p["low"], p["high"], n))
        if d == "triangular":
            return list(rng.triangular(p["low"], p["mode"], p["high"], n))
        idx = rng.choice(len(p["values"]), size=n, p=p.get("weights"))
        return [p["values"][i] for i in idx]


@dataclass
class Study:
    """A study as read: the flowsheet file, outputs, varied inputs and the sampling."""

    flowsheet: Path
    outputs: list[str]
    varied: list[Varied]
    samples: int | None = None          # Monte Carlo: number of points
    seed: int | None = None
    batch: int = DEFAULT_BATCH
    #: retry a failed point by continuation from its nearest solved neighbour
    continuation: bool = True
    source: str | None = None
    name: str = ""

    @property
    def monte_carlo(self) -> bool:
        return self.samples is not None

    def points(self) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        """Every point: (one number or word per varied input, in its ``symbol``; the
        ``--set`` overrides that make it, grid values exactly as written)."""
        if self.monte_carlo:
            rng = np.random.default_rng(self.seed)
            cols = [v.sample(rng, self.samples) for v in self.varied]
            out = []
            for row in zip(*cols, strict=True):
                numbers = tuple(float(c) if isinstance(c, float | np.floating) else c
                                for c in row)
                out.append((numbers, {v.path: v.override(x)
                                      for v, x in zip(self.varied, numbers, strict=True)}))
            return out
        return [(tuple(split_value(x, v.path)[0] for x, v in zip(combo, self.varied,
                                                                 strict=True)),
                 {v.path: x for x, v in zip(combo, self.varied, strict=True)})
                for combo in itertools.product(*(v.values for v in self.varied))]


def read_study(path: str | Path) -> Study:
    """Read a study file; raises :class:`InputError` naming the file and field."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"no study file {str(path)!r}", file=str(path)) from None
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"the study file is not valid TOML: {err}", file=str(path)) from None
    try:
        return study_from_dict(doc, path.parent, str(path))
    except InputError as err:
        err.file = err.file or str(path)
        raise InputError(err.message, file=str(path), field=err.field, hint=err.hint) \
            from None


def study_from_dict(doc: dict[str, Any], base: Path = Path(),
                    source: str | None = None) -> Study:
    """A :class:`Study` from the parsed TOML (paths relative to ``base``)."""
    for key in doc:
        if key not in STUDY_KEYS:
            raise InputError(f"unknown key {key!r} in the study", field=key,
                             hint=did_you_mean(key, STUDY_KEYS))
    if "flowsheet" not in doc:
        raise InputError("the study names no flowsheet", field="flowsheet",
                         hint='add flowsheet = "path/to/plant.toml"')
    outputs = doc.get("outputs", [])
    if not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs):
        raise InputError("outputs must be a list of result paths", field="outputs",
                         hint='e.g. outputs = ["recovery.Cu.cathode"]')
    vary = doc.get("vary", {})
    if not vary:
        raise InputError("the study varies nothing", field="vary",
                         hint='add [vary."unit.param"] with values = [...]')
    mc = doc.get("monte_carlo")
    varied = [_varied(p, t, mc is not None) for p, t in vary.items()]
    samples = seed = None
    if mc is not None:
        samples, seed = mc.get("samples"), mc.get("seed", 0)
        if not isinstance(samples, int) or samples < 1:
            raise InputError("monte_carlo.samples must be a whole number of points",
                             field="monte_carlo.samples", hint="e.g. samples = 1000")
        if not isinstance(seed, int):
            raise InputError("monte_carlo.seed must be a whole number",
                             field="monte_carlo.seed")
    batch = doc.get("batch", DEFAULT_BATCH)
    if not isinstance(batch, int) or batch < 1:
        raise InputError("batch must be a whole number of points", field="batch")
    retry = doc.get("continuation", True)
    if not isinstance(retry, bool):
        raise InputError("continuation must be true or false", field="continuation")
    return Study(flowsheet=(base / doc["flowsheet"]), outputs=list(outputs), varied=varied,
                 samples=samples, seed=seed, batch=batch, continuation=retry, source=source,
                 name=str(doc.get("name", "")))


def _varied(path: str, table: Any, monte_carlo: bool) -> Varied:
    where = f"vary.{path}"
    if "." not in path:
        raise InputError(f"{where}: a varied input reads NAME.FIELD (a --set path)",
                         field=where)
    if not isinstance(table, dict):
        raise InputError(f"{where} must be a table", field=where)
    if not monte_carlo:
        values = table.get("values")
        if not isinstance(values, list) or not values:
            raise InputError(f"{where}: a grid needs values = [...]", field=f"{where}.values",
                             hint="or add a [monte_carlo] table to sample distributions")
        symbols = {split_value(v, where)[1] for v in values}
        if len(symbols) > 1:
            raise InputError(f"{where}: give every value in the same unit", field=where,
                             value=values)
        return Varied(path, symbols.pop(), values=values)
    dist = table.get("distribution")
    if dist not in DISTRIBUTIONS:
        raise InputError(f"{where}: distribution {dist!r} is not one of "
                         + ", ".join(DISTRIBUTIONS), field=f"{where}.distribution",
                         hint=did_you_mean(str(dist), DISTRIBUTIONS))
    params: dict[str, Any] = {}
    symbols: set[str] = set()
    for key in DISTRIBUTIONS[dist]:
        if key not in table:
            raise InputError(f"{where}: a {dist} distribution needs {key}",
                             field=f"{where}.{key}",
                             hint="fields: " + ", ".join(DISTRIBUTIONS[dist]))
        if key == "values":
            parts = [split_value(v, where) for v in table["values"]]
            params["values"] = [p[0] for p in parts]
            symbols |= {p[1] for p in parts}
        else:
            number, symbol = split_value(table[key], where)
            if isinstance(number, str):
                raise InputError(f"{where}.{key} must be a number", field=f"{where}.{key}")
            params[key] = number
            symbols.add(symbol)
    if "weights" in table:
        w = np.asarray(table["weights"], dtype=float)
        if dist != "discrete" or len(w) != len(params["values"]) or (w < 0).any():
            raise InputError(f"{where}: weights go with a discrete distribution, one per "
                             "value", field=f"{where}.weights")
        params["weights"] = list(w / w.sum())
    if len(symbols) > 1:
        raise InputError(f"{where}: give every parameter in the same unit "
                         f"(found {', '.join(sorted(symbols))})", field=where)
    bad = (dist in ("normal", "lognormal") and params["sd"] < 0) or \
        (dist == "lognormal" and params["mean"] <= 0) or \
        (dist == "uniform" and params["low"] > params["high"]) or \
        (dist == "triangular" and not params["low"] <= params["mode"] <= params["high"])
    if bad:
        raise InputError(f"{where}: the {dist} distribution's parameters are out of order "
                         "or negative", field=where)
    return Varied(path, symbols.pop() if symbols else "", distribution=dist, params=params)
