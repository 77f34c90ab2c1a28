"""Reporting periods from a crontab schedule (coach.yaml ``digest``).

A scheduled digest covers the interval between the schedule's last two fire times, so a
weekly Monday 09:00 schedule reports Monday 09:00 to Monday 09:00. Every replica that
fires computes the same period from its own clock, and the period's ``key`` (e.g.
``2026-W47``) is what makes a digest exactly-once across replicas.

APScheduler 3 reads day-of-week numbers Monday-first (0 = Monday) where crontab reads
them Sunday-first (0 and 7 = Sunday); :func:`crontab_trigger` translates, so ``1-5``
means Monday to Friday as in crontab. (APScheduler combines a restricted day-of-month
and day-of-week with AND, crontab with OR; avoid restricting both.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from config.coach import Schedule

CRONTAB_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
FIRST_LOOKBACK = timedelta(hours=1)
MAX_LOOKBACK = timedelta(days=366 * 9)
"""Long enough for two fires of a once-every-four-years schedule (29 February)."""


@dataclass(frozen=True)
class Period:
    key: str
    """Stable name of the period: ``2026-W47`` for a weekly schedule, else the start time
    (``2026-11-23T09:00+00:00``), or ``now:…`` for a digest sent on demand."""
    start: datetime
    end: datetime
    """Exclusive."""

    @property
    def previous_start(self) -> datetime:
        """The comparison period is as long as this one and ends where it starts."""
        return self.start - (self.end - self.start)

    @property
    def label(self) -> str:
        """For people, e.g. "16 Nov – 23 Nov 2026"."""
        start, end = self.start, self.end
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"


def _weekday_number(token: str) -> int:
    lowered = token.strip().lower()
    if lowered[:3] in CRONTAB_WEEKDAYS and lowered.isalpha():
        return CRONTAB_WEEKDAYS.index(lowered[:3])
    if lowered.isdigit() and int(lowered) <= 7:
        return int(lowered) % 7
    raise ValueError(f"{token!r} is not a day of the week (0-7 or sun-sat)")


def _weekdays(part: str) -> set[int]:
    """One comma-separated item of crontab's day-of-week field, as Sunday-first numbers."""
    span, _, step_text = part.partition("/")
    step = int(step_text) if step_text else 1
    if step < 1:
        raise ValueError(f"day-of-week step in {part!r} must be at least 1")
    if span == "*":
        first, last = 0, 6
    elif "-" in span:
        low, high = span.split("-", 1)
        first, last = _weekday_number(low), _weekday_number(high)
        last = 7 if high.strip() == "7" else last
        if last < first:
            raise ValueError(f"day-of-week range {part!r} runs backwards")
    else:
        first = last = _weekday_number(span)
        if step_text:
            last = 6
    return {day % 7 for day in range(first, last + 1, step)}


def crontab_weekdays(field: str) -> str:
    """Crontab's day-of-week field in APScheduler 3's terms (names, so no numbering
    question remains), e.g. ``1-5`` → ``mon,tue,wed,thu,fri``."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        days |= _weekdays(part)
    monday_first = sorted(days, key=lambda day: (day - 1) % 7)
    return ",".join(CRONTAB_WEEKDAYS[day] for day in monday_first)


def crontab_trigger(schedule: Schedule) -> CronTrigger:
    """The schedule's five-field cron expression in its time zone; ValueError if invalid."""
    minute, hour, day, month, weekday = schedule.cron.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=crontab_weekdays(weekday),
        timezone=ZoneInfo(schedule.timezone),
    )


def _fires_between(trigger: CronTrigger, start: datetime, end: datetime) -> list[datetime]:
    fires: list[datetime] = []
    probe = start
    while True:
        fire: datetime | None = trigger.get_next_fire_time(None, probe)
        if fire is None or fire > end:
            return fires
        fires.append(fire)
        probe = fire + timedelta(microseconds=1)


def last_fire_times(trigger: CronTrigger, now: datetime, count: int = 2) -> list[datetime]:
    """The ``count`` most recent fire times at or before ``now``, oldest first.

    APScheduler only looks forward, so look back from ``now`` over a window that doubles
    until it holds enough fires (an every-minute schedule stays cheap)."""
    lookback = FIRST_LOOKBACK
    while lookback <= MAX_LOOKBACK:
        fires = _fires_between(trigger, now - lookback, now)
        if len(fires) >= count:
            return fires[-count:]
        lookback *= 2
    raise ValueError("the schedule does not fire often enough to define a period")


def _key(start: datetime, end: datetime) -> str:
    if (end.date() - start.date()).days == 7:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.isoformat(timespec="minutes")


def closed_period(schedule: Schedule, now: datetime) -> Period:
    """The interval between the schedule's last two fire times at or before ``now``:
    what a scheduled tick (and any retry later in the same interval) reports on."""
    start, end = last_fire_times(crontab_trigger(schedule), now)
    return Period(key=_key(start, end), start=start, end=end)


def period_ending_at(schedule: Schedule, now: datetime) -> Period:
    """A period as long as the schedule's interval, ending ``now`` (digests sent on
    demand). Keyed by the minute, so a repeated request within it sends nothing twice."""
    first, last = last_fire_times(crontab_trigger(schedule), now)
    local_now = now.astimezone(ZoneInfo(schedule.timezone))
    minute = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    return Period(key=f"now:{minute}", start=local_now - (last - first), end=local_now)
