"""The five spreadsheet kinds of contract §2: their Chinese columns, which are required, and the
closed choices each column accepts. Templates, imports and exports all read these specs, so a
sheet exported from one copy imports into another.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from xianghe_desk.domain.enums import (
    CareTag,
    FeedbackRoute,
    Living,
    MemberKind,
    MemberRole,
    Satisfaction,
    Sex,
    Status,
    Urgency,
)

KINDS: Final = ("villages", "grids", "members", "residents", "requests")
YES_NO: Final = ("是", "否")


class CellType(Enum):
    """How a column's cells are read and written."""

    TEXT = "text"
    LONG_TEXT = "long_text"  # keeps its line breaks (诉求内容, 办理结果, 备注)
    CODE = "code"  # digits that are not numbers (统计代码, 网格编号): written as text
    ID_NUMBER = "id_number"  # 18-character resident ID: written as text, numbers refused
    PHONE = "phone"
    DATE = "date"
    DATETIME = "datetime"
    INTEGER = "integer"
    CHOICE = "choice"
    MULTI = "multi"  # several choices or names, separated by 、 or ,


class Source(Enum):
    """Lists that come from the database (or the shipped reference data) rather than the code."""

    TOWNS = "towns"
    VILLAGES = "villages"
    GRIDS = "grids"
    CHANNELS = "channels"
    CATEGORIES = "categories"
    METHODS = "methods"


@dataclass(frozen=True)
class ColumnSpec:
    """One column: its header, whether it must be filled, and what it accepts.

    ``choices`` is a closed list fixed by the program; ``source`` names a list read from the
    database. ``hint`` explains the column in the template (cell comment and 填表说明 sheet).
    ``aliases`` are other headers people use for the same column in their own sheets.
    """

    name: str
    required: bool = False
    type: CellType = CellType.TEXT
    choices: tuple[str, ...] = ()
    source: Source | None = None
    hint: str = ""
    example: str = ""
    width: float = 12
    aliases: tuple[str, ...] = ()

    @property
    def is_closed(self) -> bool:
        """Whether the template offers a drop-down list for this column."""
        return bool(self.choices) or self.source is not None


@dataclass(frozen=True)
class SheetSpec:
    """One KIND: its Chinese label (also the data sheet's name) and its columns in order."""

    kind: str
    label: str
    columns: tuple[ColumnSpec, ...]
    intro: str = ""
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for position, column in enumerate(self.columns):
            self._index[column.name] = position
            self._index.setdefault(_fold_header(column.name), position)
        for position, column in enumerate(self.columns):
            for alias in column.aliases:
                self._index.setdefault(_fold_header(alias), position)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def position(self, name: str) -> int:
        return self._index[name]

    def column(self, name: str) -> ColumnSpec:
        return self.columns[self._index[name]]

    def match_header(self, text: object) -> ColumnSpec | None:
        """The column a header cell names: ``姓名``, ``姓名*``, ``* 姓名``, ``姓名（必填）``, or an alias."""
        if text is None:
            return None
        position = self._index.get(_fold_header(str(text)))
        return None if position is None else self.columns[position]


_REQUIRED_MARKS: Final = re.compile(r"[*＊※]|[(（【\[]\s*(必填|必须填写|必填项|选填)\s*[)）】\]]")


def _fold_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _REQUIRED_MARKS.sub("", text)
    return "".join(text.split())


@dataclass(frozen=True)
class Choices:
    """The lists behind the drop-downs that depend on the database: places and the settings' lists."""

    towns: tuple[str, ...] = ()
    villages: tuple[str, ...] = ()
    grids: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()

    def values(self, source: Source) -> tuple[str, ...]:
        return tuple(getattr(self, source.value))


# ---- columns that several kinds share --------------------------------------------------------

_TOWN = ColumnSpec(
    "所属镇",
    required=True,
    type=CellType.CHOICE,
    source=Source.TOWNS,
    hint="本县的镇（乡、开发区）名称，可从下拉列表选择；也可以写简称（淑阳）或 9 位统计代码。",
    example="淑阳镇",
    width=14,
    aliases=("镇", "乡镇", "所属乡镇", "镇街", "所属镇街"),
)
_VILLAGE = ColumnSpec(
    "所属村街",
    required=True,
    type=CellType.CHOICE,
    source=Source.VILLAGES,
    hint="村街（村、社区）名称：正式名称（王刘圈村村民委员会）和常用名称（王刘圈村）都可以，"
    "也可以写 12 位统计代码。不同镇有同名的村，所以要同时填写所属镇。",
    example="王刘圈村",
    width=16,
    aliases=("村街", "所属村", "村", "村（社区）", "所属村（社区）", "村社区", "社区"),
)
_ID = ColumnSpec(
    "身份证号",
    type=CellType.ID_NUMBER,
    hint="18 位居民身份证号，最后一位可以是 X。本列已设为「文本」格式，请不要改成数字格式："
    "数字格式会把号码变成 1.31024E+17 这样的科学计数法，后几位就丢了。",
    example="131024195103151234",
    width=21,
    aliases=("身份证号码", "公民身份号码", "身份证"),
)
_GRID = ColumnSpec(
    "所属网格",
    type=CellType.CHOICE,
    source=Source.GRIDS,
    hint="本村街的网格名称（第一网格）或网格编号。",
    example="第一网格",
    width=12,
    aliases=("网格",),
)


def _labels(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(member.label for member in enum)  # type: ignore[attr-defined]


VILLAGES = SheetSpec(
    "villages",
    "村街",
    (
        _TOWN,
        ColumnSpec(
            "村街名称",
            required=True,
            hint="村街的正式名称（王刘圈村村民委员会、康宁社区居民委员会）或常用名称（王刘圈村）。"
            "已有的村街按「所属镇 + 名称」或统计代码认出，不会重复添加。",
            example="王刘圈村村民委员会",
            width=24,
            aliases=("村街", "村名", "名称", "村（社区）名称", "村居名称"),
        ),
        ColumnSpec(
            "统计代码",
            type=CellType.CODE,
            hint="国家统计局的 12 位村级统计代码，前 9 位是所属镇的代码。不知道可以不填。",
            example="131024100201",
            width=16,
            aliases=("代码", "区划代码", "统计用区划代码"),
        ),
        ColumnSpec("片区", hint="片区（片区党总支）名称，没有可以不填。", example="城西片区", width=14),
    ),
    intro="一行一个村街（村或社区）。",
)

GRIDS = SheetSpec(
    "grids",
    "网格",
    (
        _TOWN,
        _VILLAGE,
        ColumnSpec(
            "网格名称",
            required=True,
            hint="网格名称，同一村街里不能重名，例如：第一网格。",
            example="第一网格",
            width=12,
            aliases=("网格",),
        ),
        ColumnSpec(
            "网格编号",
            type=CellType.CODE,
            hint="网格编号（文本），没有可以不填。已有的网格按名称或编号认出。",
            example="131024100201-01",
            width=18,
        ),
        ColumnSpec("网格长", hint="网格长姓名。", example="李建国", width=10),
        ColumnSpec("户数", type=CellType.INTEGER, hint="网格内的户数（整数）。", example="120", width=8),
        ColumnSpec(
            "人口数",
            type=CellType.INTEGER,
            hint="网格内的人口数（整数）。",
            example="350",
            width=8,
            aliases=("人口", "人数"),
        ),
        ColumnSpec("网格党小组", hint="网格党小组名称。", example="第一网格党小组", width=16),
    ),
    intro="一行一个网格。网格属于一个村街。",
)

MEMBERS = SheetSpec(
    "members",
    "网格员",
    (
        ColumnSpec("姓名", required=True, hint="网格员姓名。", example="李建国", width=10),
        ColumnSpec(
            "手机号",
            required=True,
            type=CellType.PHONE,
            hint="11 位手机号。同一个镇里手机号不能重复：已有的网格员按「所属镇 + 手机号」认出。",
            example="13812345678",
            width=14,
            aliases=("手机号码", "手机", "联系电话", "电话"),
        ),
        _TOWN,
        ColumnSpec(
            _VILLAGE.name,
            required=True,
            type=CellType.CHOICE,
            source=Source.VILLAGES,
            hint=_VILLAGE.hint + "身份为「镇干部」的可以不填。",
            example=_VILLAGE.example,
            width=_VILLAGE.width,
            aliases=_VILLAGE.aliases,
        ),
        ColumnSpec(
            "负责网格",
            type=CellType.MULTI,
            source=Source.GRIDS,
            hint="负责的网格，可以写几个，用顿号「、」或逗号隔开，例如：第一网格、第二网格。",
            example="第一网格",
            width=18,
        ),
        ColumnSpec(
            "类型",
            type=CellType.CHOICE,
            choices=_labels(MemberKind),
            hint="专职或兼职，不填按兼职。",
            example="兼职",
            width=8,
        ),
        ColumnSpec(
            "身份",
            type=CellType.CHOICE,
            choices=_labels(MemberRole),
            hint="网格长、网格员、村干部、镇干部或党员帮办员，不填按网格员。",
            example="网格员",
            width=12,
        ),
        ColumnSpec(
            "是否党员",
            type=CellType.CHOICE,
            choices=YES_NO,
            hint="是或否，不填按否。",
            example="否",
            width=8,
            aliases=("党员",),
        ),
        _ID,
        ColumnSpec(
            "在岗",
            type=CellType.CHOICE,
            choices=YES_NO,
            hint="是或否，不填按是。已离岗的网格员写「否」，他们承办过的工单仍保留姓名。",
            example="是",
            width=8,
            aliases=("是否在岗",),
        ),
    ),
    intro="一行一名网格员（也包括承办工单的村干部、镇干部和党员帮办员）。",
)

RESIDENTS = SheetSpec(
    "residents",
    "服务对象",
    (
        ColumnSpec("姓名", required=True, hint="服务对象姓名。", example="王秀兰", width=10),
        _TOWN,
        _VILLAGE,
        ColumnSpec(
            _ID.name,
            type=CellType.ID_NUMBER,
            hint=_ID.hint + "填了身份证号，性别和出生日期可以不填（从号码读出）。"
            "已有的人按身份证号认出；没有身份证号时，按「姓名 + 村街 + 出生日期」认出。",
            example=_ID.example,
            width=_ID.width,
            aliases=_ID.aliases,
        ),
        ColumnSpec(
            "性别", type=CellType.CHOICE, choices=_labels(Sex), hint="男或女。", example="女", width=6
        ),
        ColumnSpec(
            "出生日期",
            type=CellType.DATE,
            hint="写成 1950-03-15、1950/3/15 或 1950年3月15日 都可以。",
            example="1950-03-15",
            width=12,
            aliases=("出生年月日", "生日"),
        ),
        ColumnSpec(
            "联系电话",
            type=CellType.PHONE,
            hint="手机号，或固定电话（0316-5123456，香河本地可只写 7 位）。",
            example="13812345678",
            width=14,
            aliases=("电话", "手机号", "手机号码", "联系方式"),
        ),
        _GRID,
        ColumnSpec(
            "服务类别",
            type=CellType.MULTI,
            choices=_labels(CareTag),
            hint="可以写几个，用顿号「、」隔开：" + "、".join(_labels(CareTag)) + "。",
            example="独居老人、低保",
            width=18,
            aliases=("类别", "人员类别", "对象类别"),
        ),
        ColumnSpec(
            "居住情况",
            type=CellType.CHOICE,
            choices=_labels(Living),
            hint="、".join(_labels(Living)) + "。",
            example="独居",
            width=12,
        ),
        ColumnSpec(
            "居住地址", hint="门牌地址。", example="王刘圈村前街12号", width=24, aliases=("住址", "地址")
        ),
        ColumnSpec("紧急联系人", hint="子女或亲属姓名。", example="张明", width=10),
        ColumnSpec(
            "紧急联系电话",
            type=CellType.PHONE,
            hint="紧急联系人的电话。",
            example="13912345678",
            width=14,
            aliases=("紧急联系人电话",),
        ),
        ColumnSpec(
            "联系党员",
            hint="联系这户的党员（网格员名单里的人）姓名；同名时写成「姓名（手机号）」。",
            example="李建国",
            width=10,
            aliases=("联系党员姓名",),
        ),
        ColumnSpec("备注", type=CellType.LONG_TEXT, hint="其他情况。", example="", width=20),
    ),
    intro="一行一位服务对象（需要帮办、上门服务的居民）。",
)

_STATUS_HINT = (
    "、".join(_labels(Status)) + "。不填时按已填的时间推断。「已办结」「已回访」要填办结时间和办理方式；"
    "「已回访」还要填回访方式和满意度。"
)

REQUESTS = SheetSpec(
    "requests",
    "服务工单",
    (
        ColumnSpec(
            "受理时间",
            required=True,
            type=CellType.DATETIME,
            hint="写成 2026-11-03 14:05 或 2026/11/3 14:05；只写日期也可以。",
            example="2026-11-03 09:30",
            width=17,
            aliases=("受理日期", "登记时间", "来电时间"),
        ),
        ColumnSpec(
            "来源渠道",
            required=True,
            type=CellType.CHOICE,
            source=Source.CHANNELS,
            hint="从下拉列表选择，例如：服务电话、12345热线、微信群。",
            example="12345热线",
            width=14,
            aliases=("渠道", "来源"),
        ),
        ColumnSpec(
            "问题类别",
            required=True,
            type=CellType.CHOICE,
            source=Source.CATEGORIES,
            hint="从下拉列表选择，例如：社保医保代办、生活照料、环境卫生。",
            example="社保医保代办",
            width=16,
            aliases=("类别", "诉求类别", "问题分类"),
        ),
        ColumnSpec(
            "诉求内容",
            required=True,
            type=CellType.LONG_TEXT,
            hint="群众要办什么事、遇到了什么问题。",
            example="帮助老人代缴城乡居民医保",
            width=36,
            aliases=("诉求", "内容", "问题描述", "诉求描述"),
        ),
        _TOWN,
        _VILLAGE,
        ColumnSpec(
            "工单编号",
            type=CellType.CODE,
            hint="本程序的工单编号（如 100-K7M3-2611-0042），导出时写入。"
            "导入时，编号已有的行更新那张工单；新登记的工单不用填，导入时自动编号。",
            example="",
            width=20,
        ),
        ColumnSpec(
            "外部编号",
            type=CellType.CODE,
            hint="其他系统的编号（如 12345 平台的工单号），原样保存；同一外部编号的行是同一张工单。",
            example="",
            width=18,
            # A bare 工单号 column comes from another system's list (12345 platform): kept as-is.
            aliases=("12345工单号", "平台工单号", "来源编号", "工单号"),
        ),
        ColumnSpec(
            "紧急程度",
            type=CellType.CHOICE,
            choices=_labels(Urgency),
            hint="紧急或一般，不填按一般。",
            example="一般",
            width=8,
        ),
        ColumnSpec(
            "服务对象姓名",
            hint="提出诉求的群众姓名。",
            example="王秀兰",
            width=12,
            aliases=("群众姓名", "诉求人", "诉求人姓名", "来电人"),
        ),
        _ID,
        ColumnSpec(
            "联系电话",
            type=CellType.PHONE,
            hint="群众的联系电话。",
            example="13812345678",
            width=14,
            aliases=("电话", "来电号码", "联系方式"),
        ),
        _GRID,
        ColumnSpec(
            "承办人",
            hint="承办的网格员（网格员名单里的人）姓名；同名时写成「姓名（手机号）」。"
            "已派单而不填时，派给所属网格的默认网格员。",
            example="李建国",
            width=12,
            aliases=("承办人姓名", "办理人"),
        ),
        ColumnSpec(
            "状态",
            type=CellType.CHOICE,
            choices=_labels(Status),
            hint=_STATUS_HINT,
            example="已回访",
            width=10,
            aliases=("工单状态", "办理状态"),
        ),
        ColumnSpec(
            "派单时间",
            type=CellType.DATETIME,
            hint="不填时按受理时间。",
            example="2026-11-03 10:00",
            width=17,
        ),
        ColumnSpec(
            "办结时间",
            type=CellType.DATETIME,
            hint="状态为已办结、已回访时必填。",
            example="2026-11-04 16:00",
            width=17,
            aliases=("办结日期", "完成时间"),
        ),
        ColumnSpec(
            "办理方式",
            type=CellType.CHOICE,
            source=Source.METHODS,
            hint="状态为已办结、已回访时必填，从下拉列表选择，例如：现场办结、代办代跑。",
            example="代办代跑",
            width=12,
        ),
        ColumnSpec(
            "办理结果",
            type=CellType.LONG_TEXT,
            hint="为群众办了什么、办成了没有。",
            example="已代缴 2027 年度医保",
            width=28,
        ),
        ColumnSpec(
            "回访时间",
            type=CellType.DATETIME,
            hint="不填时按办结时间。",
            example="2026-11-05 10:00",
            width=17,
        ),
        ColumnSpec(
            "回访方式",
            type=CellType.CHOICE,
            choices=_labels(FeedbackRoute),
            hint="电话回访或上门回访；状态为已回访时必填。",
            example="电话回访",
            width=10,
        ),
        ColumnSpec(
            "满意度",
            type=CellType.CHOICE,
            choices=_labels(Satisfaction),
            hint="满意、基本满意或不满意；状态为已回访时必填。",
            example="满意",
            width=10,
            aliases=("评价", "满意度评价"),
        ),
    ),
    intro="一行一张服务工单。",
)

SPECS: Final[dict[str, SheetSpec]] = {
    spec.kind: spec for spec in (VILLAGES, GRIDS, MEMBERS, RESIDENTS, REQUESTS)
}
KIND_LABELS: Final[dict[str, str]] = {kind: spec.label for kind, spec in SPECS.items()}


def spec_for(kind: str) -> SheetSpec:
    """The spec of ``kind`` (one of KINDS); raises KeyError for anything else."""
    return SPECS[kind]
