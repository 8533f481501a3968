"""What a form or a spreadsheet row hands to the services, and the rules that clean it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Final, NamedTuple

from xianghe_desk.domain import validators as v
from xianghe_desk.domain.enums import CareTag, Living, MemberKind, MemberRole, Sex, Urgency
from xianghe_desk.domain.errors import ValidationError

MAX_CONTENT = 5000


@dataclass(frozen=True)
class ResidentDraft:
    name: str
    village_id: int
    id_number: str = ""
    sex: Sex | None = None
    birth_date: date | None = None
    phone: str = ""
    grid_id: int | None = None
    care_tags: tuple[CareTag, ...] = ()
    living: Living | None = None
    address: str = ""
    emergency_name: str = ""
    emergency_phone: str = ""
    linked_member_id: int | None = None
    note: str = ""


class ResidentValues(NamedTuple):
    """The values :func:`clean_resident` normalises, without a draft around them."""

    name: str
    id_number: str
    sex: Sex | None
    birth_date: date | None
    phone: str
    emergency_phone: str
    emergency_name: str
    address: str
    note: str


def clean_resident(draft: ResidentDraft, today: date) -> tuple[ResidentDraft, list[str]]:
    """The draft with normalised values and derived sex/birth date, plus warnings.

    Raises:
        ValidationError: with every problem found, each tied to its field.
    """
    values, warnings = clean_resident_values(
        today,
        draft.name,
        draft.id_number,
        draft.sex,
        draft.birth_date,
        draft.phone,
        draft.emergency_phone,
        draft.emergency_name,
        draft.address,
        draft.note,
    )
    return replace(draft, **values._asdict(), care_tags=tuple(dict.fromkeys(draft.care_tags))), warnings


# The texts clean_resident_values checks for length, in the order their problems are listed.
_RESIDENT_TEXTS: Final = (("address", "居住地址"), ("emergency_name", "紧急联系人"), ("note", "备注"))
_SHORTEST_LIMIT: Final = min(v.TEXT_LIMITS[field_name] for field_name, _label in _RESIDENT_TEXTS)


def clean_resident_values(
    today: date,
    name: str,
    id_number: str = "",
    sex: Sex | None = None,
    birth_date: date | None = None,
    phone: str = "",
    emergency_phone: str = "",
    emergency_name: str = "",
    address: str = "",
    note: str = "",
) -> tuple[ResidentValues, list[str]]:
    """:func:`clean_resident` of a draft with these values: the same checks, messages and result.

    A spreadsheet import checks tens of thousands of rows and needs only the values, so it calls
    this without making a draft and a cleaned copy of it per row (issue #13).

    Raises:
        ValidationError: with every problem found, each tied to its field.
    """
    problems: list[tuple[str | None, str]] = []
    warnings: list[str] = []
    try:
        name = v.validate_name(name)
    except ValidationError as exc:
        problems.append(("name", exc.message))
    # normalize_text gives "" for "" and None alike: an empty cell costs no call.
    id_number = v.normalize_text(id_number).upper() if id_number else ""
    if id_number:
        try:
            info = v.parse_id_number(id_number, today=today)
        except ValidationError as exc:
            problems.append(("id_number", exc.message))
        else:
            id_number = info.number
            warnings.extend(info.warnings)
            if sex is not None and sex is not info.sex:
                problems.append(
                    ("sex", f"性别填的是「{sex.label}」，但身份证号显示为「{info.sex.label}」，请核对。")
                )
            if birth_date is not None and birth_date != info.birth_date:
                problems.append(
                    (
                        "birth_date",
                        f"出生日期 {birth_date:%Y-%m-%d} 与身份证号中的 {info.birth_date:%Y-%m-%d} 不一致，请核对。",
                    )
                )
            sex, birth_date = info.sex, info.birth_date
    if birth_date is not None and birth_date > today:
        problems.append(("birth_date", "出生日期不能晚于今天。"))
    phone = _resident_phone(phone, "phone", "联系电话", problems)
    emergency_phone = _resident_phone(emergency_phone, "emergency_phone", "紧急联系电话", problems)
    emergency_name = v.normalize_text(emergency_name) if emergency_name else ""
    address = v.normalize_text(address) if address else ""
    note = note.strip()
    if max(len(address), len(emergency_name), len(note)) > _SHORTEST_LIMIT:
        for (field_name, label), text in zip(_RESIDENT_TEXTS, (address, emergency_name, note), strict=True):
            limit = v.TEXT_LIMITS[field_name]
            if len(text) > limit:
                problems.append((field_name, v.text_length_problem(text, label, limit) or ""))
    if problems:
        raise ValidationError.from_problems(problems)
    values = ResidentValues(
        name, id_number, sex, birth_date, phone, emergency_phone, emergency_name, address, note
    )
    return values, warnings


def _resident_phone(text: str, field_name: str, label: str, problems: list[tuple[str | None, str]]) -> str:
    raw = v.normalize_text(text) if text else ""
    if not raw:
        return ""
    try:
        return v.normalize_phone(raw)
    except ValidationError as exc:
        problems.append((field_name, f"{label}：{exc.message}"))
        return ""


@dataclass(frozen=True)
class MemberDraft:
    name: str
    phone: str
    town_id: int
    village_id: int | None = None
    kind: MemberKind = MemberKind.PART_TIME
    role: MemberRole = MemberRole.MEMBER
    is_party: bool = False
    id_number: str = ""
    active: bool = True
    grid_ids: tuple[int, ...] = ()


def clean_member(draft: MemberDraft, today: date) -> MemberDraft:
    problems: list[tuple[str | None, str]] = []
    name, phone, id_number = draft.name, draft.phone, v.normalize_text(draft.id_number).upper()
    try:
        name = v.validate_name(draft.name)
    except ValidationError as exc:
        problems.append(("name", exc.message))
    if not v.normalize_text(draft.phone):
        problems.append(("phone", "请填写网格员的手机号，群众和文员要靠它联系。"))
    else:
        try:
            phone = v.normalize_phone(draft.phone)
        except ValidationError as exc:
            problems.append(("phone", exc.message))
    if id_number:
        try:
            id_number = v.parse_id_number(id_number, today=today).number
        except ValidationError as exc:
            problems.append(("id_number", exc.message))
    if problems:
        raise ValidationError.from_problems(problems)
    return replace(
        draft, name=name, phone=phone, id_number=id_number, grid_ids=tuple(dict.fromkeys(draft.grid_ids))
    )


@dataclass(frozen=True)
class RequestDraft:
    """受理登记: what a clerk enters when a request comes in."""

    channel: str
    category: str
    content: str
    village_id: int
    received_at: datetime | None = None  # None: now
    urgency: Urgency = Urgency.NORMAL
    grid_id: int | None = None
    resident_id: int | None = None
    person_name: str = ""
    person_phone: str = ""
    person_id_number: str = ""
    external_number: str = ""
    number: str = ""  # kept when the request comes with its own number (import, exchange)


def clean_request(draft: RequestDraft, now: datetime) -> RequestDraft:
    problems: list[tuple[str | None, str]] = []
    content = draft.content.strip()
    if not content:
        problems.append(("content", "请填写诉求内容：群众要办什么事、遇到了什么问题。"))
    elif len(content) > MAX_CONTENT:
        problems.append(("content", f"诉求内容太长（{len(content)} 字），请精简到 {MAX_CONTENT} 字以内。"))
    if not draft.channel:
        problems.append(("channel", "请选择来源渠道。"))
    if not draft.category:
        problems.append(("category", "请选择问题类别。"))
    if draft.received_at is not None and draft.received_at > now:
        problems.append(("received_at", "受理时间不能晚于现在，请核对日期和时间。"))
    external_number = v.normalize_text(draft.external_number)
    too_long = v.text_length_problem(external_number, "外部编号", v.TEXT_LIMITS["external_number"])
    if too_long:
        problems.append(("external_number", too_long))
    person_name = v.normalize_text(draft.person_name)
    if person_name:
        try:
            person_name = v.validate_name(person_name)
        except ValidationError as exc:
            problems.append(("person_name", exc.message))
    phone = v.normalize_text(draft.person_phone)
    if phone:
        try:
            phone = v.normalize_phone(phone)
        except ValidationError as exc:
            problems.append(("person_phone", exc.message))
    id_number = v.normalize_text(draft.person_id_number).upper()
    if id_number:
        try:
            id_number = v.parse_id_number(id_number, today=now.date()).number
        except ValidationError as exc:
            problems.append(("person_id_number", exc.message))
    if problems:
        raise ValidationError.from_problems(problems)
    return replace(
        draft,
        content=content,
        person_name=person_name,
        person_phone=phone,
        person_id_number=id_number,
        external_number=external_number,
        received_at=(draft.received_at or now).replace(microsecond=0),
    )
