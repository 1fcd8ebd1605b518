"""One typed settings object for the whole pipeline, read once from the environment.

Every setting can be given as an environment variable prefixed ``COMPLAINTS_``
(nested ones with ``__``, e.g. ``COMPLAINTS_PATTERNS__PERSISTENT_MONTHS=4``)
or in a ``.env`` file in the working directory.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict


class SlaSettings(BaseModel):
    """Clause 5.1: answer within N working days; the monthly compliance goal."""

    working_days: int = Field(7, ge=1, description="Working days allowed for the first response.")
    goal: float = Field(
        0.95, gt=0, le=1, description="Target share of complaints answered in time."
    )
    at_risk_working_days: int = Field(
        2, ge=0, description="Open complaints due within this many working days are 'at risk'."
    )


class PatternSettings(BaseModel):
    """Thresholds of the pattern flags (clauses 3.4, 3.5, 6.2, 7.1). See docs/statistics.md."""

    serious_subcategories: list[str] = [
        "threat",
        "abuse",
        "inappropriate_demand",
        "third_party_contact",
        "data_disclosure",
    ]
    persistent_months: int = Field(3, description="Distinct months with a substantiated complaint…")
    persistent_window: int = Field(6, description="…within this many months.")
    persistent_fdr: float = Field(
        0.05,
        gt=0,
        lt=1,
        description="False-discovery rate of high persistent flags (Benjamini-Hochberg over "
        "every staff member and partner with activity data of a review month); the others "
        "are 'watch'.",
    )
    outlier_window: int = Field(3, description="Months summed for the outlier rate.")
    min_observed: int = Field(
        3, ge=1, description="outlier_rate never flags fewer findings than this in the window."
    )
    outlier_fdr: float = Field(
        0.05,
        gt=0,
        lt=1,
        description="False-discovery rate of medium outlier_rate flags "
        "(Benjamini-Hochberg over every staff member and partner of a review month).",
    )
    outlier_high_limit: float = Field(0.998, description="Funnel limit drawn; handler_sla level.")
    outlier_watch_limit: float = Field(
        0.95, description="outlier_rate watch: p <= 1 - this for one subject (the 95% limit)."
    )
    min_peers: int = Field(
        5,
        ge=1,
        description="A rate verdict (outlier_rate, persistent) needs at least this many peers, "
        "the subject left out: with fewer, one peer's own difference sets the group's rate.",
    )
    min_peer_findings: int = Field(
        3,
        ge=1,
        description="…and at least this many findings of the peers in the window: below 3 the "
        "peers' rate is unknown to within a factor of about 2 (relative error 1/sqrt(n) > 58%), "
        "and 0 would make any finding impossible by chance (p = 0).",
    )
    dispersion_min_subjects: int = Field(
        30,
        ge=2,
        description="The between-people variance (tau2) is estimated only from at least this "
        "many people with an expected count: with fewer, one person's own difference (a real "
        "outlier) sets it.",
    )
    dispersion_min_months: int = Field(
        3,
        ge=1,
        description="No rate verdict (outlier_rate, persistent, rising_trend) in a review month "
        "with fewer than this many months of history: how much people differ (tau2) is not "
        "known yet. Measured on the case-mix world (docs/statistics.md, seventh round): medium "
        "flags were 8 and 5 against a chance-alone figure of 2.0 in the first two review months "
        "(tau2 0 with one month, from one month against one with two).",
    )
    dispersion_window: int = Field(
        12,
        ge=2,
        description="Months (up to the review month) pooled for tau2, the product of each "
        "person's excess in the window's older and newer halves (docs/statistics.md): a lasting "
        "case mix shows in both halves, a real outlier's burst of a few months does not. At "
        "most the longest rule window (outlier_window + trend_window, or persistent_window): an "
        "incremental build recomputes a review month only when a month of that window changed "
        "(pipelines/month_marts.py). 24 measured the same as 12 on the null worlds.",
    )
    dispersion_z: float = Field(
        2.0,
        ge=0,
        description="tau2 enters the tests only when its pooled estimate exceeds this many of its "
        "standard errors under equal rates (a one-sided test at about 2.3%): without evidence "
        "of variation beyond chance the tests stay the exact ones for equal rates.",
    )
    dispersion_upper_z: float = Field(
        0.0,
        ge=0,
        description="The tests may use tau2 this many of its standard errors (from the people's "
        "own spread) above its estimate: one register gives tau2 only to about +-0.2 at 1, and "
        "the far tails that decide flags are sensitive to it. Measured (docs/statistics.md): "
        "on the case-mix world, seeds 1-6, 0 gives 15 medium flags against a chance-alone bound "
        "of 11, 1 gives 10, 2 gives 7; but the planted outliers raise tau2 too, and 1 lowers "
        "the power at 8 expected findings from 89% to 83% (below the 85% tests/test_patterns.py "
        "holds) and the null worlds' power at 8x from 50% to 46%. Off by default.",
    )
    dispersion_average_se: bool = Field(
        True,
        description="The outlier and persistent tests average their tails over tau2's sampling "
        "uncertainty (3 Gauss-Hermite nodes at tau2 and tau2 +- sqrt(3) of its standard error, "
        "weights 1/6, 2/3, 1/6, floored at 0) instead of taking the estimate as exact: the far "
        "tails are convex in tau2 (docs/statistics.md, seventh round).",
    )
    repeat_days: int = Field(
        30,
        ge=0,
        description="A customer's substantiated complaints about the same person within this "
        "many days of the previous one count as one finding (one incident complained of "
        "again); 0 counts every complaint.",
    )
    trend_window: int = Field(
        9,
        ge=1,
        description="rising_trend: the last outlier_window months against this many before.",
    )
    trend_fdr: float = Field(
        0.2,
        gt=0,
        lt=1,
        description="False-discovery rate of rising_trend (watch only: a signal to look at, "
        "never a basis for action alone), over every staff member and partner of a month.",
    )
    handler_min_volume: int = Field(
        10, description="Handlers with fewer complaints get no verdict."
    )

    @model_validator(mode="after")
    def _dispersion_within_the_rebuilt_window(self) -> PatternSettings:
        # pipelines/month_marts.py recomputes a review month when a month of its longest rule
        # window changed; a longer tau2 window would leave months computed from stale history
        longest = max(self.outlier_window + self.trend_window, self.persistent_window)
        if self.dispersion_min_months > self.dispersion_window:
            raise ValueError(
                f"dispersion_min_months {self.dispersion_min_months} is longer than "
                f"dispersion_window ({self.dispersion_window}): no month would ever be judged"
            )
        if self.dispersion_window > longest:
            raise ValueError(
                f"dispersion_window {self.dispersion_window} is longer than the longest rule "
                f"window ({longest} months), which incremental builds recompute"
            )
        return self


class PrivacySettings(BaseModel):
    """Personal data kept out of the warehouse (clauses 3.3, 4.6). See docs/privacy.md."""

    # At most 8 digits: a word and a phone number ("Thao 0903456789", 9 or 10 digits) or an ID
    # card number (9 or 12) typed into an id column must never read as a code.
    id_code_pattern: str = Field(
        r"[A-Za-z]{1,12}[ _./-]?[0-9]{1,8}(?:[_./-][0-9]{1,6})?",
        description="RE2 pattern of a staff, partner or handler code (NV0001, DT01, XL-3, "
        "Resolver 17). A cell of employee_id, partner_id or handler_id is its code, or the "
        "code it begins with (the rest dropped, warned), or a code of the staff or partners "
        "directory; anything else is left empty (warned), never stored.",
    )
    mask_workers: int = Field(
        1,
        ge=0,
        description="Processes masking personal data in free text in parallel at ingest "
        "(0: one per CPU); batches of fewer than 64 distinct texts stay in the loading process. "
        "1 by default: workers cost ~0.85 s to start, which small files would pay for "
        "nothing; 2 on an idle 2-core machine masked the worst case 1.56x faster "
        "(docs/privacy.md).",
    )
    hr_requesters: list[str] = Field(
        [],
        description="Operating-system accounts allowed to request an HR dossier "
        "(`complaints hr-dossier`); empty: nobody. Checked against the account running the "
        "command, not --requested-by.",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COMPLAINTS_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    home: Path = Field(Path("data"), description="Where the warehouse, inbox and outputs live.")
    pseudonym_key: SecretStr | None = Field(
        None, description="HMAC key for customer_key; else a key file in home is created."
    )
    timezone: str = "Asia/Ho_Chi_Minh"
    max_rejected_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description="A file with more of the rows checked in its load "
        "rejected than this share blocks the marts (with at least min_rejected_rows rejected).",
    )
    min_rejected_rows: int = Field(
        10,
        ge=1,
        description="Fewer rejected rows than this never block: a warning, the good "
        "rows load and the bad ones are quarantined.",
    )
    memory_limit: str = Field(
        "80%",
        description="DuckDB's working memory for the warehouse: a share of this machine's RAM "
        "('80%', DuckDB's own default) or a size ('4GB', '512MB'); beyond it joins and sorts "
        "spill to warehouse.duckdb.tmp under the home (docs/performance.md).",
    )
    snapshot_max_gap_days: int = Field(
        45,
        ge=0,
        description="A snapshot time taken from a file's modification time is warned when it "
        "is more than this many days after the newest timestamp in the file (or in the future).",
    )
    calendar_file: Path | None = Field(
        None, description="Company calendar YAML of days off/working days (docs/data-and-rules.md)."
    )
    sla: SlaSettings = SlaSettings()
    patterns: PatternSettings = PatternSettings()
    privacy: PrivacySettings = PrivacySettings()

    @field_validator("memory_limit")
    @classmethod
    def _memory_limit_is_a_share_or_a_size(cls, value: str) -> str:
        text = value.strip().replace(" ", "")
        share = re.fullmatch(r"(\d+(?:\.\d+)?)%", text)
        if share and 0 < float(share[1]) <= 100:
            return text
        if re.fullmatch(r"\d+(?:\.\d+)?(?:[KMGT]i?B)", text, re.IGNORECASE):
            return text.upper().replace("IB", "iB")
        raise ValueError(
            f"{value!r} is neither a share of the machine's memory ('80%') nor a size ('4GB')"
        )

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def restricted_dir(self) -> Path:
        return self.home / "restricted"

    @property
    def data_docs_dir(self) -> Path:
        return self.home / "data_docs"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"


class SettingsInvalid(ValueError):
    """A setting the environment or .env gives that its type refuses: one line per setting."""

    def __init__(self, exc: ValidationError) -> None:
        lines = []
        for error in exc.errors():
            name = "COMPLAINTS_" + "__".join(str(part).upper() for part in error["loc"])
            given = "" if "key" in name.lower() else f"={error['input']!r}"  # never echo a key
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"{name}{given}: {message}; fix it in the environment or .env")
        super().__init__("\n".join(lines))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, read once per process; a refused setting is SettingsInvalid."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsInvalid(exc) from None
