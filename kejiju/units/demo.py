"""Demo of the applicant-facing side (`seed_demo`, after the enterprises' demo): an enterprise of 忻府区 and a
unit of 定襄县 registered and verified through the services, with their administrators (unit_admin,
unit_admin_b) and an applicant, and one registration waiting for 忻府区科技局. The specs are in
data/demo.json; every account has the demo password."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kejiju.accounts.demo import DEMO_PASSWORD
from kejiju.accounts.models import Region, User
from kejiju.core import demodata
from kejiju.core.workflow.services import apply_transition

from . import services

LICENCE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
)


def _licence() -> SimpleUploadedFile:
    return SimpleUploadedFile("营业执照副本.pdf", LICENCE + b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _demo_password(user: User) -> None:
    """The published demo password is neither expired nor initial: no forced change in `make run`."""
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password_changed_at", "must_change_password"])


def _unit_of(region: Region, taken: set[int]):
    """A demo enterprise of the county whose unit has no account yet."""
    from enterprises.models import Enterprise

    enterprise = (
        Enterprise.objects.filter(region=region, is_active=True)
        .exclude(organization_id__in=taken)
        .select_related("organization")
        .order_by("pk")
        .first()
    )
    return enterprise.organization if enterprise else None


def _submit(spec: dict, *, region: Region, uscc: str, name: str, kind: str, address: str):
    return services.registration_submit(
        uscc=uscc,
        name=name,
        kind=kind,
        region=region,
        address=address,
        contact_person=spec["contact_person"],
        contact_phone=spec["contact_phone"],
        email=spec["email"],
        licence=_licence(),
        admin_username=spec["admin"]["username"],
        admin_display_name=spec["admin"]["display_name"],
        admin_password=DEMO_PASSWORD,
    )


def seed_demo_units(*, stdout=None) -> None:
    specs = demodata.read("units")
    regions = {region.code: region for region in Region.objects.county_level()}
    counties = {
        user.region_id: user for user in User.objects.filter(role="county", username__startswith="county_")
    }
    lines = []
    taken = set(User.objects.exclude(organization=None).values_list("organization_id", flat=True))
    for spec in specs["verified"]:
        region = regions[spec["region"]]
        admin = User.objects.filter(username=spec["admin"]["username"]).first()
        if admin is None:
            unit = _unit_of(region, taken)
            if unit is None:
                continue
            registration = _submit(
                spec, region=region, uscc=unit.uscc, name=unit.name, kind=unit.kind, address=f"{region.name}"
            )
            apply_transition(
                record=registration,
                action="verify",
                actor=counties[region.pk],
                effective_on=timezone.localdate(),
            )
            registration.refresh_from_db()
            admin = registration.admin
        taken.add(admin.organization_id)
        _demo_password(admin)
        lines.append((admin.username, f"申报单位管理员 · {admin.organization}"))
        for applicant_spec in spec["applicants"]:
            applicant = User.objects.filter(username=applicant_spec["username"]).first()
            if applicant is None:
                applicant = services.applicant_create(
                    actor=admin,
                    username=applicant_spec["username"],
                    display_name=applicant_spec["display_name"],
                    password=DEMO_PASSWORD,
                )
            _demo_password(applicant)
            lines.append((applicant.username, f"项目负责人 · {applicant.organization}"))
    for spec in specs["waiting"]:
        if not services.is_registered(spec["uscc"]):
            _submit(
                spec,
                region=regions[spec["region"]],
                uscc=spec["uscc"],
                name=spec["name"],
                kind=spec["kind"],
                address=spec["address"],
            )
    if stdout is not None:
        stdout.write("申报单位演示账户（密码同上）：")
        for username, label in lines:
            stdout.write(f"  {username:<22} {label}")
