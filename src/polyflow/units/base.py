"""The unit-operation base class, parameter specs and the model registry.

A unit model is one small subclass that declares

* ``model``: the name used in flowsheet files (``model = "mixer"``);
* ``inlets`` / ``outlets``: port names; a name ending in ``*`` takes any number of
  streams (``"in*"``);
* ``params``: a dict of :class:`Param` (dimension, default, bounds, meaning);
* ``equations(eq)``: adds exactly one equation per unknown of its outlet streams
  (species flows and temperature) and of its internal variables, through the
  :class:`~polyflow.solve.system.UnitEquations` helper;
* optionally ``results``: a dict of :class:`Reported` (unit of measure, meaning) and
  ``report(sol)``, which returns those results by name (``{"heat_of_reaction": -12.0}``);
  and ``power_kW(sol)``, the electrical power. Power and duty are every unit's.

The class is checked when it is defined (as BioSTEAM does): a model without a name, a
docstring citing its source, or an ``equations`` method is refused with a message that
says what to add.
"""

from __future__ import annotations

import difflib
import math
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from polyflow.errors import (
    InputError,
    PolyflowError,
    SpecificationError,
    UnitsOfMeasureError,
    did_you_mean,
)
from polyflow.quantity import parse_quantity

if TYPE_CHECKING:
    from polyflow.chem.species import SpeciesSet
    from polyflow.solve.solution import UnitSolution
    from polyflow.solve.system import UnitEquations

__all__ = ["KINDS", "Param", "Reported", "Unit", "declared_results", "read_choice",
           "read_integer"]

_REGISTRY: dict[str, type[Unit]] = {}


#: the kinds of parameter: a quantity with units of measure (or a structured value read
#: by ``parse``), a whole number, one of a set of words
KINDS = ("quantity", "integer", "choice")


@dataclass(frozen=True)
class Param:
    """Specification of one unit parameter.

    ``dimension`` is one of :data:`polyflow.quantity.DIMENSIONS`, or ``None`` for a
    structured value read by ``parse`` (reactions, split tables, ...). ``bounds`` are in
    the internal unit; ``default=None`` with ``required=True`` makes it mandatory.

    Two more kinds are made by their constructors: :meth:`integer` (a whole number
    within bounds: stages, tanks, cells) and :meth:`choice` (one of a few words, with
    aliases: a model or a category). Their errors name the bound or the choices and the
    value received (the unit adds the unit and field names), with "did you mean" for a
    misspelt choice:

    >>> Param.integer("number of tanks", default=1, bounds=(1, 30)).read(4)
    4
    >>> Param.integer("number of tanks", bounds=(1, 30)).read(2.5)
    Traceback (most recent call last):
    ...
    polyflow.errors.InputError: must be a whole number from 1 to 30 (got 2.5)
    >>> Param.choice("isotherm", ("constant", "ph")).read("PH")
    'ph'
    >>> Param.choice("isotherm", ("constant", "ph")).read("constnt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    polyflow.errors.InputError: must be one of 'constant', 'ph' (got 'constnt'); did you ...
    """

    dimension: str | None
    doc: str
    default: Any = None
    bounds: tuple[float, float] | None = None
    required: bool = False
    parse: Callable[[Any], Any] | None = None
    #: the value names a stream of the plant (renamed with it when its file is
    #: included under a prefix)
    stream: bool = False
    #: "quantity", "integer" or "choice" (see :data:`KINDS`)
    kind: str = "quantity"
    #: the accepted words of a choice, in the spelling the unit receives
    choices: tuple[str, ...] = ()
    #: other spellings of a choice: alias -> choice
    aliases: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise TypeError(f"Param kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise TypeError("a choice Param needs its choices")

    @classmethod
    def integer(cls, doc: str, default: int | None = None,
                bounds: tuple[int, int | None] = (0, None), required: bool = False) -> Param:
        """A whole number within ``bounds`` (``(low, None)``: no upper bound); its
        dimension is ``ratio``, polyflow's dimensionless quantity."""
        return cls("ratio", doc, default=default, bounds=bounds, required=required,
                   kind="integer")

    @classmethod
    def choice(cls, doc: str, choices: tuple[str, ...], default: str | None = None,
               aliases: Mapping[str, str] | None = None, required: bool = False) -> Param:
        """One of ``choices`` (or an alias of one), matched regardless of case, spaces
        and hyphens; the value is the choice as spelt in ``choices``."""
        return cls(None, doc, default=default, required=required, kind="choice",
                   choices=tuple(choices), aliases=aliases)

    def read(self, value: Any) -> Any:
        if self.kind == "integer":
            return read_integer(value, self.bounds)
        if self.kind == "choice":
            return read_choice(value, self.choices, self.aliases)
        if self.parse is not None:
            return self.parse(value)
        if self.dimension is None:
            return value
        x = parse_quantity(value, self.dimension)
        if self.bounds is not None:
            lo, hi = self.bounds
            if not (lo <= x <= hi) or math.isnan(x):
                raise InputError(f"must be between {lo:g} and {hi:g} (internal units of "
                                 f"{self.dimension})", value=value)
        return x


def read_integer(value: Any, bounds: tuple[int, int | None] | None = None,
                 what: str = "") -> int:
    """``value`` as an ``int`` within ``bounds`` (inclusive; ``None``: open). A float
    with no fraction (``3.0``) is accepted; ``True``, ``2.5`` and ``"3"`` are not.
    ``what`` names the value in the message when it is not a parameter of its own."""
    lo, hi = bounds if bounds is not None else (None, None)
    if lo is not None and hi is not None:
        need = f"a whole number from {lo} to {hi}"
    elif lo is not None:
        need = f"a whole number of at least {lo}"
    elif hi is not None:
        need = f"a whole number of at most {hi}"
    else:
        need = "a whole number"
    ok = (not isinstance(value, bool) and isinstance(value, int | float)
          and math.isfinite(value) and float(value).is_integer())
    if not ok or (lo is not None and value < lo) or (hi is not None and value > hi):
        raise InputError(f"{what + ' ' if what else ''}must be {need}", value=value)
    return int(value)


def _fold(word: str) -> str:
    return word.strip().lower().replace("-", "_").replace(" ", "_")


def read_choice(value: Any, choices: tuple[str, ...],
                aliases: Mapping[str, str] | None = None, what: str = "") -> str:
    """The choice that ``value`` names: one of ``choices`` or a key of ``aliases``,
    matched exactly first, then regardless of case, spaces and hyphens. The error lists
    the choices, the value received and the closest spelling."""
    names = {c: c for c in choices} | dict(aliases or {})
    if isinstance(value, str):
        if value in names:
            return names[value]
        folded = {_fold(k): v for k, v in names.items()}
        if _fold(value) in folded:
            return folded[_fold(value)]
    listed = ", ".join(repr(c) for c in choices)
    word = str(value)
    close = difflib.get_close_matches(_fold(word), [_fold(k) for k in names], n=1,
                                      cutoff=0.6)
    hint = None
    if close:
        target = {_fold(k): k for k in names}[close[0]]
        hint = f"did you mean {names[target]!r}?"
    raise InputError(f"{what + ' ' if what else ''}must be one of {listed}", value=value,
                     hint=hint)


@dataclass(frozen=True)
class Reported:
    """Declaration of one result a unit reports: its unit of measure as printed
    (``"kW"``, ``"kWh/t"``, ``"%"``, ``"g/L"``; ``""`` for a pure number such as a pH or
    a ratio) and its meaning. Tables print ``NAME [UNIT]`` and the JSON document keys it
    ``NAME_UNIT`` (:func:`polyflow.result.result_key`). A name may hold ``{field}``
    placeholders for a family of results (``"C_stage{k}"``); ``report`` then returns
    the filled-in names (``"C_stage1"``)."""

    unit: str
    doc: str


class Unit:
    """Base of every unit model. Subclasses are small; see the module docstring."""

    model: ClassVar[str] = ""
    inlets: ClassVar[tuple[str, ...]] = ("in",)
    outlets: ClassVar[tuple[str, ...]] = ("out",)
    params: ClassVar[dict[str, Param]] = {}
    #: "feed", "product" (a plant boundary) or "process"
    role: ClassVar[str] = "process"
    #: results ``report`` returns, by name: unit of measure and meaning
    results: ClassVar[dict[str, Reported]] = {}
    #: what an outlet carries, for reports: "coarse"/"fine" (a size classifier),
    #: "concentrate"/"tailings" (a flotation bank)
    outlet_kinds: ClassVar[dict[str, str]] = {}
    #: number of internal unknowns (stage concentrations, extents...), per instance
    n_internal: int = 0
    #: ``equations_batch(units, eq)``, a class method writing the equations of many
    #: units of this class at once (:mod:`polyflow.solve.batch`); ``None``: one at a time
    equations_batch: ClassVar[Callable[..., None] | None] = None

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.__dict__.get("abstract", False):
            return
        name = cls.__name__
        if not cls.model:
            raise TypeError(f"unit class {name} needs a class attribute model = '<name>'")
        doc = cls.__doc__ or ""
        if "Source" not in doc and "Reference" not in doc:
            raise TypeError(f"unit class {name}: its docstring must cite its equation's source "
                            f"in a 'Source' or 'References' section")
        if cls.equations is Unit.equations:
            raise TypeError(f"unit class {name} must define equations(self, eq)")
        if cls.model in _REGISTRY and _REGISTRY[cls.model] is not cls:
            raise TypeError(f"unit model name {cls.model!r} is used by "
                            f"{_REGISTRY[cls.model].__name__} already")
        _REGISTRY[cls.model] = cls

    def __init__(self, name: str, **values: Any) -> None:
        self.name = name
        #: plant area for reports ("leach", "SX-EW"); a flowsheet file sets it with area =
        self.area = name
        self.raw: dict[str, Any] = dict(values)
        unknown = set(values) - set(self.params)
        if unknown:
            field = sorted(unknown)[0]
            raise InputError(f"model '{self.model}' has no parameter {field!r}", unit=name,
                             field=field, hint=did_you_mean(field, self.params))
        self.p: dict[str, Any] = {}
        for key, spec in self.params.items():
            if key in values:
                try:
                    self.p[key] = spec.read(values[key])
                except PolyflowError as err:
                    raise err.located(unit=name, field=key) from None
                except (TypeError, ValueError, AttributeError, KeyError, IndexError,
                        ArithmeticError) as err:    # a value of a type the parser missed
                    raise InputError(f"cannot read this value ({type(err).__name__}: {err})",
                                     unit=name, field=key, value=values[key],
                                     hint=f"the field takes {spec.doc}") from None
            elif spec.required:
                raise InputError(f"model '{self.model}' needs parameter {key!r} ({spec.doc})",
                                 unit=name, field=key)
            else:
                self.p[key] = spec.default
        self.validate()

    def __setattr__(self, name: str, value: Any) -> None:
        # ``unit.temperature = "60 degC"`` from outside would set an attribute nothing
        # reads: say how (a unit's own methods may keep what they derive under any name)
        params = type(self).params
        if name in params and name not in self.__dict__ and not hasattr(type(self), name) \
                and sys._getframe(1).f_locals.get("self") is not self:
            raise AttributeError(
                f"unit {self.__dict__.get('name', '?')!r}: {name!r} is a parameter, read "
                f"from unit.p[{name!r}]; change it on its flowsheet with "
                f"fs.set('{self.__dict__.get('name', 'UNIT')}.{name}', VALUE) (the same "
                "paths and units as --set)")
        object.__setattr__(self, name, value)

    # Hooks -----------------------------------------------------------------------------
    def validate(self) -> None:
        """Check parameters against each other (over/under-specification). Override."""

    def bind(self, species: SpeciesSet) -> None:
        """Resolve species names against the flowsheet's species set. Override."""

    def outlet_ports(self) -> tuple[str, ...]:
        """Outlet port names of this instance (a splitter's come from its fractions)."""
        return self.outlets

    def inlet_ports(self) -> tuple[str, ...]:
        return self.inlets

    def equations(self, eq: UnitEquations) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def batchable(self) -> bool:
        """Whether this instance is written by its class's ``equations_batch`` (when the
        class has one). Override to keep an instance the batch cannot write."""
        return type(self).equations_batch is not None

    def report(self, sol: UnitSolution) -> dict[str, float]:
        """The results declared in ``results``, by name, for the solved streams.
        Override."""
        return {}

    def power_kW(self, sol: UnitSolution) -> float:
        """Electrical power drawn [kW]; it enters the energy balance. Override."""
        return 0.0

    def fail(self, message: str, field: str | None = None, hint: str | None = None,
             value: Any = None) -> InputError:
        """An :class:`InputError` placed at this unit (and field)."""
        return InputError(message, unit=self.name, field=field, hint=hint, value=value)

    def misspecified(self, message: str, field: str | None = None,
                     hint: str | None = None) -> SpecificationError:
        """A :class:`SpecificationError` (over- or under-specified) at this unit."""
        return SpecificationError(message, unit=self.name, field=field, hint=hint)

    def at_most_one(self, *fields: str) -> None:
        """Raise the over-specified error when more than one of ``fields`` is given.

        For the parameters that are alternatives, such as ``temperature`` or ``duty``:
        "over-specified: give 'temperature' or 'duty', not both", at the last one given.
        """
        given = [f for f in fields if self.p[f] is not None]
        if len(given) > 1:
            names = " or ".join(f"'{f}'" for f in fields)
            both = "not both" if len(fields) == 2 else "only one"
            raise self.misspecified(f"over-specified: give {names}, {both}", given[-1])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


def read_fraction_table(value: Any, what: str) -> dict[str, float]:
    """Read ``{name: "5 %"}`` into ``{name: 0.05}``, naming the entry that is wrong."""
    if not isinstance(value, Mapping):
        raise InputError(f"expected a table of {what} such as {{bleed = '5 %'}}", value=value)
    out: dict[str, float] = {}
    for k, v in value.items():
        if isinstance(v, str) and v.strip() == "rest":
            out[k] = math.nan
            continue
        try:
            x = parse_quantity(v, "fraction")
        except UnitsOfMeasureError as err:
            raise InputError(f"{what} {k!r}: {err.message}", hint=err.hint) from None
        if not 0.0 <= x <= 1.0:
            raise InputError(f"{what} {k!r} must be between 0 and 100 %", value=v)
        out[k] = x
    return out




def _template(name: str) -> re.Pattern[str] | None:
    if "{" not in name:
        return None
    parts = re.split(r"\{[^}]*\}", name)
    return re.compile("(.+?)".join(re.escape(p) for p in parts) + r"\Z")


def result_declaration(cls: type[Unit], name: str) -> Reported | None:
    """The declaration of result ``name`` of a model (exact, or a family's template)."""
    spec = cls.results.get(name)
    if spec is not None:
        return spec
    for template, spec in cls.results.items():
        pattern = _template(template)
        if pattern is not None and pattern.match(name):
            return spec
    return None


def declared_results(unit: Unit, sol: UnitSolution) -> tuple[dict[str, float], dict[str, str]]:
    """The unit's results for ``sol``: (name -> value, name -> unit of measure).

    A name ``report`` returns without a declaration is a defect of the model, refused
    with a message that says what to add.
    """
    values = {k: float(v) for k, v in unit.report(sol).items()}
    units = {}
    for name in values:
        spec = result_declaration(type(unit), name)
        if spec is None:
            raise TypeError(f"unit model {unit.model!r} reports {name!r} without declaring "
                            f"it: add {name!r}: Reported('<unit of measure>', '<meaning>') to "
                            f"{type(unit).__name__}.results")
        units[name] = spec.unit
    return values, units
