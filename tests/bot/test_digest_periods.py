"""Digest periods from coach.yaml's cron: crontab's weekday numbers, stable keys that
every replica computes alike, and on-demand periods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.periods import closed_period, crontab_trigger, crontab_weekdays, period_ending_at
from config.coach import Schedule

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday in ISO week 48


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("*", "*"),
        ("mon", "mon"),
        ("1", "mon"),
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("5-7", "fri,sat,sun"),
        ("*/2", "tue,thu,sat,sun"),
        ("SAT,sun", "sat,sun"),
        ("mon-fri", "mon,tue,wed,thu,fri"),
    ],
)
def test_crontab_weekdays_mean_what_crontab_means(field: str, expected: str) -> None:
    assert crontab_weekdays(field) == expected


@pytest.mark.parametrize("field", ["8", "funday", "5-1", "*/0"])
def test_bad_weekdays_are_refused(field: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        crontab_weekdays(field)


def test_numeric_monday_fires_on_monday() -> None:
    trigger = crontab_trigger(Schedule(cron="0 9 * * 1"))
    fire = trigger.get_next_fire_time(None, NOW)
    assert (fire.weekday(), fire.hour) == (0, 9)


def test_weekly_period_is_the_last_closed_week_whenever_a_replica_asks() -> None:
    schedule = Schedule()  # Mondays 09:00 UTC
    expected_start = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    for now in (
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC),  # the fire itself
        datetime(2026, 11, 23, 9, 0, 3, tzinfo=UTC),  # a slower replica
        NOW,  # a retry two days later
    ):
        period = closed_period(schedule, now)
        assert period.key == "2026-W47"
        assert (period.start, period.end) == (expected_start, expected_start + timedelta(days=7))
        assert period.previous_start == expected_start - timedelta(days=7)
    assert closed_period(schedule, datetime(2026, 11, 23, 8, 59, tzinfo=UTC)).key == "2026-W46"


def test_periods_follow_the_schedules_time_zone_across_dst() -> None:
    schedule = Schedule(cron="0 9 * * mon", timezone="Europe/Madrid")
    period = closed_period(schedule, datetime(2026, 10, 27, 12, 0, tzinfo=UTC))
    assert period.key == "2026-W43"
    assert (period.start.hour, period.end.hour) == (9, 9)
    elapsed = period.end.astimezone(UTC) - period.start.astimezone(UTC)
    assert elapsed == timedelta(days=7, hours=1), "summer time ended on 25 October"


def test_other_schedules_are_keyed_by_their_start() -> None:
    daily = closed_period(Schedule(cron="30 7 * * *"), NOW)
    assert daily.key == "2026-11-24T07:30+00:00"
    assert daily.end - daily.start == timedelta(days=1)
    leap = closed_period(Schedule(cron="0 0 29 2 *"), NOW)
    assert (leap.start.year, leap.end.year) == (2020, 2024)


def test_on_demand_period_ends_now_and_is_as_long_as_the_schedule() -> None:
    period = period_ending_at(Schedule(), NOW)
    assert period.key == "now:2026-11-25T12:00Z"
    assert period.end == NOW
    assert period.end - period.start == timedelta(days=7)
    assert period.label == "18 Nov – 25 Nov 2026"


def test_invalid_cron_fields_are_reported() -> None:
    with pytest.raises(ValueError, match=r"."):
        crontab_trigger(Schedule(cron="61 9 * * mon"))
