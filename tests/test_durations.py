"""Clock-style durations: exact forms, strict refusals, and a round trip through every form."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenai import durations


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1:30", 5_400),
        ("0:45", 2_700),
        ("02:30:00", 9_000),
        ("2:30:00", 9_000),
        ("100:00:00", 360_000),
        ("0:00:01.5", 1.5),
        ("2-12", 216_000),
        ("2-1", 176_400),
        ("2-12:30", 217_800),
        ("1-00:00:00", 86_400),
        ("10-23:59:59", 950_399),
        (" 1:30 ", 5_400),
    ],
)
def test_forms_read_exactly(text: str, seconds: float) -> None:
    assert durations.is_clock(text)
    assert durations.parse_seconds(text) == seconds


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1:75", "minutes must be 00 to 59"),
        ("1:30:60", "seconds must be 00 to 59"),
        ("1:5", "two digits: 1:05, not 1:5"),
        ("1:300", "two digits"),
        ("2-24", "hours after 'D-' must be 0 to 23"),
        ("2-24:00:00", "hours after 'D-' must be 0 to 23"),
        ("-1:30", "a duration has no sign"),
        ("+1:30", "a duration has no sign"),
        ("1:30.5", "only seconds may have a fraction"),
        ("1.5:30", "only seconds may have a fraction"),
        ("1:02:03:04", "too many fields"),
        ("1-02:03:04:05", "too many fields"),
        ("1::30", "an empty field"),
        ("1:", "an empty field"),
        ("1234567890:00", "more than 9 digits of hours"),
    ],
)
def test_malformed_clock_times_say_why(text: str, why: str) -> None:
    assert durations.is_clock(text)
    with pytest.raises(durations.DurationError) as raised:
        durations.parse_seconds(text)
    assert why in str(raised.value)


@pytest.mark.parametrize("text", ["90", "1.5", "1.5 h", "1e-3", "2019-02-30", "1:30 h", "a:b", ""])
def test_numbers_dates_and_units_are_not_clock_times(text: str) -> None:
    assert not durations.is_clock(text)


def _forms(seconds: int) -> list[str]:
    """Every way greenai accepts to write a whole number of seconds."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    days, day_hours = divmod(hours, 24)
    forms = [
        f"{hours}:{minutes:02d}:{secs:02d}",
        f"{hours:02d}:{minutes:02d}:{secs:02d}",
        f"{days}-{day_hours:02d}:{minutes:02d}:{secs:02d}",  # sacct's Elapsed
    ]
    if secs == 0:
        forms += [f"{hours}:{minutes:02d}", f"{days}-{day_hours}:{minutes:02d}"]
        if minutes == 0:
            forms.append(f"{days}-{day_hours}")
    return forms


@given(st.integers(min_value=0, max_value=10**9 * 3600 - 1))
def test_format_then_parse_is_the_same_number_of_seconds(seconds: int) -> None:
    for text in _forms(seconds):
        assert durations.parse_seconds(text) == seconds, text


@given(
    st.integers(min_value=0, max_value=99_999),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=0, max_value=999),
)
def test_fractional_seconds_round_trip(hours: int, minutes: int, secs: int, millis: int) -> None:
    text = f"{hours}:{minutes:02d}:{secs:02d}.{millis:03d}"
    expected = hours * 3600 + minutes * 60 + secs + millis / 1000
    assert math.isclose(durations.parse_seconds(text), expected, rel_tol=1e-12, abs_tol=1e-9)


@given(st.text(alphabet="0123456789:-.+ ", max_size=20) | st.text(max_size=20))
def test_any_text_is_seconds_or_a_duration_error(text: str) -> None:
    try:
        seconds = durations.parse_seconds(text)
    except durations.DurationError as error:
        assert str(error)
    else:
        assert math.isfinite(seconds) and seconds >= 0
        assert durations.is_clock(text)
