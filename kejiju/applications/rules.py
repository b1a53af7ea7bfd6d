"""Plain rules of online 申报 (no database access; unit-tested): when a call takes applications, what a
complete application holds, the county's quota. Sources: the provincial and municipal 科技计划 filing rules
(申报期 set by the call's 申报指南; 科研诚信承诺书 signed by the 项目负责人 with every application; the
county recommends within the quota the call sets; one application per 项目负责人 in a call)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

PLEDGE_TEXT = (
    "本人郑重承诺：申报材料真实、准确、完整，不存在抄袭、剽窃、伪造、篡改等科研失信行为；"
    "同一研究内容未在其他财政科技计划重复申报；项目获批后严格按照任务书组织实施，"
    "规范使用财政资金，按时报送年度报告、中期材料和验收材料。如有违反，"
    "愿按《科研失信行为调查处理规则》承担相应责任，接受取消申报资格、追回资金等处理。"
)


def call_window_problem(*, opens_on: dt.date, closes_on: dt.date, online: bool, today: dt.date) -> str | None:
    """Why an application cannot be submitted to the call today, or None."""
    if not online:
        return "该批次未开放网上申报。"
    if today < opens_on:
        return f"申报尚未开始：本批次自 {opens_on:%Y-%m-%d} 起受理网上申报。"
    if today > closes_on:
        return f"申报已于 {closes_on:%Y-%m-%d} 截止，不能再提交。"
    return None


@dataclass(frozen=True)
class Completeness:
    """What a submitted application must carry."""

    pledge_accepted: bool
    team_size: int
    budget_total: Decimal
    main_document: bool
    leader_mobile: str
    leader_id_number: bool = False  # whether the leader's 身份证号 is on the application


def completeness_problems(facts: Completeness) -> list[str]:
    problems = []
    if not facts.leader_mobile:
        problems.append("项目负责人账户未登记手机号，请在“个人信息”中补充。")
    if not facts.leader_id_number:
        problems.append("请在申报书中填写项目负责人身份证号（用于限项和科研诚信核查）。")
    if facts.team_size < 1:
        problems.append("请至少填写一名团队成员。")
    if facts.budget_total <= 0:
        problems.append("请填写预算（至少一项金额大于 0）。")
    if not facts.main_document:
        problems.append("请上传申报书正文。")
    if not facts.pledge_accepted:
        problems.append("请阅读并确认科研诚信承诺书。")
    return problems


def quota_problem(*, quota: int | None, recommended: int, rank: int | None) -> str | None:
    """Why the county may not recommend one more application with `rank`, or None (no quota: no limit)."""
    if rank is None or rank < 1:
        return "请填写推荐排序（从 1 开始）。"
    if quota is None:
        return None
    if recommended >= quota:
        return f"本县区推荐限额 {quota} 项已用完，不能再推荐。"
    if rank > quota:
        return f"推荐排序不能超过本县区推荐限额（{quota} 项）。"
    return None
