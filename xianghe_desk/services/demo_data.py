"""Word lists for the demo county: names, addresses and the texts of requests and results; and
the demo's time-ordered UUIDs."""

from __future__ import annotations

import calendar
import random
from datetime import datetime

# Surnames roughly by frequency in Langfang, with a few whose surname reading differs from the
# common one (单 Shan, 曾 Zeng, 解 Xie, 仇 Qiu, 查 Zha) so that search by initials is exercised.
SURNAMES = (
    "王王王王李李李张张张刘刘刘杨杨赵赵陈孙孙高高马马郭周于徐田朱董吴何韩石曹邢冯史许孟宋梁魏崔贾霍白胡齐蔡段常闫付郑苏"
    "单曾解仇查"
)
MALE_CHARS = "国建明志永德福海春庆文军平立成全书万振宝金林山树发义顺和祥强伟东广田生胜利连兴有长云"
FEMALE_CHARS = "秀英兰珍桂凤淑芳霞玉华荣琴云梅丽敏静红娟艳翠萍素香春爱芬彩荷"
STREETS = ("东街", "西街", "南街", "北街", "前街", "后街", "中街", "新村路", "大街", "小街", "胡同")

MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
)

# What residents ask for, by category code. {name} is the resident, {village} the village.
REQUEST_TEXTS: dict[str, tuple[str, ...]] = {
    "social_insurance": (
        "{name}年纪大、腿脚不便，需代办城乡居民医保缴费。",
        "{name}的养老金资格认证到期，本人无智能手机，请网格员上门帮助认证。",
        "{name}住院费用需办理医保报销，家中无人跑腿，请代为提交材料。",
        "{name}申请慢性病门诊待遇，需代办鉴定材料递交。",
    ),
    "certificates": (
        "{name}身份证过期，行动不便，申请上门办理或代办换证。",
        "{name}残疾证需年审换证，请代为到县残联办理。",
        "{name}老年优待证丢失，请协助补办。",
    ),
    "relief_application": (
        "{name}家庭困难，申请临时救助，需代为填表并递交镇民政办。",
        "{name}申请低保复核，需协助准备材料。",
        "{name}因病致困，咨询并申请大病救助。",
    ),
    "payments_purchases": (
        "{name}独居，需代缴本月电费、燃气费。",
        "{name}需代购降压药和日常生活用品。",
        "{name}取暖季需代购燃气并联系上门安装。",
    ),
    "certification_letters": (
        "{name}需开具居住证明用于办理社保业务。",
        "{name}子女需开具家庭关系证明，老人无法到村委会，请代办。",
    ),
    "agent_other": ("{name}需代为领取邮政包裹。", "{name}需代办有线电视缴费及报修。"),
    "health_medicine": (
        "{name}高血压多年，请村医随网格员上门测血压、送药。",
        "{name}术后在家休养，需定期上门随访换药。",
        "{name}糖尿病，需上门测血糖并指导用药。",
    ),
    "daily_care": (
        "{name}独居，需上门帮助打扫卫生、清洗被褥。",
        "{name}行动不便，冬季需帮助储备生活用品。",
        "{name}需帮助理发、洗澡等生活照料。",
    ),
    "repairs": (
        "{name}家中电线老化，请帮助联系电工检修。",
        "{name}家中水管冻裂，请求上门维修。",
        "{name}家屋顶漏雨，需帮助修补。",
        "{name}家中取暖炉不好用，请求检修。",
    ),
    "companionship": (
        "{name}子女在外地，老人心情低落，请网格员常去看望陪伴。",
        "{name}老伴刚去世，需上门慰问陪伴。",
    ),
    "safety_check": (
        "入冬前对{name}家进行燃气、用电安全检查。",
        "{name}家使用煤炉取暖，需上门检查防煤气中毒措施。",
    ),
    "safety_hazard": (
        "{village}村口路灯损坏，夜间出行不安全。",
        "{village}排水沟盖板破损，有行人跌落隐患。",
        "{village}废弃机井未封堵，存在安全隐患。",
    ),
    "sanitation": (
        "{village}垃圾清运不及时，垃圾桶满溢。",
        "{village}坑塘有异味，请求清理。",
        "{village}主街有人倾倒建筑垃圾。",
    ),
    "illegal_building": ("{village}有村民在公共道路旁私搭棚子，影响通行。",),
    "disputes": (
        "{village}两户村民因宅基地边界发生纠纷，请求调解。",
        "{village}邻里因排水问题发生矛盾，请求协调。",
        "{name}与子女因赡养问题发生矛盾，请求调解。",
    ),
    "livelihood": (
        "{village}自来水水压低，高层住户用水困难。",
        "{village}冬季供暖不热，请求协调。",
        "{village}村内道路坑洼，雨天积水，请求修缮。",
    ),
    "clutter": ("{village}街道两侧柴草乱堆乱放，存在火灾隐患。", "{village}胡同内杂物堆放影响通行。"),
    "public_order": ("{village}夜间有外来车辆可疑停放，请加强巡查。", "{village}有人在村内聚集饮酒扰民。"),
}

RESULT_TEXTS: dict[str, tuple[str, ...]] = {
    "agent_run": (
        "网格员已代为到镇便民服务中心办理完毕，回执已交本人。",
        "已代办完成，相关材料已送还群众。",
        "网格员代跑县政务服务中心，当日办结。",
    ),
    "on_the_spot": (
        "网格员上门当场解决。",
        "已现场处理完毕，群众认可。",
        "上门服务完成，已向家属说明注意事项。",
    ),
    "referred": ("已转县相关部门办理，部门已答复并处理完毕。", "已联系供电所/自来水公司上门处理，问题解决。"),
    "joint": ("村两委与网格员联合上门处理，问题已解决。", "联合村医、志愿者共同完成上门服务。"),
    "escalated_to_town": ("已上报镇级协调，镇里组织相关科室处理完毕。",),
    "explained": ("已向群众解释相关政策，群众表示理解。", "已电话答复政策规定，并告知办理流程。"),
}

METHODS_BY_GROUP: dict[str, tuple[tuple[str, int], ...]] = {
    "agent": (("agent_run", 70), ("referred", 15), ("explained", 10), ("joint", 5)),
    "home": (("on_the_spot", 70), ("joint", 20), ("referred", 10)),
    "governance": (
        ("on_the_spot", 35),
        ("referred", 25),
        ("joint", 20),
        ("escalated_to_town", 10),
        ("explained", 10),
    ),
}

CHANNEL_WEIGHTS = (
    ("phone", 24),
    ("hotline_12345", 14),
    ("wechat_group", 20),
    ("walk_in", 14),
    ("grid_patrol", 14),
    ("villager_forum", 5),
    ("suggestion_box", 3),
    ("assigned_by_superior", 6),
)

RETURN_REASONS = ("不属于本网格，请改派。", "承办人外出学习，请改派他人。", "群众反映的地点不在本村。")
CANCEL_REASONS = ("群众重复反映，已合并到前一张工单。", "群众已自行解决，申请撤销。", "登记有误，撤销重录。")
REOPEN_REASONS = ("群众对办理结果不满意，重新办理。", "回访发现问题未彻底解决，重新办理。")
ESCALATE_NOTES = ("工单已超期，请承办人抓紧办理。", "镇里督办：请今日内办结并反馈。")


class OrderedUuids:
    """The demo's UUIDs in the order its rows are written (RFC 9562 version 7 layout).

    The unique uuid indexes then grow at their end, as the rows do, instead of taking each new
    key on a random page: on the large scale (6 million events) random keys made the build wait
    on pages missing from the cache (issue #13). The 48-bit clock is the build's time; the 74
    bits after it are a counter over the whole build, then 42 bits of the seeded draw, so the same
    seed (and clock) still gives the same demo, and the draws stay what they were for the rest.
    """

    __slots__ = ("_prefix", "_top", "count", "high")

    def __init__(self, at: datetime) -> None:
        millis = calendar.timegm(at.timetuple()) * 1000 + at.microsecond // 1000
        self.high = (millis << 80) | (0x7 << 76)
        self.count = 0
        self._top = -1
        self._prefix = ""

    def make(self, rng: random.Random) -> str:
        """The next one, after every earlier one; draws 128 bits from ``rng`` as a random UUID would.

        The counter's top 12 bits sit in the first half, which changes every 2**20 UUIDs: its
        text is made once then (a large build makes 8 million).
        """
        count = self.count = self.count + 1
        top = count >> 20
        if top != self._top:
            text = f"{self.high | top << 64:032x}"
            self._top, self._prefix = top, f"{text[:8]}-{text[8:12]}-{text[12:16]}-"
        low = f"{_VARIANT | (count & _LOW_20) << 42 | (rng.getrandbits(128) & _LOW_42):016x}"
        return f"{self._prefix}{low[:4]}-{low[4:]}"


_LOW_20 = (1 << 20) - 1
_LOW_42 = (1 << 42) - 1
_VARIANT = 0b10 << 62
