"""(c) The usual analyst's way, written plainly: pandas read + to_datetime, a row-wise
business-day SLA, groupby trends, and Great Expectations on the DataFrame."""

import datetime as dt
import os
import sys

import pandas as pd

os.environ.setdefault("TQDM_DISABLE", "1")


def working_days_between(start: dt.date, end: dt.date, holidays: set) -> int:
    days, d = 0, start
    while d < end:
        d += dt.timedelta(days=1)
        if d.weekday() < 5 and d not in holidays:
            days += 1
    return days


def due_date(start: dt.date, n: int, holidays: set) -> dt.date:
    d, left = start, n
    while left:
        d += dt.timedelta(days=1)
        if d.weekday() < 5 and d not in holidays:
            left -= 1
    return d


def main(path: str) -> None:
    import great_expectations as gx
    import holidays as hol

    df = pd.read_csv(path, dtype=str)
    for col in ("received_at", "first_response_at", "resolved_at", "review_requested_at"):
        df[col] = pd.to_datetime(df[col], errors="coerce", format="mixed", utc=True)
        # The analyst's own script imports nothing of the project, so its time is its own:
        # the zone is written here as such a script would write it.
        df[col] = df[col].dt.tz_convert("Asia/Ho_Chi_Minh").dt.tz_localize(None)
    years = range(df["received_at"].min().year, df["received_at"].max().year + 2)
    holidays = set(hol.country_holidays("VN", years=years))
    df["receipt_date"] = df["received_at"].dt.date
    df["due_date"] = df["receipt_date"].apply(lambda d: due_date(d, 7, holidays))
    df["working_days_to_response"] = df.apply(
        lambda r: (
            working_days_between(r["receipt_date"], r["first_response_at"].date(), holidays)
            if pd.notna(r["first_response_at"])
            else None
        ),
        axis=1,
    )
    df["met"] = df["first_response_at"].dt.date <= df["due_date"]
    df["month"] = df["received_at"].dt.to_period("M")
    df.groupby("month").agg(received=("complaint_id", "size"), met=("met", "sum"))
    df.groupby(["month", "employee_id"]).size()
    df.groupby(["month", "partner_id"]).size()

    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("p")
        .add_dataframe_asset("r")
        .add_batch_definition_whole_dataframe("b")
    )
    suite = context.suites.add(gx.ExpectationSuite("register"))
    e = gx.expectations
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="complaint_id"))
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="received_at"))
    suite.add_expectation(e.ExpectColumnValuesToBeUnique(column="complaint_id"))
    suite.add_expectation(
        e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="first_response_at",
            column_B="received_at",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        )
    )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="v", data=batch, suite=suite)
    )
    definition.run(batch_parameters={"dataframe": df})
    print(len(df))


if __name__ == "__main__":
    main(sys.argv[1])
