"""Product: a stream leaving the plant (a product, residue, effluent, gas or loss)."""

from __future__ import annotations

from polyflow.units.base import Param, Unit

__all__ = ["PRODUCT_KINDS", "Product"]

PRODUCT_KINDS = ("product", "residue", "effluent", "gas", "loss")


class Product(Unit):
    """A plant boundary where a stream leaves; it adds no equation (the stream is
    fixed by the unit it comes from) and counts in recoveries and the element balance.

    ``kind`` says what leaves: a saleable ``product``, a solid ``residue``, a liquid
    ``effluent``, ``gas`` or an unaccounted ``loss``.

    Source: the plant boundary of the overall balance "in = out" at steady state,
    Felder & Rousseau, *Elementary Principles of Chemical Processes*, 4th ed., ch. 4.

    Example: a product unit fixes nothing, so it owns no unknown:

    >>> Product("cathode", kind="product").outlet_ports()
    ()
    """

    model = "product"
    role = "product"
    inlets = ("in",)
    outlets = ()
    params = {"kind": Param.choice("product, residue, effluent, gas or loss", PRODUCT_KINDS,
                                   default="product")}

    def equations(self, eq) -> None:
        """No equation: the inlet stream is determined upstream."""
