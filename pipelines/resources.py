"""Dagster resources: the warehouse under $COMPLAINTS_HOME, with the settings that go with it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from filelock import FileLock, Timeout
from pydantic import PrivateAttr

from base.settings import Settings, get_settings
from base.warehouse import MemoryExhausted, WarehouseBusy, WriteFailed, connect

LOCK_WAIT_SECONDS = 30


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse and everything else the pipeline writes, all under ``home``."""

    # Empty: $COMPLAINTS_HOME at the time a run executes (not when the code was imported).
    home: str = ""
    # Within a run, every step shares one connection (and holds the lock) from the first step
    # that asks until the run ends: opening and checkpointing DuckDB per step cost ~30 ms
    # each, 34 times per build. None outside a run (tests, sensors): a connection per use.
    _run: ExitStack | None = PrivateAttr(default=None)
    _shared: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._run = ExitStack()  # opened lazily: a sensor tick never takes the lock

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        run, self._run, self._shared = self._run, None, None
        if run is not None:
            run.close()

    @property
    def settings(self) -> Settings:
        if not self.home:
            return get_settings()
        return get_settings().model_copy(update={"home": Path(self.home)})

    @contextmanager
    def connection(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection; writers take the home's lock so concurrent runs queue, then give up.
        Within a run, the run's one connection."""
        if self._run is not None:
            if self._shared is None:
                self._shared = self._run.enter_context(self._open(read_only=False))
            with self._errors():
                yield self._shared
            return
        with self._open(read_only) as con, self._errors():
            yield con

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (OSError, duckdb.IOException) as exc:
            raise WriteFailed(self.settings.home, exc) from None
        except duckdb.OutOfMemoryException:  # never DuckDB's multi-line advice: our setting
            raise MemoryExhausted() from None

    @contextmanager
    def _open(self, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        settings = self.settings
        settings.home.mkdir(parents=True, exist_ok=True)
        if read_only:
            with connect(settings.warehouse_path, read_only=True) as con:
                yield con
            return
        lock = FileLock(str(settings.home / "warehouse.lock"))
        try:
            lock.acquire(timeout=LOCK_WAIT_SECONDS)
        except Timeout:
            raise WarehouseBusy(
                f"{settings.warehouse_path}: another complaints run has held the warehouse for "
                f"{LOCK_WAIT_SECONDS} s; try again when it has finished"
            ) from None
        try:
            with self._errors(), connect(settings.warehouse_path) as con:
                yield con
        finally:
            lock.release()


def warehouse_from_env() -> WarehouseResource:
    """The warehouse under $COMPLAINTS_HOME, read when each run starts."""
    return WarehouseResource()
