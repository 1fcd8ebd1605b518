"""Dagster resources: the warehouse under $COMPLAINTS_HOME, with the settings that go with it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from filelock import FileLock, Timeout

from pipelines.settings import Settings, get_settings
from pipelines.warehouse import WarehouseBusy, WriteFailed, connect

LOCK_WAIT_SECONDS = 30


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse and everything else the pipeline writes, all under ``home``."""

    # Empty: $COMPLAINTS_HOME at the time a run executes (not when the code was imported).
    home: str = ""

    @property
    def settings(self) -> Settings:
        if not self.home:
            return get_settings()
        return get_settings().model_copy(update={"home": Path(self.home)})

    @contextmanager
    def connection(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection; writers take the home's lock so concurrent runs queue, then give up."""
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
            with connect(settings.warehouse_path) as con:
                yield con
        except (OSError, duckdb.IOException) as exc:
            raise WriteFailed(settings.home, exc) from None
        finally:
            lock.release()


def warehouse_from_env() -> WarehouseResource:
    """The warehouse under $COMPLAINTS_HOME, read when each run starts."""
    return WarehouseResource()
