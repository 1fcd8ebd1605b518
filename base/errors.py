"""The one error type users see for bad input: one line naming the file and what is wrong."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A file (or option) the pipeline refuses; nothing from it is loaded."""

    def __init__(self, source: Path | str, problem: str) -> None:
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")
