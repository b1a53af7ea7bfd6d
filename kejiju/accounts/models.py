from __future__ import annotations

from django.contrib.auth import hashers
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from kejiju.core import pii

from .roles import REGION_BOUND_ROLES, UNIT_BOUND_ROLES, Role


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

    code = models.CharField(
        "代码", max_length=20, unique=True, error_messages={"unique": "该代码已被其他区划使用。"}
    )
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
        permissions = [
            ("view_all_regions", "查看全市各县区数据"),
            ("see_whole_unit", "查看本单位全部项目负责人的记录"),
        ]

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
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    # 等保 2.0: passwords change every 90 days; a new account or an admin reset changes at first login.
    password_changed_at = models.DateTimeField("密码修改时间", default=timezone.now)
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

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
        if self.role in UNIT_BOUND_ROLES and self.organization_id is None:
            raise ValidationError({"organization": f"{self.role_label}账户必须绑定所属单位。"})
        if self.role not in UNIT_BOUND_ROLES and self.organization_id is not None:
            raise ValidationError({"organization": "只有申报单位管理员和项目负责人账户绑定单位。"})

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", kwargs={"pk": self.pk})

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        self.must_change_password = False
        self._password_history_pending = True

    def check_password(self, raw_password) -> bool:
        """Django's check, with its rehash (another hasher was chosen, or the work factor rose) kept apart
        from a password change: Django's setter calls set_password(), which here would restart the 90-day
        age, clear must_change_password and push the same password into the history."""

        def rehash(raw_password) -> None:
            old = self.password
            self.password = hashers.make_password(raw_password)
            self.save(update_fields=["password"])
            # The current password's history row follows its hash, so the history moves to the new hasher.
            PasswordHistory.objects.filter(user=self, password=old).update(password=self.password)

        return hashers.check_password(raw_password, self.password, rehash)

    def save(self, *args, **kwargs) -> None:
        pending = getattr(self, "_password_history_pending", False)
        update_fields = kwargs.get("update_fields")
        if pending and update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "password_changed_at", "must_change_password"}
        super().save(*args, **kwargs)
        if pending and self.password:
            self._password_history_pending = False
            PasswordHistory.remember(user=self, password_hash=self.password)

    @property
    def password_expired(self) -> bool:
        from django.conf import settings

        age = timezone.now() - self.password_changed_at
        return age.days >= settings.PASSWORD_MAX_AGE_DAYS

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "未分配角色"

    @property
    def unit_id(self) -> int | None:
        """The unit an applicant-facing account is bound to (None for staff): it sees that unit's records."""
        return self.organization_id if self.role in UNIT_BOUND_ROLES else None

    @property
    def sees_all_regions(self) -> bool:
        return self.has_perm("accounts.view_all_regions")


class PasswordHistory(models.Model):
    """Hashes of a user's recent passwords: a new password may not repeat one of the last few."""

    KEEP = 5

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField("密码摘要", max_length=128)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    @classmethod
    def remember(cls, *, user: User, password_hash: str) -> None:
        cls.objects.create(user=user, password=password_hash)
        keep = list(cls.objects.filter(user=user).values_list("pk", flat=True)[: cls.KEEP])
        cls.objects.filter(user=user).exclude(pk__in=keep).delete()


class UserSessionQuerySet(models.QuerySet):
    def live(self) -> UserSessionQuerySet:
        """Sessions not ended and not yet expired: seen within the idle limit (SESSION_COOKIE_AGE; the last
        activity is written at most once every SESSION_REFRESH_SECONDS) and opened within the absolute
        limit (SESSION_ABSOLUTE_SECONDS)."""
        from datetime import timedelta

        from django.conf import settings

        now = timezone.now()
        return self.filter(
            ended_at__isnull=True,
            last_seen_at__gt=now - timedelta(seconds=settings.SESSION_COOKIE_AGE),
            created_at__gt=now - timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS),
        )


class UserSession(models.Model):
    """A logged-in session of an account (在线用户), written at login and ended by logout, by the system
    admin (强制下线) or by the limit of concurrent sessions per account.

    The session key is a bearer credential: whoever reads it can use the session. It is kept only as a
    keyed digest (to find the row from a request's cookie) and encrypted (to end the Django session from the
    row), both under kejiju.core.pii's keys, so a copy of the database alone opens no session. The system
    admin acts on the row's id."""

    class EndReason(models.TextChoices):
        LOGOUT = "logout", "用户退出"
        ADMIN = "admin", "系统管理员强制下线"
        LIMIT = "limit", "超出同时在线会话数"
        DEACTIVATED = "deactivated", "账户已停用"
        PASSWORD_RESET = "password_reset", "管理员重置密码"
        PASSWORD_CHANGED = "password_changed", "本人修改密码"

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="sessions")
    key_digest = models.CharField(
        "会话标识摘要", max_length=64, unique=True, error_messages={"unique": "该会话已有在线记录。"}
    )
    key_cipher = pii.SealedField("会话标识密文")
    pii_row = pii.row_field()
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    created_at = models.DateTimeField("登录时间", default=timezone.now)
    last_seen_at = models.DateTimeField("最近活动", default=timezone.now)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    ended_reason = models.CharField("结束原因", max_length=16, choices=EndReason.choices, blank=True)
    ended_by = models.ForeignKey(
        User, verbose_name="结束人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = UserSessionQuerySet.as_manager()

    class Meta:
        verbose_name = "在线会话"
        verbose_name_plural = "在线用户"
        ordering = ["-last_seen_at", "-pk"]
        permissions = [("end_usersession", "强制下线")]
        indexes = [
            models.Index(fields=["user", "ended_at", "created_at"], name="accounts_session_user_live"),
            models.Index(fields=["ended_at", "-last_seen_at"], name="accounts_session_live"),
        ]

    def __str__(self) -> str:
        return f"{self.user.username} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    def set_key(self, session_key: str) -> None:
        pii.seal(self, "key_cipher", session_key)

    def reveal_key(self) -> str:
        return pii.unseal(self, "key_cipher")
