"""Reports of a result: terminal summary, CSV, JSON and Markdown."""

from polyflow.report.export import FORMATS, render, write_atomic

__all__ = ["FORMATS", "render", "write_atomic"]
