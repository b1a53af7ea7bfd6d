"""通知公告: announcements the bureau publishes to every account, to chosen counties' offices or to the
applicant units, with attachments and a read row per reader. The per-user notices of
kejiju.reporting (Notice) are a different thing: one message to one account about one of its records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from kejiju.core.scoping import unit_id_of_user
from kejiju.core.uploads import generated_name


class Audience(models.TextChoices):
    ALL = "all", "全部用户"
    COUNTIES = "counties", "指定县区"
    UNITS = "units", "申报单位"


class AnnouncementState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


# Reading what is addressed to oneself; overseeing sees every announcement (drafts too) and who read it.
VIEW_PERM = "announcements.view_announcement"
OVERSEE_PERM = "announcements.view_all_announcement"
PUBLISH_PERM = "announcements.publish_announcement"


def _names_region(region_id: int | None):
    targets = Announcement.regions.through
    return Exists(targets.objects.filter(announcement_id=OuterRef("pk"), region_id=region_id))


def audience_condition(user) -> Q:
    """The announcements addressed to `user` as a condition (rules.audience_includes as a query). An account
    without the read permission — the system admin and the auditor (三员分立) — is addressed by none."""
    if user.has_perm(OVERSEE_PERM):
        return Q()
    if not user.has_perm(VIEW_PERM):
        return Q(pk__in=[])
    condition = Q(audience=Audience.ALL)
    unit = unit_id_of_user(user)
    if unit is None and user.region_id is not None:  # a county office
        condition |= Q(audience=Audience.COUNTIES) & Q(_names_region(user.region_id))
    if unit is not None:
        unit_region = user.organization.region_id if user.organization_id else None
        any_region = Exists(Announcement.regions.through.objects.filter(announcement_id=OuterRef("pk")))
        condition |= Q(audience=Audience.UNITS) & (~Q(any_region) | Q(_names_region(unit_region)))
    return condition


class AnnouncementQuerySet(models.QuerySet):
    def live(self, *, now=None):
        """Published, its publish time reached, not expired."""
        now = now or timezone.now()
        return self.filter(state=AnnouncementState.PUBLISHED, publish_at__lte=now).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )

    def visible_to(self, user):
        """Overseers: every announcement. Others: the live ones addressed to them (a county office those of
        its county, a unit's accounts those to the units — of its county when counties are named), never a
        draft, a withdrawn or a future one. Scoping by audience, not by unit_field: every unit reads the
        same announcement (tests/announcements/test_audience.py)."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm(OVERSEE_PERM):
            return self
        if not user.has_perm(VIEW_PERM):
            return self.none()
        return self.live().filter(audience_condition(user))


class Announcement(models.Model):
    # Rows are addressed to audiences, not owned by a unit: the unit-scoping sweep checks them by audience.
    audience_scoped = True
    # Nor owned by a county (it names counties to address): a publish or a withdrawal tells no county office
    # through the per-user notices; the announcement itself is the message.
    region_field = None

    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", help_text="纯文本，按原样分段显示。")
    audience = models.CharField("发布范围", max_length=16, choices=Audience.choices, default=Audience.ALL)
    regions = models.ManyToManyField(
        "accounts.Region",
        verbose_name="县区",
        blank=True,
        related_name="+",
        help_text="“指定县区”：这些县区的科技局；“申报单位”：只发给这些县区的申报单位（留空为全部申报单位）。",
    )
    publish_at = models.DateTimeField(
        "发布时间", null=True, blank=True, help_text="留空则发布时即显示；设为将来的时间则届时才显示。"
    )
    expires_at = models.DateTimeField("有效期至", null=True, blank=True, help_text="留空为长期有效。")
    pinned = models.BooleanField("置顶", default=False)
    state = models.CharField(
        "状态", max_length=16, choices=AnnouncementState.choices, default=AnnouncementState.DRAFT
    )
    withdraw_reason = models.TextField("撤回原因", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = "通知公告"
        verbose_name_plural = "通知公告"
        ordering = ["-pinned", "-publish_at", "-pk"]
        permissions = [
            ("publish_announcement", "发布、撤回通知公告"),
            ("view_all_announcement", "查看全部通知公告及阅读情况"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(publish_at__isnull=True)
                | Q(expires_at__gt=models.F("publish_at")),
                name="announcement_expires_after_publish",
                violation_error_message="有效期至必须晚于发布时间。",
            ),
            models.CheckConstraint(
                condition=Q(state__in=AnnouncementState.values),
                name="announcement_state_known",
                violation_error_message="通知公告的状态无效。",
            ),
        ]
        indexes = [models.Index(fields=["state", "publish_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("announcements:announcement_detail", kwargs={"pk": self.pk})


class AnnouncementAttachment(models.Model):
    announcement = models.ForeignKey(
        Announcement, verbose_name="通知公告", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=generated_name("announcements"), max_length=255)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type = models.CharField("文件类型", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "公告附件"
        verbose_name_plural = "公告附件"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("announcements:attachment_download", kwargs={"pk": self.pk})


class AnnouncementRead(models.Model):
    """One row per account that opened a published announcement (its first opening)."""

    announcement = models.ForeignKey(
        Announcement, verbose_name="通知公告", on_delete=models.CASCADE, related_name="reads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="阅读人", on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField("阅读时间", default=timezone.now)

    class Meta:
        verbose_name = "公告阅读记录"
        verbose_name_plural = "公告阅读记录"
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"],
                name="announcementread_once_per_user",
                violation_error_message="同一用户对同一通知公告只记录一次阅读。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.announcement}"
