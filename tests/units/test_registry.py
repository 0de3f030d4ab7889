"""The model registry finds every model's module from the sources without importing it
(issue #19, start-up), and what the command line imports before it has work to do."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import polyflow.units
from polyflow.units.base import _REGISTRY
from polyflow.units.registry import model_modules, model_registry


def _import_every_unit_module() -> None:
    for info in pkgutil.walk_packages(polyflow.units.__path__, "polyflow.units."):
        importlib.import_module(info.name)


def test_the_scanned_modules_are_where_the_models_are_defined():
    _import_every_unit_module()
    for model, module in model_modules().items():
        assert _REGISTRY[model].__module__ == module, model


def test_no_model_of_polyflow_units_escapes_the_scan():
    _import_every_unit_module()
    ours = {m for m, c in _REGISTRY.items() if c.__module__.startswith("polyflow.units.")}
    assert ours == set(model_modules())
    assert len(ours) >= 25          # the scan is not vacuous (29 models in 2026-12)


def test_the_registry_holds_models_registered_elsewhere():
    from polyflow.units.base import Unit

    class Plugged(Unit):
        """A test unit. Source: none (a test)."""

        model = "test_registry_plugged"

        def equations(self, eq):
            pass

    try:
        assert "test_registry_plugged" in model_registry()
        assert model_registry()["test_registry_plugged"] is Plugged
        assert "test_registry_plugged" in list(model_registry())
    finally:
        del _REGISTRY["test_registry_plugged"]
    with pytest.raises(KeyError):
        model_registry()["no_such_model"]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\n"
                          "print('\\n'.join(sys.modules))"], capture_output=True,
                         text=True, check=True)
    return set(out.stdout.split())


def test_the_command_line_imports_no_numerics_before_a_command_runs():
    mods = _modules_after("import polyflow.cli")
    heavy = {"numpy", "scipy", "networkx", "matplotlib", "polyflow.units.base",
             "polyflow.solve", "polyflow.io.reader"}
    assert not heavy & mods, heavy & mods


def test_a_plant_of_mixers_does_not_import_the_mill_or_scipy_interpolate(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[flowsheet]\nspecies = ["H2O"]\n[feeds.w]\nkind = "stream"\n'
                    'flows = {H2O = "1 t/h"}\n[units.m]\nmodel = "mixer"\n'
                    '[products.out]\n[streams]\na = "w -> m"\nb = "m -> out"\n')
    mods = _modules_after(f"import polyflow\npolyflow.load({str(path)!r})")
    assert "polyflow.units.mixer" in mods
    assert not {"polyflow.units.mill", "polyflow.units.ree.unit"} & mods
