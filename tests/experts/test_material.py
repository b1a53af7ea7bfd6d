"""网评材料: what an expert reads of the records their seat reviews (experts.material), shown only once the
回避及保密声明 is signed; every file handed out marked with the expert's name and the time on every page,
each download on the panel's timeline and in the audit log; a file of any other record, another expert's
seat, or a format that cannot be marked is never served."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from experts import material, seats, services
from experts.models import ReviewMember, ReviewPanel
from kejiju.core.models import AuditEvent, WorkflowEvent
from kejiju.core.watermark import stamp_text
from projects import services as project_services
from tests.applications.factories import ID_NUMBERS, make_application
from tests.experts.factories import ExpertFactory, ExpertFieldFactory, pdf_document
from tests.factories import TEST_PASSWORD
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _account(world, expert, username):
    user = seats.expert_account_open(
        actor=world.users["bureau"], expert=expert, username=username, password=TEST_PASSWORD + "x"
    )
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    return user


def _attach(project, world, name, content, kind="application"):
    return project_services.attachment_create(
        project=project, user=world.users["bureau"], kind=kind, upload=SimpleUploadedFile(name, content)
    )


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(output, format="PNG")
    return output.getvalue()


class Setting:
    """A project of unit A (from an online application) under review by a panel of two experts with
    accounts, both seats confirmed; `seat` is the first expert's."""

    def __init__(self, world):
        self.world = world
        field = ExpertFieldFactory(name="新材料")
        self.experts = [ExpertFactory(fields=[field]) for _ in range(2)]
        self.accounts = [_account(world, expert, f"zj{index}") for index, expert in enumerate(self.experts)]
        self.project = ProjectFactory(region=world.county_a, applicant=world.unit_a, title="高性能镁合金研发")
        self.application = make_application(
            leader=world.users["applicant"], call=self.project.call, state="recommended", project=self.project
        )
        self.pdf = _attach(self.project, world, "申报书.pdf", pdf_document("申报书第一页", "申报书第二页"))
        self.png = _attach(self.project, world, "现场照片.png", _png(), kind="other")
        self.docx = _attach(
            self.project, world, "预算表.xlsx", b"PK\x03\x04 not really a workbook", kind="other"
        )
        self.panel = services.review_panel_create(
            subject=self.project,
            title=self.project.review_title(),
            applicant=self.project.review_applicant(),
            fields=[field],
            size=2,
            reserves=0,
            criteria=self.project.review_criteria(),
            user=world.users["bureau"],
            seed="material",
        )
        for member in self.panel.members.all():
            services.review_member_confirm(member=member, user=world.users["bureau"])
        self.seat = self.panel.members.get(expert__user=self.accounts[0])
        self.other_seat = self.panel.members.get(expert__user=self.accounts[1])

    def declare(self, index=0):
        seat = self.seat if index == 0 else self.other_seat
        seats.seat_declare(
            user=self.accounts[index], member=seat, subject=self.panel.subjects.get(), conflict=False
        )

    def file_url(self, row, seat=None):
        return reverse(
            "experts:my_seat_file", kwargs={"pk": (seat or self.seat).pk, "key": material.file_key(row)}
        )

    @property
    def page_url(self):
        return reverse(
            "experts:my_seat_subject", kwargs={"pk": self.seat.pk, "subject_pk": self.panel.subjects.get().pk}
        )


@pytest.fixture
def setting(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return Setting(world)


def _download_events(**kwargs):
    return AuditEvent.objects.filter(event_type=AuditEvent.Type.DOWNLOAD, **kwargs)


def test_the_material_shows_only_after_the_declaration(client, setting):
    client.force_login(setting.accounts[0])
    response = client.get(setting.page_url)
    assert response.context["materials"] == []  # not even handed to the template
    before = response.content.decode()
    assert 'data-testid="declaration"' in before
    assert 'data-testid="material"' not in before and setting.file_url(setting.pdf) not in before
    assert "考核指标" not in before  # the application's 预期目标
    refused = client.get(setting.file_url(setting.pdf))
    assert refused.status_code == 403 and "请先签署回避及保密声明" in refused.content.decode()
    assert refused.get("Content-Disposition") is None
    assert _download_events(outcome=AuditEvent.Outcome.FAILURE, actor=setting.accounts[0]).exists()
    assert not setting.panel.events.filter(action="material").exists()

    setting.declare()
    page = client.get(setting.page_url).content.decode()
    assert 'data-testid="declaration"' not in page and 'data-testid="material"' in page
    for shown in (
        "高性能镁合金研发",
        "研究内容",
        "考核指标",
        "王成员",
        "试验",
        "100,000.00",
        "设备费",
        "申报书.pdf",
    ):
        assert shown in page, shown
    assert setting.file_url(setting.pdf) in page and setting.file_url(setting.png) in page
    # A format that cannot be marked is listed, not offered.
    assert setting.file_url(setting.docx) not in page and "该格式不支持在线查阅，请联系经办人" in page


def test_the_material_leaves_out_personal_data(client, setting):
    setting.declare()
    client.force_login(setting.accounts[0])
    page = client.get(setting.page_url).content.decode()
    application = setting.application
    team_member = application.team.get()
    for hidden in (
        setting.project.pi_mobile,
        application.leader_mobile,
        application.leader_id_number_masked,
        application.reveal_leader_id_number(),
        ID_NUMBERS[0],
        team_member.id_number_masked,
    ):
        assert hidden and hidden not in page, hidden


def test_the_seats_expert_downloads_a_pdf_marked_on_every_page_and_audited(client, world, setting):
    setting.declare()
    client.force_login(setting.accounts[0])
    before = timezone.now()
    response = client.get(setting.file_url(setting.pdf))
    after = timezone.now()
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''%E7%94%B3%E6%8A%A5%E4%B9%A6.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    data = b"".join(response.streaming_content)
    marks = {stamp_text(setting.experts[0].name, moment) for moment in (before, after)}
    pages = PdfReader(io.BytesIO(data)).pages
    assert [text.split("\n")[0] for text in (page.extract_text() for page in pages)] == [
        "申报书第一页",
        "申报书第二页",
    ]
    for page in pages:
        assert any(mark in page.extract_text() for mark in marks)
    # Audited: in the audit log (the auditor) and on the panel's timeline (staff).
    event = _download_events(outcome=AuditEvent.Outcome.SUCCESS).get()
    assert event.actor == setting.accounts[0] and "申报书.pdf" in event.object_repr
    assert any(mark in event.detail for mark in marks)
    step = setting.panel.events.get(action="material")
    assert step.actor == setting.accounts[0] and "申报书.pdf" in step.comment
    client.force_login(world.users["bureau"])
    panel_page = client.get(setting.panel.get_absolute_url()).content.decode()
    assert "专家下载评审材料" in panel_page and "申报书.pdf" in panel_page


def test_a_picture_is_served_marked(client, setting):
    setting.declare()
    client.force_login(setting.accounts[0])
    response = client.get(setting.file_url(setting.png))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.size == (400, 300)
        assert sum(image.convert("L").histogram()[:245]) > 0  # the white picture carries the text


def test_a_file_that_cannot_be_marked_is_not_served(client, setting):
    setting.declare()
    client.force_login(setting.accounts[0])
    unsupported = client.get(setting.file_url(setting.docx))
    assert unsupported.status_code == 403 and "该格式不支持在线查阅" in unsupported.content.decode()
    assert b"not really a workbook" not in unsupported.content
    # The online application's 申报书 is a damaged PDF: refused with the reason, not sent as it is.
    damaged = client.get(setting.file_url(setting.application.attachments.get()))
    assert damaged.status_code == 403 and "已损坏" in damaged.content.decode()
    assert damaged["Content-Type"].startswith("text/html")
    assert _download_events(outcome=AuditEvent.Outcome.FAILURE).count() == 2
    assert not _download_events(outcome=AuditEvent.Outcome.SUCCESS).exists()
    assert not WorkflowEvent.objects.filter(action="material").exists()


def test_another_expert_gets_404(client, setting):
    setting.declare()
    setting.declare(index=1)
    client.force_login(setting.accounts[1])
    # The first expert's seat is not theirs …
    assert client.get(setting.file_url(setting.pdf)).status_code == 404
    # … and their own seat reaches its own records' files only (the same here: same panel).
    assert client.get(setting.file_url(setting.pdf, seat=setting.other_seat)).status_code == 200


def test_a_file_of_a_record_not_on_the_seat_is_404(client, world, setting):
    setting.declare()
    client.force_login(setting.accounts[0])
    elsewhere = ProjectFactory(region=world.county_a)
    foreign = _attach(elsewhere, world, "别的申报书.pdf", pdf_document())
    foreign_application = make_application(leader=world.users["applicant"], title="别的申报")
    for key in (
        material.file_key(foreign),
        material.file_key(foreign_application.attachments.get()),
        f"projects.project-{setting.project.pk}",  # the record itself is no file
        f"projects.attachment-{setting.pdf.pk}x",
        "projects.attachment-0",
        "..",
        "projects.attachment-1 OR 1=1",
        "x" * 300,
    ):
        url = reverse("experts:my_seat_file", kwargs={"pk": setting.seat.pk, "key": key})
        assert client.get(url).status_code == 404, key
    assert not _download_events(outcome=AuditEvent.Outcome.SUCCESS).exists()


def test_staff_and_other_roles_are_refused(client, world, setting):
    setting.declare()
    url = setting.file_url(setting.pdf)
    for role in ("bureau", "leader", "county", "sysadmin", "auditor", "unit_admin", "applicant"):
        client.force_login(world.users[role])
        assert client.get(url).status_code == 403, role


def test_a_seat_left_or_a_panel_at_an_end_reads_no_more(client, world, setting):
    setting.declare()
    client.force_login(setting.accounts[0])
    assert client.get(setting.file_url(setting.pdf)).status_code == 200
    ReviewPanel.objects.filter(pk=setting.panel.pk).update(state=ReviewPanel.State.CLOSED)
    closed = client.get(setting.file_url(setting.pdf))
    assert closed.status_code == 403 and "不再提供查阅" in closed.content.decode()
    assert "不再提供查阅" in client.get(setting.page_url).content.decode()
    ReviewPanel.objects.filter(pk=setting.panel.pk).update(state=ReviewPanel.State.SCORING)
    ReviewMember.objects.filter(pk=setting.seat.pk).update(status=ReviewMember.Status.REFUSED)
    left = client.get(setting.file_url(setting.pdf))
    assert left.status_code == 403 and "不能查阅评审材料" in left.content.decode()


def test_a_declared_conflict_never_opens_the_material(client, setting):
    seats.seat_declare(
        user=setting.accounts[0],
        member=setting.seat,
        subject=setting.panel.subjects.get(),
        conflict=True,
        reason="曾在申报单位任职",
    )
    client.force_login(setting.accounts[0])
    assert client.get(setting.page_url).status_code == 404
    assert client.get(setting.file_url(setting.pdf)).status_code == 403


def test_every_access_goes_through_the_seat_records(setting, monkeypatch):
    """The one function the multi-subject panels replace: the material and the files follow it."""
    setting.declare()
    other = ProjectFactory(region=setting.project.region)
    foreign = _attach(other, setting.world, "另一项目.pdf", pdf_document())
    assert material.seat_subject_records(setting.seat) == [setting.project]
    monkeypatch.setattr(
        material, "seat_subject_records", lambda member, subject=None: [setting.project, other]
    )
    assert [m.title for m in material.seat_material(setting.seat)] == [setting.project.title, other.title]
    assert material.seat_file(setting.seat, material.file_key(foreign)).name == "另一项目.pdf"


def test_a_batch_panel_opens_each_records_material_by_its_own_declaration(client, setting, world):
    """On a panel of two records, the files of the record not signed for (or recused from) are a 404; the
    signed record's are handed out."""
    from experts.models import ReviewSubject

    second = ProjectFactory(region=setting.project.region, title="第二个项目")
    second_pdf = _attach(second, world, "第二申报书.pdf", pdf_document("第二"))
    subject = ReviewSubject.objects.create(
        panel=setting.panel,
        position=2,
        subject_type=setting.panel.subjects.get().subject_type,
        subject_id=second.pk,
        title=second.title,
    )
    first = setting.panel.subjects.get(position=1)
    seats.seat_declare(user=setting.accounts[0], member=setting.seat, subject=first, conflict=False)
    client.force_login(setting.accounts[0])
    assert client.get(setting.file_url(setting.pdf)).status_code == 200
    assert client.get(setting.file_url(second_pdf)).status_code == 404  # not signed for yet
    page = reverse("experts:my_seat_subject", kwargs={"pk": setting.seat.pk, "subject_pk": subject.pk})
    assert 'data-testid="declaration"' in client.get(page).content.decode()
    seats.seat_declare(
        user=setting.accounts[0], member=setting.seat, subject=subject, conflict=True, reason="合作研究"
    )
    assert client.get(setting.file_url(second_pdf)).status_code == 404  # recused: never opened
    assert 'data-testid="material"' not in client.get(page).content.decode()
    assert client.get(setting.file_url(setting.pdf)).status_code == 200


def test_a_platform_application_shows_its_fields_and_no_files(world):
    from tests.platforms.factories import ApplicationFactory

    application = ApplicationFactory(summary="依托单位建有中试线两条。", region=world.county_a)
    found = application.review_material()
    fields = dict(found.sections[0].fields)
    assert (
        fields["拟建平台名称"] == application.platform_name
        and fields["申报单位"] == application.applicant.name
    )
    assert found.sections[1].fields == [("申报概况", "依托单位建有中试线两条。")]
    assert found.files == []


def test_the_demo_subject_gets_an_application_to_read(world, settings, tmp_path):
    from experts.demo import seed_demo_material

    settings.MEDIA_ROOT = tmp_path
    project = ProjectFactory(region=world.county_a)
    seed_demo_material(project, staff=world.users["bureau"])
    (item,) = project.review_material().files
    assert item.readable and item.name == f"{project.number}申报书（正文）.pdf"
    with item.file.open("rb") as handle:
        pages = PdfReader(io.BytesIO(handle.read())).pages
    assert len(pages) >= 2 and project.number in pages[0].extract_text()


def test_an_ofd_is_listed_but_never_served_unmarked(client, setting):
    """OFD (GB/T 33190) is accepted where PDF is, but kejiju.core.watermark cannot mark it: the expert sees
    it listed with the reason, and a request for it is refused without its bytes."""
    from tests.security.corpus import files

    ofd = _attach(setting.project, setting.world, "批复文件.ofd", files.OFD, kind="other")
    assert ofd.content_type == "application/ofd"
    setting.declare()
    client.force_login(setting.accounts[0])
    page = client.get(setting.page_url).content.decode()
    assert "批复文件.ofd" in page and setting.file_url(ofd) not in page
    refused = client.get(setting.file_url(ofd))
    assert refused.status_code == 403 and "该格式不支持在线查阅" in refused.content.decode()
    assert refused.get("Content-Disposition") is None
    assert b"ofdspec" not in refused.content
