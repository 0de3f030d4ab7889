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


def test_a_bad_file_is_refused_before_numpy_scipy_and_networkx_are_imported(tmp_path):
    """The reader checks the file first (io/schema.py); the numerics come later."""
    import subprocess

    bad = tmp_path / "bad.toml"
    bad.write_text('[flowsheet]\nname = 5\nspecies = ["H2O"]\n')
    code = ("import sys\nfrom polyflow.cli import main\ntry:\n    main(['run', sys.argv[1]])\n"
            "except SystemExit as e:\n    print(e.code)\n"
            "print(sorted({'numpy', 'scipy', 'networkx'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code, str(bad)], capture_output=True,
                         text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["2", "[]"], out
    assert "name must be text" in out.stderr


@pytest.mark.parametrize(("args", "fragment"), [
    (["--feed-a", "nan", "--beta", "2"], "not a finite number"),
    (["--feed-a", "0.5", "--beta", "inf"], "not a finite number"),
    (["--feed-a", "2", "--beta", "2"], "between 0 and 1"),
])
def test_bad_design_input_exits_2(args, fragment):
    from click.testing import CliRunner

    from polyflow.cli import main as command_line

    res = CliRunner().invoke(command_line, ["design", "ree-cascade", *args, "--no-verify"])
    assert res.exit_code == 2, res.output
    assert fragment in res.output
