"""Role × view matrix of the applicant-facing side: registrations of county A (one claimed by unit A), the
accounts page of unit A."""

from tests.access import ALL_ROLES, Route

READ = frozenset({"bureau", "leader", "county", "unit_admin"})
VERIFY = frozenset({"bureau", "county"})
UNIT_ADMIN = frozenset({"unit_admin"})
EVERYONE = frozenset(ALL_ROLES)


def _registration(world):
    from tests.units.factories import UnitRegistrationFactory

    # Unit A claims its record of the 单位库: it reads its own registration, the other unit does not.
    return world.once(
        "units_registration",
        lambda: UnitRegistrationFactory(
            region=world.county_a,
            uscc=world.unit_a.uscc or "",
            name=world.unit_a.name,
            organization=world.unit_a,
        ),
    )


def _registration_data() -> dict:
    from tests.enterprises.factories import make_uscc

    return {
        "uscc": make_uscc(8801),
        "name": "上传测试单位有限公司",
        "kind": "enterprise",
        "address": "忻州市",
        "contact_person": "测试",
        "contact_phone": "0350-3000001",
        "email": "upload@example.cn",
        "admin_username": "upload_admin",
        "admin_display_name": "测试",
        "admin_password": "Upload#2026xy",
        "admin_password_again": "Upload#2026xy",
    }


def registration_pk(world):
    return {"pk": _registration(world).pk}


def applicant_pk(world):
    return {"pk": world.users["applicant"].pk}


ROUTES = [
    # `data`: a valid registration, the upload sweep's base for the licence it tries.
    Route("units:register", EVERYONE, public=True, data=lambda world: _registration_data()),
    Route("units:register_done", EVERYONE, public=True),
    Route("units:unitregistration_list", READ),
    Route("units:unitregistration_detail", READ, registration_pk, scoped=True, unit_scoped=True),
    Route("units:unitregistration_transition", VERIFY, registration_pk, scoped=True),
    Route("units:unitregistration_file", READ, registration_pk, scoped=True, unit_scoped=True),
    Route("units:account_list", UNIT_ADMIN),
    Route("units:applicant_add", UNIT_ADMIN),
    Route(
        "units:account_active",
        UNIT_ADMIN,
        applicant_pk,
        methods=("POST",),
        unit_scoped=True,
        data=lambda world: {"active": "1"},
    ),
]
