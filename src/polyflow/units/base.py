"""The unit-operation base class, parameter specs and the model registry.

A unit model is one small subclass that declares

* ``model``: the name used in flowsheet files (``model = "mixer"``);
* ``inlets`` / ``outlets``: port names; a name ending in ``*`` takes any number of
  streams (``"in*"``);
* ``params``: a dict of :class:`Param` (dimension, default, bounds, meaning);
* ``equations(eq)``: adds exactly one equation per unknown of its outlet streams
  (species flows and temperature) and of its internal variables, through the
  :class:`~polyflow.solve.system.UnitEquations` helper;
* optionally ``report(sol)``: power, duty and other results for the energy summary.

The class is checked when it is defined (as BioSTEAM does): a model without a name, a
docstring citing its source, or an ``equations`` method is refused with a message that
says what to add.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from polyflow.errors import InputError, SpecificationError, UnitsOfMeasureError, did_you_mean
from polyflow.quantity import parse_quantity

if TYPE_CHECKING:
    from polyflow.chem.species import SpeciesSet
    from polyflow.solve.solution import UnitSolution
    from polyflow.solve.system import UnitEquations

__all__ = ["Param", "Unit", "declared_results"]

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


class Unit:
    """Base of every unit model. Subclasses are small; see the module docstring."""

    model: ClassVar[str] = ""
    inlets: ClassVar[tuple[str, ...]] = ("in",)
    outlets: ClassVar[tuple[str, ...]] = ("out",)
    params: ClassVar[dict[str, Param]] = {}
    #: "feed", "product" (a plant boundary) or "process"
    role: ClassVar[str] = "process"
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
        """Extra results for the energy and unit summaries (kW, kWh/t, ...). Override."""
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


def declared_results(unit: Unit, sol: UnitSolution) -> tuple[dict[str, float], dict[str, str]]:
    """The unit's results for ``sol``: (name -> value, name -> unit of measure)."""
    return dict(unit.report(sol)), {}
