"""One typed settings object for the whole pipeline, read once from the environment.

Every setting can be given as an environment variable prefixed ``COMPLAINTS_``
(nested ones with ``__``, e.g. ``COMPLAINTS_PATTERNS__PERSISTENT_MONTHS=4``)
or in a ``.env`` file in the working directory.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
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
    """Thresholds of the pattern flags (clauses 3.4, 3.5, 6.2, 7.1). See README 'Pattern flags'."""

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
        "many people (each expecting dispersion_min_expected over 12 months): with fewer, one "
        "person's own difference (a real outlier) sets it.",
    )
    dispersion_winsor: float = Field(
        0.0,
        ge=0,
        lt=0.5,
        description="Share of the z-scores clipped at each end before tau2 is estimated. "
        "FunnelPlotR clips 10%; on the simulated case-mix world that under-estimated tau2 "
        "(0.23 for a true 1) and left 20 medium flags where chance allowed 1.4, 8 unclipped.",
    )
    dispersion_min_expected: float = Field(
        1.0, description="Over-dispersion is estimated from subjects expecting at least this."
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
    calendar_file: Path | None = Field(
        None, description="Company calendar YAML adding days off/working days (README 'Calendar')."
    )
    sla: SlaSettings = SlaSettings()
    patterns: PatternSettings = PatternSettings()

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, read once per process."""
    return Settings()
