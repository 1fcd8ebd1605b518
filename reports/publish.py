"""Write the reports: the month's management and quality pages and analyst tables, and the
restricted, audited HR dossier. Every file is written atomically (temp file, fsync, rename)."""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from base import clock
from base.errors import InputError
from base.settings import Settings
from base.warehouse import has_table
from reports import charts, data, fmt, hr, management, quality, xlsx
from reports.i18n import LANGS
from reports.render import render


class ReportError(InputError):
    """A report could not be written (disk, permissions, unknown employee): one clear line."""


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, write: Callable[[Path], object], mode: int = 0o644) -> Path:
    """Write via ``write(temp_path)`` to a temp file beside ``path``, fsync, then rename.

    The temp file is created with ``mode`` before anything is written to it.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ReportError(path, f"cannot write the report: {exc.strerror or exc}") from None
    temp = Path(name)
    try:
        os.fchmod(fd, mode)
        os.close(fd)
        write(temp)
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ReportError(path, f"cannot write the report: {exc.strerror or exc}") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path


def write_text(path: Path, text: str, mode: int = 0o644) -> Path:
    return atomic_write(path, lambda temp: temp.write_text(text, encoding="utf-8"), mode)


def _check(con: duckdb.DuckDBPyConnection, lang: str) -> dt.date:
    if lang not in LANGS:
        raise ReportError("--lang", f"must be vi or en, not '{lang}'")
    as_of = data.as_of(con)
    if as_of is None or not has_table(con, "marts.sla_monthly"):
        raise ReportError("warehouse", "nothing built yet: run `complaints build` first")
    return as_of


def _names(lang: str) -> tuple[str, str, str]:
    """Each language has its own files, so an English run never overwrites the Vietnamese."""
    suffix = "" if lang == "vi" else f".{lang}"
    return f"management{suffix}.html", f"quality{suffix}.html", f"tables{suffix}.xlsx"


def _other_lang_href(name: str, lang: str) -> str:
    base = name.split(".")[0]
    return f"{base}.en.html" if lang == "vi" else f"{base}.html"


def write_month_reports(
    con: duckdb.DuckDBPyConnection, settings: Settings, month: dt.date, lang: str
) -> list[Path]:
    """management, quality (HTML in ``lang``) and tables[.en].xlsx for ``month``; their
    paths."""
    as_of = _check(con, lang)
    month = month.replace(day=1)
    out = settings.reports_dir / month.strftime("%Y-%m")
    mgmt_name, quality_name, tables_name = _names(lang)
    common = {"period": fmt.month(month, lang), "as_of_text": fmt.date(as_of, lang)}
    mgmt = management.context(con, settings, month, as_of, lang, out)
    qual = quality.context(con, settings, month, as_of, lang)
    paths = [
        plotly_beside(out),
        write_text(
            out / mgmt_name,
            render(
                "management.html.j2",
                lang,
                **common,
                **mgmt,
                other_lang_href=_other_lang_href(mgmt_name, lang),
            ),
        ),
        write_text(
            out / quality_name,
            render(
                "quality.html.j2",
                lang,
                **common,
                **qual,
                other_lang_href=_other_lang_href(quality_name, lang),
            ),
        ),
        atomic_write(out / tables_name, lambda temp: xlsx.write_tables(con, month, temp, lang)),
    ]
    return paths


def plotly_beside(folder: Path) -> Path:
    """plotly.js once per reports folder, before the pages that load it (rewritten only when
    the installed plotly differs), so a page is never visible without its library."""
    path = folder / charts.PLOTLY_FILE
    bundle = charts.plotly_js()
    with contextlib.suppress(OSError):
        if path.stat().st_size == len(bundle.encode("utf-8")) and (
            path.read_text(encoding="utf-8") == bundle
        ):
            return path
    return write_text(path, bundle)


def _private_dir(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
    except OSError as exc:
        raise ReportError(
            folder, f"cannot prepare the restricted folder: {exc.strerror or exc}"
        ) from None


def write_hr_dossier(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    employee_id: str,
    month: dt.date,
    requested_by: str,
    reason: str,
    lang: str,
    account: str | None = None,
) -> Path:
    """One employee's restricted dossier (0600 in a 0700 folder); the request is audited with
    the operating-system account that ran it (``account``, else this process's)."""
    as_of = _check(con, lang)
    month = month.replace(day=1)
    known, team = data.employee_team(con, employee_id)
    if not known:
        raise ReportError(employee_id, "no such staff code in the staff list or the register")
    requested_at = clock.now(settings)
    page = render(
        "hr.html.j2",
        lang,
        period=fmt.month(month, lang),
        as_of_text=fmt.date(as_of, lang),
        other_lang_href="",
        **hr.context(con, employee_id, team, month, lang),
        audit={
            "requested_by": requested_by,
            "reason": reason,
            "requested_at": requested_at.strftime("%Y-%m-%d %H:%M:%S"),
        },
    )
    _private_dir(settings.restricted_dir)
    folder = settings.restricted_dir / "hr"
    _private_dir(folder)
    path = folder / f"{_safe(employee_id)}_{month:%Y-%m}.html"
    audit = [
        requested_at,
        requested_by,
        reason,
        employee_id,
        f"{month:%Y-%m}",
        str(path),
        account if account is not None else os_account(),
    ]
    return audited_write(con, path, page.encode("utf-8"), audit)


def os_account() -> str:
    """The operating-system account running this process (not a name anyone types)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (a bare container)
        return f"uid:{os.getuid()}"


def audit_refusal(
    con: duckdb.DuckDBPyConnection,
    requested_by: str,
    reason: str,
    employee: str,
    month: str,
    account: str,
    refusal: str,
) -> None:
    """A refused HR dossier request in core.audit_log: who ran it and why it was refused, no
    file. The caller passes limited, masked forms of what was typed."""
    con.execute(
        "INSERT INTO core.audit_log (requested_at, requested_by, reason, employee_id, month, "
        "account, decision, refusal) VALUES (?, ?, ?, ?, ?, ?, 'refused', ?)",
        [
            clock.now(),
            requested_by,
            reason,
            employee,
            month,
            account,
            refusal,
        ],
    )


def audited_write(con: duckdb.DuckDBPyConnection, path: Path, content: bytes, audit: list) -> Path:
    """Make ``path`` visible and append its audit row in one transaction: write a 0600 temp
    file beside it, BEGIN, insert the audit row (with the content's SHA-256), rename the temp
    file to ``path``, COMMIT. On any failure the transaction is rolled back and the temp file
    (or the renamed file) removed: the dossier exists if and only if its audit row does."""
    digest = hashlib.sha256(content).hexdigest()
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ReportError(path, f"cannot write the report: {exc.strerror or exc}") from None
    temp, renamed = Path(name), False
    try:
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, content)
            os.fsync(fd)
        finally:
            os.close(fd)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "INSERT INTO core.audit_log (requested_at, requested_by, reason, employee_id, "
                "month, output_path, account, decision, file_sha256) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'granted', ?)",
                [*audit, digest],
            )
            os.replace(temp, path)
            renamed = True
            _fsync_dir(path.parent)
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
    except BaseException as exc:
        if renamed:
            path.unlink(missing_ok=True)
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ReportError(path, f"cannot write the report: {exc.strerror or exc}") from None
        if isinstance(exc, duckdb.Error):
            first = str(exc).splitlines()[0]
            raise ReportError(
                path,
                "cannot record the request in the audit log, so the "
                f"dossier was not written: {first}",
            ) from None
        raise
    return path


def _safe(employee_id: str) -> str:
    """The staff code as a file name (anything but letters, digits, - and _ becomes _)."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in employee_id)
