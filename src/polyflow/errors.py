"""One exception hierarchy for polyflow.

Every error keeps its fields (file, line, unit, field, value, hint) and builds its
message from them, so a caller can both print it and inspect it. Each error also
inherits from the built-in exception a Python user would expect (``ValueError``,
``KeyError``, ``ArithmeticError``), following pint's ``DefinitionError(ValueError, PintError)``.

>>> err = InputError("must be between 0 and 1", file="plant.toml", line=12,
...                  unit="bleed", field="fraction", value="1.3",
...                  hint="give a fraction such as '5 %' or 0.05")
>>> print(err)  # doctest: +NORMALIZE_WHITESPACE
plant.toml:12: unit 'bleed', field 'fraction': must be between 0 and 1 (got '1.3');
give a fraction such as '5 %' or 0.05
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "ConvergenceError",
    "DataError",
    "FlowsheetError",
    "InputError",
    "PolyflowError",
    "ReactionError",
    "SingularSystemError",
    "SpecificationError",
    "UnitsOfMeasureError",
    "did_you_mean",
]


def did_you_mean(word: str, choices: Iterable[str], n: int = 3, more: str = "") -> str:
    """Return ``"did you mean 'x'?"`` for the closest choices, or a list of valid ones.

    >>> did_you_mean("thickner", ["thickener", "leach", "mixer"])
    "did you mean 'thickener'?"
    """
    import difflib  # on first use: a third of the command line's start-up

    choices = sorted(set(choices))
    close = difflib.get_close_matches(word, choices, n=n, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    if len(choices) <= 12:
        return "valid names are " + ", ".join(repr(c) for c in choices)
    return f"check the spelling{'; ' + more if more else ''}"


class PolyflowError(Exception):
    """Base of every polyflow error: a message built from fields that stay attached."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        unit: str | None = None,
        field: str | None = None,
        value: object = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.unit = unit
        self.field = field
        self.value = value
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}: " if self.line else f"{self.file}: ")
        where = []
        if self.unit:
            where.append(f"unit '{self.unit}'")
        if self.field:
            where.append(f"field '{self.field}'")
        if where:
            parts.append(", ".join(where) + ": ")
        parts.append(self.message)
        if self.value is not None:
            parts.append(f" (got {self.value!r})")
        if self.hint:
            parts.append(f"; {self.hint}")
        return "".join(parts)

    def located(self, *, file: str | None = None, line: int | None = None,
                unit: str | None = None, field: str | None = None) -> PolyflowError:
        """Fill in place fields that are still empty and re-render the message."""
        self.file = self.file or file
        self.line = self.line or line
        self.unit = self.unit or unit
        self.field = self.field or field
        self.args = (self._render(),)
        return self

    def __str__(self) -> str:
        return self._render()


class InputError(PolyflowError, ValueError):
    """A flowsheet file or a parameter is wrong: names the place and what would fix it."""


class UnitsOfMeasureError(InputError):
    """A quantity such as ``"250 t/h"`` cannot be read or has the wrong dimension."""


class FlowsheetError(InputError):
    """The graph is wrong: an unknown unit or port, a port left open or connected twice."""


class SpecificationError(InputError):
    """Degrees of freedom do not match: a unit or the plant is over- or under-specified."""


class DataError(PolyflowError, KeyError):
    """Physical data are missing or inconsistent (a species, an element, a table)."""

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return self._render()


class ReactionError(InputError):
    """A reaction equation does not parse or does not balance elements or charge."""


class ConvergenceError(PolyflowError, ArithmeticError):
    """Newton did not converge; ``worst`` lists (residual, unit, stream, variable)."""

    def __init__(self, message: str, *, worst: list[tuple[float, str, str, str]] | None = None,
                 iterations: int = 0, **kw) -> None:
        self.worst = worst or []
        self.iterations = iterations
        super().__init__(message, **kw)

    def _render(self) -> str:
        text = super()._render()
        if self.worst:
            lines = [f"  {r:10.3e}  unit '{u}', " + (f"stream '{s}', " if s != "-" else "") + v
                     for r, u, s, v in self.worst]
            text += "\nlargest scaled residuals:\n" + "\n".join(lines)
        return text


class SingularSystemError(PolyflowError, ArithmeticError):
    """The Jacobian is singular: ``unconstrained`` lists ("stream 'NAME'" or
    "unit 'NAME'", variable) pairs that no equation fixes."""

    def __init__(self, message: str, *, unconstrained: list[tuple[str, str]] | None = None,
                 **kw) -> None:
        self.unconstrained = unconstrained or []
        super().__init__(message, **kw)

    def _render(self) -> str:
        text = super()._render()
        if self.unconstrained:
            lines = [f"  {place}, {v}" for place, v in self.unconstrained]
            text += "\nunconstrained variables:\n" + "\n".join(lines)
        return text
