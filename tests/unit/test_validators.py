"""Tests for domain.validators: text, ID numbers, phones, names, dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.cn import ric

from xianghe_desk.domain.enums import Sex
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.validators import (
    PLACEHOLDER_NAMES,
    IdInfo,
    normalize_phone,
    normalize_text,
    parse_date,
    parse_datetime,
    parse_id_number,
    validate_id_number,
    validate_name,
    validate_phone,
)

TODAY = date(2026, 11, 3)


def make_id(area: str = "131024", birth: date = date(1945, 3, 12), seq: int = 1) -> str:
    """A valid 18-character number; calc_check_digit ignores the (placeholder) last character."""
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def id_message(text: str) -> str:
    with pytest.raises(ValidationError) as info:
        parse_id_number(text, today=TODAY)
    assert info.value.field == "id_number"
    return info.value.message


# --- normalize_text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("\u3000张三\u3000", "张三"),
        ("  a  b\t\n c ", "a b c"),
        ("张\u200b三\ufeff", "张三"),
        ("a\u00a0\u00a0b", "a b"),
        ("０３１６－５１２３４５６", "0316-5123456"),
        ("王刘圈村、康宁社区，已办结。", "王刘圈村、康宁社区，已办结。"),
        ("（备注：无）！？；", "（备注：无）！？；"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_text(raw: str | None, expected: str) -> None:
    assert normalize_text(raw) == expected


@given(st.text())
def test_normalize_text_is_idempotent_and_trimmed(raw: str) -> None:
    cleaned = normalize_text(raw)
    assert normalize_text(cleaned) == cleaned
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned
    assert not any(char in cleaned for char in "\u200b\ufeff\u00a0\u3000")
    assert not any("０" <= char <= "９" or "Ａ" <= char <= "ｚ" for char in cleaned)


# --- ID numbers -----------------------------------------------------------------------------------


def test_check_digit_helper_matches_a_published_number() -> None:
    # The example of python-stdnum's documentation.
    assert make_id("360426", date(1991, 1, 1), 7) == "360426199101010071"


def test_xianghe_elder_with_new_county_code_is_accepted_without_warning() -> None:
    number = make_id("131024", date(1940, 5, 6), 3)
    info = parse_id_number(number, today=TODAY)
    assert info == IdInfo(number, date(1940, 5, 6), Sex.MALE, "131024", ())


def test_old_xianghe_code_is_accepted_without_warning_for_any_year() -> None:
    assert parse_id_number(make_id("132823", date(1950, 1, 1)), today=TODAY).warnings == ()
    assert parse_id_number(make_id("132823", date(1995, 1, 1)), today=TODAY).warnings == ()
    assert parse_id_number(make_id("131024", date(1995, 1, 1)), today=TODAY).warnings == ()


def test_known_area_code_gives_no_warning() -> None:
    assert parse_id_number(make_id("110101", date(1990, 1, 1)), today=TODAY).warnings == ()


@pytest.mark.parametrize("area", ["999999", "139999"])
def test_unknown_area_code_is_accepted_with_warning(area: str) -> None:
    info = parse_id_number(make_id(area, date(1980, 2, 3)), today=TODAY)
    assert info.area_code == area
    assert len(info.warnings) == 1
    assert area in info.warnings[0] and "查不到" in info.warnings[0]


def test_area_code_not_in_use_in_birth_year_is_a_warning() -> None:
    # 132821 was 三河县 until 1988.
    info = parse_id_number(make_id("132821", date(1990, 1, 1)), today=TODAY)
    assert len(info.warnings) == 1
    assert "1990" in info.warnings[0]


def test_sex_birth_date_and_age_are_derived() -> None:
    man = parse_id_number(make_id("131024", date(1945, 3, 12), 1), today=TODAY)
    woman = parse_id_number(make_id("131024", date(1945, 3, 12), 2), today=TODAY)
    assert man.sex is Sex.MALE
    assert woman.sex is Sex.FEMALE
    assert man.birth_date == date(1945, 3, 12)
    assert man.age_on(date(2026, 3, 11)) == 80
    assert man.age_on(date(2026, 3, 12)) == 81
    assert man.age_on(TODAY) == 81


def test_age_of_someone_born_on_29_february() -> None:
    info = parse_id_number(make_id("131024", date(1948, 2, 29)), today=TODAY)
    assert info.age_on(date(2026, 2, 28)) == 77
    assert info.age_on(date(2026, 3, 1)) == 78


def test_lower_case_x_spaces_and_full_width_digits_are_accepted() -> None:
    seq = next(s for s in range(1000) if make_id(seq=s).endswith("X"))
    number = make_id(seq=seq)
    assert parse_id_number(number.lower(), today=TODAY).number == number
    spaced = f" {number[:6]} {number[6:14]} {number[14:]} "
    assert parse_id_number(spaced, today=TODAY).number == number
    full_width = number.translate({code: code + 0xFEE0 for code in range(0x30, 0x3A)})
    assert parse_id_number(full_width, today=TODAY).number == number
    assert parse_id_number("'" + number, today=TODAY).number == number


def test_bad_checksum_is_refused_without_revealing_the_digit() -> None:
    number = make_id()
    wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
    message = id_message(wrong)
    assert "校验位" in message and "请核对身份证上的号码" in message
    assert number[-1] not in message.replace("18", "").replace("7–14", "")


@pytest.mark.parametrize(
    "text", ["1.31024E+17", "1.31024194503121E+17", "1.31024e+17", "131024194503120000.0"]
)
def test_number_stored_as_spreadsheet_number_is_refused_with_text_hint(text: str) -> None:
    message = id_message(text)
    assert "文本" in message and "丢失" in message


def test_impossible_birth_date_is_refused() -> None:
    body = "13102420260230001"
    message = id_message(body + ric.calc_check_digit(body + "0"))
    assert "20260230" in message and "不存在" in message


def test_future_birth_date_is_refused() -> None:
    message = id_message(make_id(birth=TODAY + timedelta(days=1)))
    assert "今天之后" in message


def test_birth_today_is_accepted() -> None:
    assert parse_id_number(make_id(birth=TODAY), today=TODAY).age_on(TODAY) == 0


def test_age_over_120_is_refused_but_120_is_accepted() -> None:
    assert parse_id_number(make_id(birth=date(1905, 11, 4)), today=TODAY).age_on(TODAY) == 120
    message = id_message(make_id(birth=date(1905, 11, 3)))
    assert "121 岁" in message and "1905-11-03" in message


def test_old_15_digit_number_is_refused() -> None:
    message = id_message("131024450312001")
    assert "15 位" in message and "18 位" in message


@pytest.mark.parametrize(("text", "count"), [("1310241945031200", 16), ("1310241945031200123", 19)])
def test_wrong_length_says_how_many_digits(text: str, count: int) -> None:
    assert f"现在是 {count} 位" in id_message(text)


@pytest.mark.parametrize("text", ["13102419450312A013", "131024-1945031200", "13102419450312X013"])
def test_non_digits_are_refused(text: str) -> None:
    message = id_message(text)
    assert "X" in message


def test_empty_id_number() -> None:
    assert "请填写" in id_message("  ")
    assert validate_id_number("") is None
    assert validate_id_number(None) is None


def test_validate_id_number_returns_message_or_none() -> None:
    assert validate_id_number(make_id(), today=TODAY) is None
    assert validate_id_number("1.31024E+17", today=TODAY) == id_message("1.31024E+17")


def test_changing_one_digit_always_breaks_the_checksum_exhaustively() -> None:
    # GB 11643 (ISO 7064 MOD 11-2) weighs position i by 2^(17-i) mod 11, never 0, and 11 is prime:
    # a single changed digit shifts the sum by w*(d'-d) with 0 < |d'-d| < 11, never a multiple of 11.
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    assert all(weight % 11 for weight in weights)
    number = make_id()
    for position in range(17):
        for digit in "0123456789":
            changed = number[:position] + digit + number[position + 1 :]
            if changed != number:
                assert changed[-1] != ric.calc_check_digit(changed)


AREAS = st.sampled_from(["131024", "132823", "110101", "130000", "999999", "131082"])
BIRTHS = st.dates(min_value=date(1905, 11, 4), max_value=TODAY)


@given(AREAS, BIRTHS, st.integers(0, 999))
def test_valid_numbers_round_trip(area: str, birth: date, seq: int) -> None:
    number = make_id(area, birth, seq)
    info = parse_id_number(number, today=TODAY)
    assert info.number == number
    assert info.birth_date == birth
    assert info.area_code == area
    assert info.sex is (Sex.MALE if seq % 2 else Sex.FEMALE)
    assert 0 <= info.age_on(TODAY) <= 120


@given(AREAS, BIRTHS, st.integers(0, 999), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_changed_character_is_refused(
    area: str, birth: date, seq: int, position: int, char: str
) -> None:
    number = make_id(area, birth, seq)
    changed = number[:position] + char + number[position + 1 :]
    if changed != number:
        assert validate_id_number(changed, today=TODAY) is not None


# --- phones ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("0316-5123456", "0316-5123456"),
        ("03165123456", "0316-5123456"),
        ("0316 512 3456", "0316-5123456"),
        ("(0316)5123456", "0316-5123456"),
        ("（0316）5123456", "0316-5123456"),
        ("5123456", "0316-5123456"),
        ("512 3456", "0316-5123456"),
        ("+86 316 5123456", "0316-5123456"),
        ("010-12345678", "010-12345678"),
        ("021 1234 5678", "021-12345678"),
        ("0311-85123456", "0311-85123456"),
    ],
)
def test_normalize_phone(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected
    assert validate_phone(raw) is None


def phone_message(raw: str) -> str:
    with pytest.raises(ValidationError) as info:
        normalize_phone(raw)
    assert info.value.field == "phone"
    assert validate_phone(raw) == info.value.message
    return info.value.message


def test_mobile_with_12_digits_is_refused() -> None:
    assert "11 位" in phone_message("138123456789")


def test_langfang_landline_with_8_digits_is_refused() -> None:
    message = phone_message("0316-51234567")
    assert "0316" in message and "7 位" in message


@pytest.mark.parametrize("raw", ["138abc45678", "电话13812345678", "0316-512345６a"])
def test_letters_are_refused(raw: str) -> None:
    assert "数字以外" in phone_message(raw)


@pytest.mark.parametrize(
    "raw",
    ["12012345678", "0316-0123456", "0316-1234567", "51234567", "12345", "4008123123", "+1 212 555 0100"],
)
def test_other_invalid_numbers_are_refused(raw: str) -> None:
    message = phone_message(raw)
    assert message


def test_phone_message_explains_the_forms() -> None:
    message = phone_message("23456")
    assert "13812345678" in message and "0316-5123456" in message


def test_empty_phone_is_optional_for_validate_but_not_for_normalize() -> None:
    assert validate_phone("") is None
    assert validate_phone("  ") is None
    assert validate_phone(None) is None
    with pytest.raises(ValidationError):
        normalize_phone("")


def test_phone_field_name_is_passed_through() -> None:
    with pytest.raises(ValidationError) as info:
        normalize_phone("12", field="emergency_phone")
    assert info.value.field == "emergency_phone"


@given(st.sampled_from(["138", "139", "150", "186", "199"]), st.integers(0, 99_999_999))
def test_any_mobile_round_trips(prefix: str, rest: int) -> None:
    number = f"{prefix}{rest:08d}"
    assert normalize_phone(number) == number
    assert normalize_phone(f"+86 {number[:3]}-{number[3:7]}-{number[7:]}") == number


@given(st.integers(2_000_000, 9_999_999))
def test_any_local_landline_gets_the_langfang_area_code(local: int) -> None:
    assert normalize_phone(str(local)) == f"0316-{local}"
    assert normalize_phone(f"0316{local}") == f"0316-{local}"


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三", "张三"),
        (" 张 三 ", "张三"),
        ("\u3000欧阳\u200b修", "欧阳修"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("阿依古丽.买买提", "阿依古丽·买买提"),
        ("John Smith", "John Smith"),
        ("Ｊｏｈｎ  Ｓｍｉｔｈ", "John Smith"),
        ("Mary O'Neil", "Mary O'Neil"),
    ],
)
def test_validate_name_cleans(raw: str, expected: str) -> None:
    assert validate_name(raw) == expected


def name_message(raw: str | None, field: str = "name") -> str:
    with pytest.raises(ValidationError) as info:
        validate_name(raw, field=field)
    assert info.value.field == field
    return info.value.message


def test_names_with_digits_are_refused() -> None:
    assert "数字" in name_message("张三1")
    assert "数字" in name_message("张三１３８１２３４５６７８")


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_empty_name_is_refused(raw: str | None) -> None:
    assert "请填写姓名" in name_message(raw)


def test_name_length_limits() -> None:
    assert "2–20" in name_message("张")
    assert "2–20" in name_message("张" * 21)
    assert validate_name("张" * 20) == "张" * 20


@pytest.mark.parametrize("raw", ["张三（户主）", "张三/李四", "张三😀", "#N/A", "·张三", "张三·", "张··三"])
def test_pasted_junk_is_refused(raw: str) -> None:
    assert "不能用的字符" in name_message(raw)


@pytest.mark.parametrize("raw", ["NULL", "None", "nan", "不详", "姓名"])
def test_placeholders_are_refused(raw: str) -> None:
    assert "不是姓名" in name_message(raw)


def test_mixed_chinese_and_latin_is_refused() -> None:
    assert "混在一起" in name_message("张三abc")


def test_name_field_is_passed_through() -> None:
    name_message("1", field="emergency_contact")


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=2, max_size=20))
def test_any_chinese_name_is_accepted_unchanged(name: str) -> None:
    assume(name not in PLACEHOLDER_NAMES)
    assert validate_name(name) == name
    assert validate_name(" ".join(name)) == name


# --- dates ----------------------------------------------------------------------------------------

NOV_3 = date(2026, 11, 3)


@pytest.mark.parametrize(
    "value",
    [
        NOV_3,
        datetime(2026, 11, 3, 14, 5),
        "2026-11-03",
        "2026/11/3",
        "2026.11.3",
        "2026年11月3日",
        "2026 年 11 月 3 日",
        "2026年11月3号",
        "20261103",
        " ２０２６－１１－０３ ",
        "２０２６年１１月３日",
        46329,
        46329.0,
        46329.75,
        "46329",
        "46329.5",
        "2026-11-03 14:05",
        "2026-11-03T14:05:00",
    ],
)
def test_parse_date_forms(value: date | str | float) -> None:
    assert parse_date(value) == NOV_3


def test_excel_serials_around_the_1900_leap_year_bug() -> None:
    assert parse_date(1) == date(1900, 1, 1)
    assert parse_date(59) == date(1900, 2, 28)
    assert parse_date(61) == date(1900, 3, 1)
    assert parse_date(25569) == date(1970, 1, 1)
    with pytest.raises(ValidationError):
        parse_date(60)


def date_message(value: object, func: object = parse_date) -> str:
    with pytest.raises(ValidationError) as info:
        func(value)  # type: ignore[operator]
    assert info.value.field == "date"
    return info.value.message


def test_impossible_date_is_refused_quoting_the_value() -> None:
    message = date_message("2026-02-30")
    assert "2026-02-30" in message and "不存在" in message
    assert "2026年13月1日" in date_message("2026年13月1日")
    assert "不存在" in date_message("20260230")


@pytest.mark.parametrize(
    "value", ["hello", "11/3/2026", "2026-11", "26-11-03", "2026-11-03 下午", 1e9, -5, float("nan"), True]
)
def test_unrecognised_dates_are_refused(value: object) -> None:
    assert date_message(value)


def test_year_alone_is_refused() -> None:
    assert "只有年份" in date_message("2026")
    assert "只有年份" in date_message(2026)


def test_empty_date_is_refused() -> None:
    assert "请填写日期" in date_message("")
    assert "请填写日期" in date_message(None)


def test_year_out_of_range_is_refused() -> None:
    assert "年份" in date_message("1850-01-01")
    assert "年份" in date_message("1850-01-01T10:00:00+08:00")


def test_date_field_name_is_passed_through() -> None:
    with pytest.raises(ValidationError) as info:
        parse_date("x", field="birth_date")
    assert info.value.field == "birth_date"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-03 14:05", datetime(2026, 11, 3, 14, 5)),
        ("2026/11/3 14:05:30", datetime(2026, 11, 3, 14, 5, 30)),
        ("2026年11月3日 14时05分", datetime(2026, 11, 3, 14, 5)),
        ("2026年11月3日14时05分30秒", datetime(2026, 11, 3, 14, 5, 30)),
        ("2026年11月3日 9点30分", datetime(2026, 11, 3, 9, 30)),
        ("2026-11-03T14:05:00", datetime(2026, 11, 3, 14, 5)),
        ("2026-11-03T14:05:00.25", datetime(2026, 11, 3, 14, 5, 0, 250000)),
        ("２０２６－１１－０３　１４：０５", datetime(2026, 11, 3, 14, 5)),
        ("2026-11-03 14：05", datetime(2026, 11, 3, 14, 5)),
        ("2026-11-03", datetime(2026, 11, 3)),
        ("20261103", datetime(2026, 11, 3)),
        (NOV_3, datetime(2026, 11, 3)),
        (datetime(2026, 11, 3, 14, 5), datetime(2026, 11, 3, 14, 5)),
        (46329.5, datetime(2026, 11, 3, 12, 0)),
        (46329 + (14 * 60 + 5) / 1440, datetime(2026, 11, 3, 14, 5)),
        ("46329.25", datetime(2026, 11, 3, 6, 0)),
    ],
)
def test_parse_datetime_forms(value: date | str | float, expected: datetime) -> None:
    assert parse_datetime(value) == expected


def test_aware_datetimes_become_naive_local() -> None:
    result = parse_datetime("2026-11-03T06:05:00+00:00")
    assert result.tzinfo is None
    assert result == datetime.fromisoformat("2026-11-03T06:05:00+00:00").astimezone().replace(tzinfo=None)


@pytest.mark.parametrize("value", ["2026-11-03 25:00", "2026-11-03 14:60", "2026-11-03 14:05:61"])
def test_impossible_times_are_refused(value: str) -> None:
    assert value in date_message(value, parse_datetime)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_dates_round_trip_through_every_written_form(day: date) -> None:
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y%m%d}",
    ]
    for form in forms:
        assert parse_date(form) == day


@given(st.dates(min_value=date(1906, 1, 1), max_value=date(2100, 12, 31)))
def test_excel_serials_round_trip(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    assert parse_date(serial) == day
    assert parse_date(str(serial)) == day


@given(st.datetimes(min_value=datetime(1906, 1, 1), max_value=datetime(2100, 12, 31, 23, 59, 59)))
def test_datetimes_round_trip(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    assert parse_datetime(moment.isoformat(sep=" ")) == moment
    assert parse_datetime(moment.isoformat()) == moment
    assert parse_datetime(f"{moment:%Y年%m月%d日 %H时%M分%S秒}") == moment
    serial = (moment - datetime(1899, 12, 30)).total_seconds() / 86400
    assert parse_datetime(serial) == moment


@pytest.mark.parametrize("text", ["0316-1234", "03161234", "0316-123"])
def test_langfang_landline_with_too_few_digits_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="0316 加 7 位"):
        normalize_phone(text)


@pytest.mark.parametrize("text", ["11069003765", "10000000000", "0000000"])
def test_numbers_phonenumbers_cannot_parse_are_refused_in_chinese(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_phone(text)
    assert info.value.field == "phone" and "请" in info.value.message
