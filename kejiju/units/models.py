"""A unit's self-registration (单位注册): what the unit filed, kept as filed, and the decision on it. The unit
and its first account (申报单位管理员) exist only once the county office of its county (or the bureau, for a
unit without a county) has verified it; a unit already in the 单位库 is claimed, never recorded twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from kejiju.core.models import Organization
from kejiju.core.scoping import RegionScopedQuerySet
from kejiju.core.uploads import generated_name


class RegistrationState(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    VERIFIED = "verified", "已核实"
    RETURNED = "returned", "已退回"


class UnitRegistration(models.Model):
    uscc = models.CharField("统一社会信用代码", max_length=18)
    name = models.CharField("单位名称", max_length=200)
    kind = models.CharField("单位类型", max_length=16, choices=Organization.Kind.choices)
    region = models.ForeignKey(
        "accounts.Region",
        verbose_name="所在县区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="市直单位、驻忻高校等不属于县区的单位留空，由市局审核。",
    )
    address = models.CharField("通讯地址", max_length=200)
    contact_person = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=30)
    email = models.EmailField("电子邮箱", help_text="审核结果发送到此邮箱。")
    licence = models.FileField(
        "营业执照或法人证书", upload_to=generated_name("units/licences"), max_length=255
    )
    licence_name = models.CharField("证照文件名", max_length=255, editable=False)
    admin_username = models.CharField("管理员用户名", max_length=150)
    admin_display_name = models.CharField("管理员姓名", max_length=50)
    admin_password = models.CharField("管理员密码摘要", max_length=128, editable=False)
    state = models.CharField(
        "状态", max_length=16, choices=RegistrationState.choices, default=RegistrationState.SUBMITTED
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="单位库中的单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        help_text="注册时单位库中已有该统一社会信用代码的单位：核实后由注册单位认领。",
    )
    admin = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="单位管理员账户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit_registration",
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    decided_on = models.DateField("审核日期", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=500, blank=True)

    objects = RegionScopedQuerySet.as_manager()
    unit_field = "organization"

    class Meta:
        verbose_name = "单位注册"
        verbose_name_plural = "单位注册"
        ordering = ["-submitted_at", "-pk"]
        permissions = [
            ("verify_unitregistration", "审核单位注册"),
            ("manage_unit_accounts", "管理本单位账户"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                condition=models.Q(state__in=["submitted", "verified"]),
                name="unit_registration_once",
                violation_error_message="该统一社会信用代码已注册。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"

    def get_absolute_url(self) -> str:
        return reverse("units:unitregistration_detail", kwargs={"pk": self.pk})
