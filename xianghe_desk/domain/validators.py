"""Pure validation rules for typed and imported values: text, ID numbers, phones, names, dates."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from xianghe_desk.domain.enums import Sex
from xianghe_desk.domain.errors import ValidationError

# --- text -----------------------------------------------------------------------------------------

# Full-width forms that are ordinary Chinese text punctuation (GB/T 15834) and must stay as they
# are, although they lie inside U+FF01–U+FF5E: folding ，into , is exactly what plain NFKC gets wrong.
_KEEP_FULL_WIDTH: Final = frozenset("，！（）：；？～")
_FOLD: Final[dict[int, int | None]] = {
    code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if chr(code) not in _KEEP_FULL_WIDTH
}
_FOLD[0x3000] = ord(" ")
# Invisible characters that arrive with text pasted from web pages, WeChat and Word.
for _char in "\u200b\u200c\u200d\u2060\ufeff":
    _FOLD[ord(_char)] = None
# Non-breaking spaces count as ordinary whitespace: they are then collapsed or stripped with it.
for _char in "\u00a0\u2007\u202f":
    _FOLD[ord(_char)] = ord(" ")

# Any character normalize_text would change: whitespace (str.split's, which \s matches) or one
# of _FOLD's. Text without any comes back as it is.
_FOLDED: Final = re.compile("[\\s" + "".join(re.escape(chr(code)) for code in _FOLD) + "]")


def normalize_text(s: str | None) -> str:
    """Fold full-width ASCII to half-width, drop invisible characters, collapse whitespace.

    Chinese punctuation (、，。：（） …) is kept as typed. ``None`` gives ``""``.
    """
    if s is None:
        return ""
    if _FOLDED.search(s) is None:
        return s  # most text already is: nothing to fold, no whitespace to strip or collapse
    return " ".join(s.translate(_FOLD).split())


# --- resident ID numbers (GB 11643) ---------------------------------------------------------------

# Xianghe's county code was 132823 until Langfang became a prefecture-level city in 1988/89; people
# born before that often keep the new code 131024 in their number. stdnum ties each code to the
# years it was in use and would refuse them, so both codes are accepted for any birth year.
XIANGHE_AREA_CODES: Final = frozenset({"131024", "132823"})
MAX_AGE: Final = 120

_SCIENTIFIC_RE: Final = re.compile(r"^\d+(\.\d*)?E[+-]?\d+$")
_PLAIN_ID_RE: Final = re.compile(r"[0-9]*X?")
_WELL_FORMED_ID_RE: Final = re.compile(r"[0-9]{17}[0-9X]")
_WHOLE_FLOAT_RE: Final = re.compile(r"\d+\.0*")
_LOST_DIGITS_MSG: Final = (
    "身份证号被表格存成了数字（科学计数法，如 1.31024E+17），后几位数字已经丢失。"
    "请把这一列的单元格格式设为“文本”，再重新输入完整的 18 位号码"
)


@dataclass(frozen=True)
class IdInfo:
    """What an 18-character resident ID number says about its holder.

    ``warnings`` holds doubts that do not stop saving, such as an unknown area code.
    """

    number: str
    birth_date: date
    sex: Sex
    area_code: str
    warnings: tuple[str, ...] = ()

    def age_on(self, day: date) -> int:
        """Age in full years on ``day`` (negative before the birth date)."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def _id_error(message: str) -> ValidationError:
    return ValidationError(message, field="id_number")


def _clean_id(text: str) -> str:
    number = normalize_text(text).replace(" ", "").upper()
    # A leading apostrophe is how Excel and WPS mark a number typed as text; CSV exports keep it.
    return number.lstrip("'‘’")


def _area_warning(number: str, birth_date: date) -> str | None:
    code = number[:6]
    if code in XIANGHE_AREA_CODES:
        return None
    known = any("county" in props for _part, props in numdb.get("cn/loc").info(code))
    if not known:
        # Checked first: get_birth_place raises KeyError, not InvalidComponent, when only the
        # province part of the code is known (e.g. 139999).
        return f"身份证号前 6 位地区码 {code} 查不到对应的地区，请核对号码；核对无误也可以保存"
    try:
        ric.get_birth_place(number)
    except StdnumError:
        return (
            f"身份证号前 6 位地区码 {code} 与出生年份 {birth_date.year} 对不上（这个地区码当年还没有启用"
            "或已经撤销），请核对号码；核对无误也可以保存"
        )
    return None


def _checked_characters(text: str) -> str:
    """The ID number cleaned (:func:`_clean_id`), once its characters and length are right."""
    number = _clean_id(text)
    if not number:
        raise _id_error("请填写身份证号（18 位）")
    # Nothing but ASCII digits and a last X (nearly every number): none of the next three checks
    # can find anything in it.
    plain = _PLAIN_ID_RE.fullmatch(number) is not None
    if not plain and (_SCIENTIFIC_RE.match(number) or "E+" in number or _WHOLE_FLOAT_RE.fullmatch(number)):
        raise _id_error(_LOST_DIGITS_MSG)
    bad = (
        [] if plain else [char for char in number if not (char.isdigit() and char.isascii()) and char != "X"]
    )
    if bad:
        raise _id_error(
            f"身份证号里有不该出现的字符“{bad[0]}”。身份证号由 18 位数字组成，最后一位也可能是 X，请核对"
        )
    if "X" in number[:-1]:
        raise _id_error("身份证号只有最后一位可以是 X，前 17 位都应是数字，请核对")
    if len(number) == 15:
        raise _id_error("这是 15 位的老身份证号，请改填 18 位的新号码（见第二代居民身份证或户口簿）")
    if len(number) != 18:
        raise _id_error(f"身份证号应为 18 位，现在是 {len(number)} 位，请核对是否漏输或多输了数字")
    return number


def parse_id_number(text: str, today: date | None = None) -> IdInfo:
    """Check an 18-character resident ID number and read birth date, sex and area from it.

    Full-width digits, spaces and a lower-case ``x`` are accepted. ``today`` defaults to the
    current date and serves the future-birth and age checks.

    Raises:
        ValidationError: with ``field="id_number"`` when the number cannot be right.
    """
    today = today or date.today()
    if text.__class__ is str and _WELL_FORMED_ID_RE.fullmatch(text):
        # 17 ASCII digits and a digit or X, as nearly every number comes: _clean_id leaves it as
        # it is, and none of the checks of its characters and length below can find anything.
        number = text
    else:
        number = _checked_characters(text)
    # Only ASCII digits and a final X are left (checked above): ric.compact would return the number
    # unchanged, and ric.get_birth_date is this date() (both cost more than the rest; issue #13).
    compact = number
    try:
        birth_date = date(int(compact[6:10]), int(compact[10:12]), int(compact[12:14]))
    except ValueError:
        raise _id_error(f"身份证号第 7–14 位的出生日期 {compact[6:14]} 不存在，请核对号码") from None
    if compact[-1] != ric.calc_check_digit(compact):
        raise _id_error(
            "身份证号的校验位（最后一位）不对，说明号码中有数字输错或顺序颠倒，请核对身份证上的号码"
        )
    if birth_date > today:
        raise _id_error(f"身份证号中的出生日期 {birth_date.isoformat()} 在今天之后，请核对第 7–14 位")
    info = IdInfo(
        number=compact,
        birth_date=birth_date,
        sex=Sex.MALE if int(compact[16]) % 2 else Sex.FEMALE,
        area_code=compact[:6],
    )
    age = info.age_on(today)
    if age > MAX_AGE:
        raise _id_error(
            f"按身份证号算，此人出生于 {birth_date.isoformat()}，已 {age} 岁，超过 {MAX_AGE} 岁，"
            "请核对第 7–14 位"
        )
    warning = _area_warning(compact, birth_date)
    if warning:
        info = IdInfo(info.number, info.birth_date, info.sex, info.area_code, (warning,))
    return info


def validate_id_number(text: str | None, today: date | None = None) -> str | None:
    """The message for a wrong ID number, or ``None`` when it is fine or left empty."""
    if not normalize_text(text):
        return None
    try:
        parse_id_number(text or "", today)
    except ValidationError as exc:
        return exc.message
    return None


# --- phone numbers --------------------------------------------------------------------------------

LOCAL_AREA_CODE: Final = "0316"  # Langfang
_PHONE_FORMS: Final = (
    "请填写 11 位手机号（如 13812345678）或带区号的固定电话（如 0316-5123456），"
    "香河本地固话也可以只写 7 位号码"
)
_PHONE_SEPARATORS: Final = re.compile(r"[\s\-‐‑–—()（）]")
# phonenumbers (~30 ms to import) is loaded by the first phone number checked, not by every start
# of the desk and of each command that never reads one (issue #13). Its number types, as ints:
_FIXED: Final = (0, 2)  # PhoneNumberType.FIXED_LINE, FIXED_LINE_OR_MOBILE
_MOBILE: Final = (1, 2)  # PhoneNumberType.MOBILE, FIXED_LINE_OR_MOBILE


def _phone_error(message: str, field: str) -> ValidationError:
    return ValidationError(message, field=field)


def _national_digits(raw: str, field: str) -> str:
    """Digits of a Chinese number in national form (trunk 0 for landlines, no +86)."""
    text = _PHONE_SEPARATORS.sub("", normalize_text(raw))
    international = text.startswith("+")
    digits = text[1:] if international else text
    if not digits.isdigit() or not digits.isascii():
        raise _phone_error(f"电话号码“{raw.strip()}”里有数字以外的字符。{_PHONE_FORMS}", field)
    if international or digits.startswith("0086"):
        digits = digits if international else digits[2:]
        if not digits.startswith("86"):
            raise _phone_error(f"只能填写中国大陆的电话号码（+86）。{_PHONE_FORMS}", field)
        digits = digits[2:]
        if not digits.startswith(("0", "1")):
            digits = "0" + digits
    elif len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
    return digits


def normalize_phone(text: str, field: str = "phone") -> str:
    """A phone number in the desk's form: ``13812345678`` or ``0316-5123456``.

    Mobiles may carry +86 / 86; landlines need their area code except Langfang's own
    7-digit numbers, which get 0316. Spaces, dashes and full-width digits are accepted.

    Raises:
        ValidationError: with ``field`` when the number cannot be right.
    """
    import phonenumbers  # see _FIXED

    raw = normalize_text(text)
    if not raw:
        raise _phone_error(f"电话号码是空的。{_PHONE_FORMS}", field)
    digits = _national_digits(raw, field)
    if digits.startswith("1"):
        if len(digits) != 11:
            raise _phone_error(f"手机号应为 11 位数字，现在是 {len(digits)} 位，请核对", field)
        try:
            parsed = phonenumbers.parse(digits, "CN")
        except phonenumbers.NumberParseException:
            raise _phone_error(f"手机号 {digits} 的号段不存在，请核对前三位", field) from None
        if not phonenumbers.is_valid_number(parsed) or phonenumbers.number_type(parsed) not in _MOBILE:
            raise _phone_error(f"手机号 {digits} 的号段不存在，请核对前三位", field)
        return digits
    if not digits.startswith("0"):
        if len(digits) != 7:
            raise _phone_error(
                f"电话号码“{raw}”有 {len(digits)} 位数字，不是手机号也不是香河本地固话。{_PHONE_FORMS}",
                field,
            )
        digits = LOCAL_AREA_CODE + digits
    if digits.startswith(LOCAL_AREA_CODE):
        # Our own area code is checked by its rule before phonenumbers, which would read
        # 0316-1234 as area 031 + 61234.
        after = digits[len(LOCAL_AREA_CODE) :]
        if len(after) != 7:
            raise _phone_error(
                f"廊坊的固定电话是区号 0316 加 7 位号码（如 0316-5123456），“{raw}”的区号后面有 "
                f"{len(after)} 位，请核对",
                field,
            )
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        raise _phone_error(f"“{raw}”不是有效的电话号码。{_PHONE_FORMS}", field) from None
    area_len = phonenumbers.length_of_geographical_area_code(parsed)
    national = str(parsed.national_number)
    local = national[area_len:]
    # phonenumbers accepts subscriber numbers starting with 0 or 1, which landlines never have
    # (0 is the trunk prefix, 1 starts service numbers). In our own area code that is a typo.
    if (
        not phonenumbers.is_valid_number(parsed)
        or phonenumbers.number_type(parsed) not in _FIXED
        or not area_len
        or (digits.startswith(LOCAL_AREA_CODE) and local[:1] in ("0", "1"))
    ):
        after = digits[len(LOCAL_AREA_CODE) :]
        if digits.startswith(LOCAL_AREA_CODE) and len(after) == 7:
            raise _phone_error(
                f"“{raw}”不对：廊坊的固定电话号码（区号 0316 后面的 7 位）不会以 0 或 1 开头，请核对",
                field,
            )
        if digits.startswith(LOCAL_AREA_CODE):
            raise _phone_error(
                f"廊坊的固定电话是区号 0316 加 7 位号码（如 0316-5123456），“{raw}”的区号后面有 "
                f"{len(after)} 位，请核对",
                field,
            )
        raise _phone_error(f"“{raw}”不是有效的电话号码。{_PHONE_FORMS}", field)
    return f"0{national[:area_len]}-{local}"


def validate_phone(text: str | None) -> str | None:
    """The message for a wrong phone number, or ``None`` when it is fine or left empty."""
    if not normalize_text(text):
        return None
    try:
        normalize_phone(text or "")
    except ValidationError as exc:
        return exc.message
    return None


# --- names ----------------------------------------------------------------------------------------

_HAN: Final = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RE: Final = re.compile(f"[{_HAN}]")
_HAN_NAME_RE: Final = re.compile(f"[{_HAN}]+(?:·[{_HAN}]+)*")
_LATIN_NAME_RE: Final = re.compile(r"[A-Za-z]+(?:[ '\-][A-Za-z]+)*")
# Middle dots as typed by different input methods, plus a plain full stop, all become U+00B7.
_DOTS_RE: Final = re.compile(r"\s*[·•‧・.。]\s*")
# Placeholders that spreadsheets and copied forms leave in a name cell.
PLACEHOLDER_NAMES: Final = frozenset(
    {"none", "null", "nan", "nil", "undefined", "true", "false", "test", "name"}
    | {"姓名", "不详", "未知", "暂无", "无名", "测试", "某某"}
)
# Names already found valid → their cleaned form (an import checks the same names over and over;
# a name's check depends on nothing else). Bounded: cleared when full.
_VALID_NAMES: Final[dict[str, str]] = {}
_VALID_NAMES_KEPT: Final = 65536
NAME_MIN: Final = 2
NAME_MAX: Final = 20

# Free-text fields have a ceiling (issue #10): a 10,000-character address is a mistake or an
# attack, never an address. The numbers leave ample room for real notes and requests.
TEXT_LIMITS: Final = {
    "address": 200,
    "emergency_name": 50,
    "note": 2000,
    "external_number": 50,
    "result": 2000,
}


def text_length_problem(text: str | None, label: str, limit: int) -> str | None:
    """「居住地址太长（…字）」 when ``text`` has more than ``limit`` characters, else None."""
    length = len(text or "")
    if length <= limit:
        return None
    return f"{label}太长（{length} 字），最多 {limit} 字，请精简后再保存。"


def validate_name(text: str | None, field: str = "name") -> str:
    """Return the cleaned person's name, or raise ValidationError with ``field``.

    A name is 2–20 characters: Chinese characters, with ``·`` between parts of an ethnic-minority
    name (阿依古丽·买买提), or Latin letters with spaces. Spaces between Chinese characters go.
    """
    known = _VALID_NAMES.get(text)  # type: ignore[arg-type]
    if known is not None:
        return known
    name = normalize_text(text)
    if not name:
        raise ValidationError("请填写姓名", field=field)
    if _HAN_RE.search(name):
        name = _DOTS_RE.sub("·", name.replace(" ", ""))
    if name.lower() in PLACEHOLDER_NAMES:
        raise ValidationError(f"“{name}”不是姓名，像是表格里的空值或占位词，请填写真实姓名", field=field)
    if any(char.isdigit() for char in name):
        raise ValidationError(
            f"姓名“{name}”里有数字，请只填写姓名；电话、身份证号请填在各自的栏里", field=field
        )
    if not (_HAN_NAME_RE.fullmatch(name) or _LATIN_NAME_RE.fullmatch(name)):
        if _HAN_RE.search(name) and re.search("[A-Za-z]", name):
            raise ValidationError(
                f"姓名“{name}”中文和字母混在一起，请只写中文姓名，或只用字母写外文姓名", field=field
            )
        odd = next(
            (char for char in name if not (_HAN_RE.match(char) or char.isalpha() or char in " ·")),
            "·",
        )
        raise ValidationError(
            f"姓名“{name}”里有不能用的字符“{odd}”，请只填写姓名本身；"
            "少数民族姓名的间隔号写作“·”，且只能写在两个字之间",
            field=field,
        )
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise ValidationError(
            f"姓名应为 {NAME_MIN}–{NAME_MAX} 个字，“{name}”有 {len(name)} 个字，请核对", field=field
        )
    if len(_VALID_NAMES) >= _VALID_NAMES_KEPT:
        _VALID_NAMES.clear()
    _VALID_NAMES[text] = name  # type: ignore[index]
    return name


# --- dates and times ------------------------------------------------------------------------------

DateInput = date | str | int | float | None
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2100
# Excel's 1900 date system counts 1900-02-29, which never existed (a Lotus 1-2-3 bug it kept);
# from serial 61 (1900-03-01) on, serial n is 1899-12-30 + n days.
_EXCEL_EPOCH: Final = datetime(1899, 12, 30)
_EXCEL_MAX: Final = (datetime(MAX_YEAR, 12, 31) - _EXCEL_EPOCH).days

_DATE_PART: Final = (
    r"(?P<y>\d{4})(?:[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})|年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})[日号]?)"
)
_TIME_PART: Final = (
    r"(?P<H>\d{1,2})(?::|时|点)(?P<M>\d{1,2})"
    r"(?:(?::|分)(?P<S>\d{1,2})(?:\.(?P<f>\d{1,6}))?秒?|分)?"
)
_DATETIME_RE: Final = re.compile(f"{_DATE_PART}(?:(?:\\s+|T|(?<=[日号])){_TIME_PART})?")
_COMPACT_DATE_RE: Final = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_SERIAL_RE: Final = re.compile(r"\d{1,5}(?:\.\d+)?")
_SPACE_AROUND_RE: Final = re.compile(r"\s*([年月日号时分秒点:/\-.])\s*")


def _date_error(message: str, field: str) -> ValidationError:
    return ValidationError(message, field=field)


def _from_serial(serial: float, raw: object, field: str) -> datetime:
    if not math.isfinite(serial) or serial < 1 or serial >= _EXCEL_MAX + 1:
        raise _date_error(f"“{raw}”不是有效的日期，请写成“2026-11-03”这样的年-月-日格式", field)
    if MIN_YEAR <= serial <= MAX_YEAR and serial == int(serial):
        # A bare year typed into a date cell, not the Excel serial for a day in 1905.
        raise _date_error(f"“{raw}”只有年份，请写完整的年月日，如“{int(serial)}-01-01”", field)
    if serial < 61:
        if int(serial) == 60:
            raise _date_error(f"日期“{raw}”是 Excel 的 1900-02-29，这一天不存在，请核对", field)
        serial += 1
    seconds = round(serial * 86400)
    return _EXCEL_EPOCH + timedelta(seconds=seconds)


def _build(raw: object, field: str, y: str, m: str, d: str, clock: tuple[int, int, int, int]) -> datetime:
    year, month, day = int(y), int(m), int(d)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _date_error(f"日期“{raw}”的年份 {year} 不对，应在 {MIN_YEAR}–{MAX_YEAR} 年之间，请核对", field)
    if not 1 <= month <= 12:
        raise _date_error(f"日期“{raw}”不存在：没有 {month} 月，请核对", field)
    try:
        day_value = date(year, month, day)
    except ValueError:
        raise _date_error(f"日期“{raw}”不存在：{year} 年 {month} 月没有 {day} 日，请核对", field) from None
    try:
        clock_value = time(*clock)
    except ValueError:
        raise _date_error(f"时间“{raw}”不对：小时应为 0–23，分和秒应为 0–59，请核对", field) from None
    return datetime.combine(day_value, clock_value)


def _parse_text(raw: str, field: str, example: str) -> datetime:
    text = normalize_text(raw).replace("：", ":")
    text = _SPACE_AROUND_RE.sub(r"\1", text)
    if not text:
        raise _date_error(f"请填写日期，如{example}", field)
    match = _DATETIME_RE.fullmatch(text)
    if match:
        parts = match.groupdict()
        fraction = (parts["f"] or "").ljust(6, "0")
        clock = (int(parts["H"] or 0), int(parts["M"] or 0), int(parts["S"] or 0), int(fraction))
        return _build(raw, field, parts["y"], parts["m"] or parts["m2"], parts["d"] or parts["d2"], clock)
    match = _COMPACT_DATE_RE.fullmatch(text)
    if match:
        return _build(raw, field, match["y"], match["m"], match["d"], (0, 0, 0, 0))
    if _SERIAL_RE.fullmatch(text):
        return _from_serial(float(text), raw, field)
    try:
        # ISO 8601 with a time-zone offset ("…T14:05:00+08:00", "…Z") and other ISO forms.
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _date_error(f"无法识别日期“{raw}”，请写成{example}这样的格式", field) from None
    value = _naive_local(value)
    return _build(raw, field, str(value.year), str(value.month), str(value.day), _clock(value))


def _clock(value: datetime) -> tuple[int, int, int, int]:
    return (value.hour, value.minute, value.second, value.microsecond)


def _naive_local(value: datetime) -> datetime:
    if value.tzinfo is not None:
        return value.astimezone().replace(tzinfo=None)
    return value


def _parse(value: DateInput, field: str, example: str) -> datetime:
    if isinstance(value, datetime):
        return _naive_local(value)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if value is None:
        raise _date_error(f"请填写日期，如{example}", field)
    if isinstance(value, bool):
        raise _date_error(f"“{value}”不是日期，请写成{example}这样的格式", field)
    if isinstance(value, int | float):
        return _from_serial(float(value), value, field)
    return _parse_text(value, field, example)


def parse_date(value: DateInput, field: str = "date") -> date:
    """A date from a date object, typed text or an Excel cell.

    Accepts 2026-11-03, 2026/11/3, 2026.11.3, 2026年11月3日, 20261103, Excel serials (46329)
    and, ignoring the time, everything :func:`parse_datetime` accepts.

    Raises:
        ValidationError: with ``field``; the message quotes the value and shows the right form.
    """
    return _parse(value, field, "“2026-11-03”").date()


def parse_datetime(value: DateInput, field: str = "date") -> datetime:
    """A naive local datetime; the forms of :func:`parse_date` plus a time of day.

    Accepts 2026-11-03 14:05, 2026/11/3 14:05:30, 2026年11月3日 14时05分, 2026-11-03T14:05:00
    and Excel serials with a fraction. A date alone means 00:00.

    Raises:
        ValidationError: with ``field``; the message quotes the value and shows the right form.
    """
    return _parse(value, field, "“2026-11-03 14:05”")
