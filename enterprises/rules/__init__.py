"""Business rules for enterprises: the 科技型中小企业 evaluation and the 高新技术企业 certification checklist.

Pure functions over plain dataclasses: no Django, no database. Views, services and reports call these
functions and show their Chinese labels and texts as they are.

Sources (see ``shared/reference/domain-rules.md`` sections 1 and 2):

* 科技型中小企业评价: 《科技型中小企业评价办法》(国科发政〔2017〕115号) 第六条 (basic conditions), its
  annex 《科技型中小企业评价指标》 (the 100-point score) and 第七条 (direct qualification); 《科技型中小企业
  评价服务工作指引》(国科火字〔2022〕67号), which restates condition (三) as an industry restriction.
* 高新技术企业认定: 《高新技术企业认定管理办法》(国科发火〔2016〕32号) 第十一条 and 《高新技术企业认定管理
  工作指引》(国科发火〔2016〕195号) (创新能力评价: "70分以上（不含70分）").

Before go-live every threshold must be re-checked against the official text. They are kept in the tables
below, each with its source, and nowhere else.

Conventions: money is :class:`~decimal.Decimal` in 元 (yuan), never float; ratios are exact
:class:`~fractions.Fraction` values and are compared exactly against the thresholds; :func:`format_percent`
shows them with one decimal place, rounded down so that a displayed figure never reaches a threshold the
exact figure misses (29.99% shows as 29.9%, not 30.0%).

The rules live in one module per family (figures: the inputs and shared helpers; smes: 科小评价; gaoqi: the
高企 checklist and 创新能力评价; doubling: 倍增计划); this package re-exports their public names."""

from .doubling import doubling_percent, doubling_target_problem
from .figures import (
    WAN,
    YI,
    ConditionResult,
    EnterpriseFlags,
    IntegrityFinding,
    PercentBand,
    YearlyFigures,
    clean_record_condition,
    format_percent,
    format_wan,
    ratio,
)
from .gaoqi import (
    GAOQI_CLEAN_RECORD_LABEL,
    GAOQI_MAX_INNOVATION_SCORE_EXCLUDED,
    GAOQI_MIN_HIGH_TECH_REVENUE_PERCENT,
    GAOQI_MIN_RD_IN_CHINA_PERCENT,
    GAOQI_MIN_TECH_STAFF_PERCENT,
    GAOQI_RD_BANDS,
    INNOVATION_PARTS,
    ChecklistLine,
    InnovationPart,
    RdBand,
    gaoqi_checklist,
    innovation_problems,
    innovation_total,
)
from .smes import (
    SMES_CLEAN_RECORD_LABEL,
    SMES_IP_CLASS1_POINTS,
    SMES_IP_CLASS2_BANDS,
    SMES_MAX_ASSETS,
    SMES_MAX_EMPLOYEES,
    SMES_MAX_REVENUE,
    SMES_PASS_SCORE,
    SMES_RD_COST_BANDS,
    SMES_RD_REVENUE_BANDS,
    SMES_TECH_STAFF_BANDS,
    DirectRoute,
    ScoreLine,
    SmesEvaluation,
    evaluate_smes,
)

__all__ = [
    "GAOQI_CLEAN_RECORD_LABEL",
    "GAOQI_MAX_INNOVATION_SCORE_EXCLUDED",
    "GAOQI_MIN_HIGH_TECH_REVENUE_PERCENT",
    "GAOQI_MIN_RD_IN_CHINA_PERCENT",
    "GAOQI_MIN_TECH_STAFF_PERCENT",
    "GAOQI_RD_BANDS",
    "INNOVATION_PARTS",
    "SMES_CLEAN_RECORD_LABEL",
    "SMES_IP_CLASS1_POINTS",
    "SMES_IP_CLASS2_BANDS",
    "SMES_MAX_ASSETS",
    "SMES_MAX_EMPLOYEES",
    "SMES_MAX_REVENUE",
    "SMES_PASS_SCORE",
    "SMES_RD_COST_BANDS",
    "SMES_RD_REVENUE_BANDS",
    "SMES_TECH_STAFF_BANDS",
    "WAN",
    "YI",
    "ChecklistLine",
    "ConditionResult",
    "DirectRoute",
    "EnterpriseFlags",
    "InnovationPart",
    "IntegrityFinding",
    "PercentBand",
    "RdBand",
    "ScoreLine",
    "SmesEvaluation",
    "YearlyFigures",
    "clean_record_condition",
    "doubling_percent",
    "doubling_target_problem",
    "evaluate_smes",
    "format_percent",
    "format_wan",
    "gaoqi_checklist",
    "innovation_problems",
    "innovation_total",
    "ratio",
]
