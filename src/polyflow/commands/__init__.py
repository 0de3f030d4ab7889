"""The commands of ``polyflow``, one module each (click only; no model logic here), and
the helpers they share: :mod:`.guard` (errors to exit codes, ``--set``), :mod:`.options`,
:mod:`.progress`, :mod:`.solving` and :mod:`.output`. The group is :mod:`polyflow.cli`."""
