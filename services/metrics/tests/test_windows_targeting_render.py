"""Pure pieces added with the service: the API's period names, item targeting, CSV cells and
the digest charts (no infrastructure)."""

from datetime import UTC, date, datetime

import pytest

from resonance.metrics.domain.periods import PeriodKind
from resonance.metrics.domain.segments import Profile
from resonance.metrics.domain.targeting import offered_to
from resonance.metrics.domain.windows import (
    MAX_CUSTOM_DAYS,
    PeriodName,
    PeriodRequest,
    WindowRefusal,
    board_labels,
    resolve,
)
from resonance.metrics.render.charts import bar_chart, daily_chart
from resonance.metrics.render.csv_export import to_csv

# Sunday 31 May 2026, 23:30 UTC: already Monday 1 June in Paris.
LATE_SUNDAY = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)


def test_api_names_map_to_periods_in_the_tenant_zone() -> None:
    month = resolve(PeriodRequest(PeriodName.MONTH), LATE_SUNDAY, "Europe/Paris")
    assert (month.kind, month.first_day, month.end_day) == (
        PeriodKind.MONTH,
        date(2026, 6, 1),
        date(2026, 7, 1),
    )
    utc_month = resolve(PeriodRequest(PeriodName.MONTH), LATE_SUNDAY, "UTC")
    assert utc_month.first_day == date(2026, 5, 1)
    assert resolve(PeriodRequest(PeriodName.ALL), LATE_SUNDAY, "UTC").first_day is None
    custom = resolve(
        PeriodRequest(PeriodName.CUSTOM, date(2026, 5, 1), date(2026, 5, 8)), LATE_SUNDAY, "UTC"
    )
    assert custom.days == 7


@pytest.mark.parametrize(
    "request_",
    [
        PeriodRequest(PeriodName.CUSTOM),
        PeriodRequest(PeriodName.CUSTOM, date(2026, 5, 8), date(2026, 5, 8)),
        PeriodRequest(PeriodName.CUSTOM, date(2020, 1, 1), date(2020, 1, 1).replace(year=2024)),
        PeriodRequest(PeriodName.WEEK, date(2026, 5, 1), None),
    ],
)
def test_unreadable_windows_are_refused(request_: PeriodRequest) -> None:
    with pytest.raises(WindowRefusal):
        resolve(request_, LATE_SUNDAY, "UTC")
    assert (date(2024, 1, 1) - date(2020, 1, 1)).days > MAX_CUSTOM_DAYS


def test_a_fact_counts_on_the_calendar_boards_of_its_local_day() -> None:
    # Monday 1 June in Paris: ISO week 23, June, the second quarter.
    assert dict(board_labels(LATE_SUNDAY, "Europe/Paris")) == {
        PeriodKind.WEEK: "2026-W23",
        PeriodKind.MONTH: "2026-06",
        PeriodKind.QUARTER: "2026-Q2",
        PeriodKind.ALL_TIME: "all-time",
    }


def test_targeting_matches_like_a_segment_plus_worker_type() -> None:
    lyon = Profile(programmes=frozenset({"p1"}), site="lyon", country="FR")
    assert offered_to({}, lyon, None)
    assert offered_to({"sites": ["lyon", "nice"], "countries": ["FR"]}, lyon, "office")
    assert not offered_to({"sites": ["paris"]}, lyon, "office")
    assert not offered_to({"programmes": ["p2"]}, lyon, "office")
    assert offered_to({"worker_types": ["frontline"]}, lyon, "frontline")
    assert not offered_to({"worker_types": ["frontline"]}, lyon, "office")
    assert not offered_to({"worker_types": ["frontline"]}, lyon, None)


def test_csv_cells_that_a_spreadsheet_would_run_are_defused() -> None:
    text = to_csv(["title", "shares"], [["=HYPERLINK(1)", 3], ["-2", None], ["Plain", 0]])
    assert text.split("\r\n") == ["title,shares", "'=HYPERLINK(1),3", "'-2,", "Plain,0", ""]


def test_charts_are_inline_svg_and_png_from_one_figure() -> None:
    chart = daily_chart("Shares per day", [0, 2, 1], [1, 1, 0], ("2026-05", "2026-04"))
    assert chart.svg.startswith('<svg class="chart" data-chart="daily"')
    assert "<?xml" not in chart.svg and "DOCTYPE" not in chart.svg
    assert chart.png.startswith(b"\x89PNG")
    # The same content renders to the same SVG (fixed ids), so a digest is reproducible.
    again = daily_chart("Shares per day", [0, 2, 1], [1, 1, 0], ("2026-05", "2026-04"))
    assert again.svg == chart.svg
    bars = bar_chart("items", "Most shared", ["A" * 60, "B"], [3, 1])
    assert 'data-chart="items"' in bars.svg and "A" * 47 + "…" in bars.svg
