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

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from polyflow.errors import InputError, SpecificationError, UnitsOfMeasureError, did_you_mean
from polyflow.quantity import parse_quantity

if TYPE_CHECKING:
    from polyflow.chem.species import SpeciesSet
    from polyflow.solve.solution import UnitSolution
    from polyflow.solve.system import UnitEquations

__all__ = ["Param", "Reported", "Unit", "declared_results"]

_REGISTRY: dict[str, type[Unit]] = {}


@dataclass(frozen=True)
class Param:
    """Specification of one unit parameter.

    ``dimension`` is one of :data:`polyflow.quantity.DIMENSIONS`, or ``None`` for a
    structured value read by ``parse`` (reactions, split tables, ...). ``bounds`` are in
    the internal unit; ``default=None`` with ``required=True`` makes it mandatory.
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

    def read(self, value: Any) -> Any:
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
                except InputError as err:
                    raise err.located(unit=name, field=key) from None
            elif spec.required:
                raise InputError(f"model '{self.model}' needs parameter {key!r} ({spec.doc})",
                                 unit=name, field=key)
            else:
                self.p[key] = spec.default
        self.validate()

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


#: unit models not yet converted to declared results: their ``report`` keys carry their
#: units (``"max_loading_fraction"``, ``"X_CuO_tank1_%"``) and pass through unchanged.
#: Only for the modules being split in issue #20; a new model must declare its results.
UNDECLARED_RESULTS = frozenset({"ree_cascade", "leach_tanks"})


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
    with a message that says what to add (models in :data:`UNDECLARED_RESULTS` excepted).
    """
    values = {k: float(v) for k, v in unit.report(sol).items()}
    if unit.model in UNDECLARED_RESULTS and not unit.results:
        return values, {}
    units = {}
    for name in values:
        spec = result_declaration(type(unit), name)
        if spec is None:
            raise TypeError(f"unit model {unit.model!r} reports {name!r} without declaring "
                            f"it: add {name!r}: Reported('<unit of measure>', '<meaning>') to "
                            f"{type(unit).__name__}.results")
        units[name] = spec.unit
    return values, units
