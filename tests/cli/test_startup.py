"""Start-up of the ``polyflow`` console script (polyflow/__main__.py): Ctrl-C while the
command line is still being imported ends with one line and exit 130 (issue #19)."""

from __future__ import annotations

import sys

import pytest

from polyflow.__main__ import INTERRUPTED, main


class _CtrlCWhileImporting:
    """A meta-path finder that is interrupted when asked for polyflow.cli."""

    def find_spec(self, name, path=None, target=None):
        if name == "polyflow.cli":
            raise KeyboardInterrupt
        return


def test_ctrl_c_during_start_up_exits_130_with_one_line(monkeypatch, capsys):
    monkeypatch.delitem(sys.modules, "polyflow.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_CtrlCWhileImporting(), *sys.meta_path])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 130
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [INTERRUPTED]
    assert captured.out == ""


def test_the_console_script_runs_the_command_group(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["polyflow", "--help"])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 0
    assert "polyflow: flowsheet simulation" in capsys.readouterr().out
