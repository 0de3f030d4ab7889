"""Economics of a solved plant: prices, operating and capital cost, cash flow, NPV and
IRR, the value-added ledger per line, CO2 and water per tonne of product.

It reads the result record (:class:`polyflow.result.Result`) and the flowsheet file's
``[economics]`` table with its prices file, and never feeds back into the solve.
``economics_of(path, result)`` is the one call; docs/economics.md explains every figure.
"""

from polyflow.economics.evaluate import Economics, economics_of, evaluate
from polyflow.economics.inputs import EconomicsInputs, read_economics

__all__ = ["Economics", "EconomicsInputs", "economics_of", "evaluate", "read_economics"]
