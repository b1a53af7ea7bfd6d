"""Every panel's one subject becomes its first ReviewSubject; each member's scores, 评审意见 and
declaration become their sheet for it."""

from django.db import migrations

FINISHED = ("已完成", "已撤销")


def forwards(apps, schema_editor):
    ReviewPanel = apps.get_model("experts", "ReviewPanel")
    ReviewSubject = apps.get_model("experts", "ReviewSubject")
    ReviewMember = apps.get_model("experts", "ReviewMember")
    ReviewSheet = apps.get_model("experts", "ReviewSheet")
    ReviewScore = apps.get_model("experts", "ReviewScore")
    subjects = {}
    for panel in ReviewPanel.objects.order_by("pk").iterator():
        subjects[panel.pk] = ReviewSubject.objects.create(
            panel_id=panel.pk,
            position=1,
            subject_type_id=panel.subject_type_id,
            subject_id=panel.subject_id,
            title=panel.title,
            applicant_id=panel.applicant_id,
            result=panel.result,
            is_open=panel.state not in FINISHED,
        )
    for member in ReviewMember.objects.order_by("pk").iterator():
        has_scores = ReviewScore.objects.filter(member_id=member.pk).exists()
        if not (has_scores or member.declared_at or member.comment):
            continue
        sheet = ReviewSheet.objects.create(
            member_id=member.pk,
            subject=subjects[member.panel_id],
            declared_at=member.declared_at,
            comment=member.comment,
        )
        ReviewScore.objects.filter(member_id=member.pk).update(sheet=sheet)


class Migration(migrations.Migration):
    dependencies = [("experts", "0017_review_subjects_sheets")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
