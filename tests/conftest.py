"""Shared fixtures: a fresh COMPLAINTS_HOME per test, with a real DuckDB warehouse file."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner, Result

from base.settings import Settings, get_settings
from base.warehouse import connect, ensure_schema
from pipelines.resources import WarehouseResource

REPO = Path(__file__).resolve().parents[1]


def invoke(*args: str) -> Result:
    """`complaints ARGS` in-process; whatever it prints, never a traceback."""
    from pipelines.cli import app

    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return result


def _realdata() -> Path:
    """The shared datasets that may not be republished (so not in tests/data/):
    $COMPLAINTS_REALDATA, else shared/realdata beside the checkout (where CI lays it)."""
    for candidate in (os.environ.get("COMPLAINTS_REALDATA"), REPO.parent / "shared" / "realdata"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return REPO.parent / "shared" / "realdata"


REALDATA = _realdata()
TESTDATA = REPO / "tests" / "data"  # the public samples vendored with their SOURCE.md


def require_realdata(path: Path) -> Path:
    """A shared dataset a test needs. Missing where COMPLAINTS_REALDATA says it is: a failure
    (the setting is wrong); missing with no setting: a skip whose reason every run prints (-rs
    in pytest's options). Either way one line naming what to set; never a silent pass."""
    if path.exists():
        return path
    reason = f"{path} is missing: set COMPLAINTS_REALDATA to the folder holding the shared datasets"
    if os.environ.get("COMPLAINTS_REALDATA"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


# The account running the tests may request HR dossiers (settings.privacy.hr_requesters).
HR_REQUESTERS = json.dumps([getpass.getuser()])


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("COMPLAINTS_HOME", str(home))
    monkeypatch.setenv("COMPLAINTS_PSEUDONYM_KEY", "test-key-not-secret")
    monkeypatch.setenv("COMPLAINTS_PRIVACY__HR_REQUESTERS", HR_REQUESTERS)
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture
def settings(home: Path) -> Settings:
    return get_settings()


@pytest.fixture
def warehouse(home: Path) -> WarehouseResource:
    return WarehouseResource(home=str(home))


@pytest.fixture
def con(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(settings.warehouse_path) as connection:
        ensure_schema(connection)
        yield connection


def complaint(cid: str | None, received: str | None, **fields: Any) -> dict[str, Any]:
    """A register row with sensible defaults; timestamps as 'YYYY-MM-DD HH:MM'."""
    row = {
        "complaint_id": cid,
        "received_at": _ts(received),
        "channel": "email",
        "customer_name": f"Khách {cid}",
        "customer_phone": "0912345678",
        "category": "service",
    }
    for key, value in fields.items():
        row[key] = _ts(value) if key.endswith("_at") and isinstance(value, str) else value
    return row


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> Any:
    """The first value of the one row ``sql`` returns (a count, a stored field)."""
    row = con.execute(sql, params).fetchone()
    assert row is not None, f"expected a row from {sql}"
    return row[0]


def run_cli(
    home: Path,
    *args: str,
    env: dict | None = None,
    cwd: Path | None = REPO,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess:
    """`complaints ARGS` in a new process on ``home`` (the test pseudonym key), output captured."""
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        cwd=cwd,
        env={
            **os.environ,
            "COMPLAINTS_HOME": str(home),
            "COMPLAINTS_PSEUDONYM_KEY": "test-key-not-secret",
            "COMPLAINTS_PRIVACY__HR_REQUESTERS": HR_REQUESTERS,
            **(env or {}),
        },
        capture_output=True,
        text=True,
        preexec_fn=preexec_fn,
        timeout=300,
    )


def _ts(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A COMPLAINTS_HOME holding the demo register, ingested and built (once per worker)."""
    from tests.demo_home import build_demo_home

    return build_demo_home(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo_settings(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings pointing at the built demo home (read it; do not ingest more into it)."""
    monkeypatch.setenv("COMPLAINTS_HOME", str(demo_home))
    monkeypatch.setenv("COMPLAINTS_PSEUDONYM_KEY", "test-key-not-secret")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def built(settings: Settings) -> Iterator[Callable[..., duckdb.DuckDBPyConnection]]:
    """Store a pattern world (tests.patterns_world) and build it as of 31/10/2026: yields a
    function of the world returning an open connection to the built warehouse."""
    from tests.patterns_world import World, build, store

    with ExitStack() as stack:

        def _built(world: World, as_of: str = "2026-10-31") -> duckdb.DuckDBPyConnection:
            con = stack.enter_context(connect(settings.warehouse_path))
            ensure_schema(con)
            store(con, world)
            build(con, settings, as_of)
            return con

        yield _built
