"""Small plants the unit tests solve, built in one place: a flowsheet from its units and
a stream table (:func:`plant`), the copper-oxide leach train (:func:`leach_train`) and
the bleed neutraliser (:func:`neutraliser_line`); and a flowsheet file from its text
(:func:`flowsheet_file`)."""

from __future__ import annotations

from pathlib import Path

from polyflow import Flowsheet
from polyflow.units import Feed, Product
from polyflow.units.base import Unit

__all__ = ["LEACH_SPECIES", "flowsheet_file", "leach_train", "neutraliser_line", "plant"]

#: the species of the copper-oxide leach train
LEACH_SPECIES = ["CuO", "H2SO4", "CuSO4", "H2O", "SiO2"]


def plant(species, units: list[Unit], streams: dict[str, str],
          name: str | None = None) -> Flowsheet:
    """A flowsheet of ``units``, connected as ``streams`` says (``{"name": "unit.port ->
    unit.port"}``, ports optional, as in a file's [streams] table), in that order."""
    fs = Flowsheet(species) if name is None else Flowsheet(species, name=name)
    for unit in units:
        fs.add(unit)
    for stream, ends in streams.items():
        src, dst = (end.strip() for end in ends.split("->"))
        fs.connect(stream, src, dst)
    return fs


def leach_train(ore: dict[str, str], leach: Unit, temperature: str | None = None
                ) -> Flowsheet:
    """The ore feed (flows ``ore``, at ``temperature`` if given) into the leach unit
    ``leach`` (named "leach"), its discharge to the product "slurry" and its vent to
    "gas": streams f, d and v."""
    feed = Feed("ore", flows=ore) if temperature is None else \
        Feed("ore", flows=ore, temperature=temperature)
    return plant(LEACH_SPECIES, [feed, leach, Product("slurry"), Product("gas")],
                 {"f": "ore -> leach", "d": "leach.discharge -> slurry",
                  "v": "leach.vent -> gas"})


def neutraliser_line(species, feeds: dict[str, Unit], lime: Unit,
                     neutraliser: Unit) -> Flowsheet:
    """``feeds`` (stream name -> feed unit) and the ``lime`` feed into ``neutraliser``
    (named "neut"): stream l brings the lime, t takes the slurry to "tails" and v the
    vent gas to "vent"."""
    streams = {s: f"{feed.name} -> neut.feed" for s, feed in feeds.items()}
    streams |= {"l": f"{lime.name} -> neut.lime", "t": "neut.slurry -> tails",
                "v": "neut.vent -> vent"}
    return plant(species, [*feeds.values(), lime, neutraliser, Product("tails"),
                           Product("vent")], streams)


def flowsheet_file(tmp_path: Path, text: str, name: str = "plant.toml") -> Path:
    """``text`` written as the flowsheet file ``name`` in ``tmp_path``."""
    path = tmp_path / name
    path.write_text(text)
    return path
