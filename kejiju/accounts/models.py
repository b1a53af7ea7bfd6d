from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from .roles import REGION_BOUND_ROLES, Role


class RegionQuerySet(models.QuerySet):
    def county_level(self) -> RegionQuerySet:
        kinds = self.model.Kind
        return self.filter(
            kind__in=[kinds.DISTRICT, kinds.COUNTY, kinds.COUNTY_CITY, kinds.ZONE], is_active=True
        )


class Region(models.Model):
    """An administrative unit (GB/T 2260) or a bureau-defined functional zone, in a tree."""

    class Kind(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "地级市"
        DISTRICT = "district", "市辖区"
        COUNTY = "county", "县"
        COUNTY_CITY = "county_city", "县级市"
        ZONE = "zone", "功能区"

    code = models.CharField("代码", max_length=20, unique=True)
    gb2260_code = models.CharField(
        "GB/T 2260 代码",
        max_length=6,
        blank=True,
        help_text="无国家代码的功能区留空（如统计用区划代码或局内编码）",
    )
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["sort_order", "code"]
        permissions = [("view_all_regions", "查看全市各县区数据")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:region_detail", kwargs={"pk": self.pk})

    @property
    def is_county_level(self) -> bool:
        return self.kind in {self.Kind.DISTRICT, self.Kind.COUNTY, self.Kind.COUNTY_CITY, self.Kind.ZONE}


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=16, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField("办公电话", max_length=30, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role in REGION_BOUND_ROLES and self.region_id is None:
            raise ValidationError({"region": "县区科技局账户必须绑定所属县区。"})
        if self.role and self.role not in REGION_BOUND_ROLES and self.region_id is not None:
            raise ValidationError({"region": "只有县区科技局账户绑定县区；市局账户请留空。"})

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", kwargs={"pk": self.pk})

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "未分配角色"

    @property
    def sees_all_regions(self) -> bool:
        return self.has_perm("accounts.view_all_regions")
