"""A function run in a forked process while the build does something else.

``kg build`` writes files beside its graph (the library file, the resolution
state) from what it holds in memory; each is written by a forked child while
Oxigraph loads the graph, so the cores the load leaves idle do the writing.
Where there is no ``fork``, :meth:`Forked.finish` runs the function itself.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from typing import Any

from .storedir import StoreError


class Forked:
    """``fn(*args)`` in a forked process: :meth:`start` it, :meth:`finish`
    waits for it (the seconds waited; :class:`StoreError` naming ``what``
    if it failed), :meth:`abort` kills it."""

    def __init__(self, what: str, fn: Callable[..., object], *args: Any) -> None:
        self.what, self._fn, self._args = what, fn, args
        self._proc: Any = None

    def start(self) -> None:
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        self._proc = multiprocessing.get_context("fork").Process(
            target=self._fn, args=self._args, daemon=True)
        self._proc.start()

    def finish(self) -> float:
        t = time.perf_counter()
        if self._proc is None:
            self._fn(*self._args)
            return round(time.perf_counter() - t, 3)
        self._proc.join()
        if self._proc.exitcode != 0:
            raise StoreError(f"{self.what} failed (exit {self._proc.exitcode})")
        return round(time.perf_counter() - t, 3)

    def abort(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            self._proc.kill()
            self._proc.join()
