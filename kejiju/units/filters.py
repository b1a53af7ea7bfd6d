import django_filters

from kejiju.accounts.models import Region, User
from kejiju.accounts.roles import Role
from kejiju.core.filters import BaseFilterSet

from .models import RegistrationState, UnitRegistration


class UnitRegistrationFilterSet(BaseFilterSet):
    search_fields = ("name", "uscc", "contact_person")
    state = django_filters.ChoiceFilter(choices=RegistrationState.choices, label="状态")
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.county_level(), label="所在县区")

    class Meta:
        model = UnitRegistration
        fields = ["q", "state", "region"]


class UnitAccountFilterSet(BaseFilterSet):
    search_fields = ("username", "display_name", "phone", "email")
    role = django_filters.ChoiceFilter(
        choices=[(role.value, role.label) for role in (Role.UNIT_ADMIN, Role.APPLICANT)], label="角色"
    )
    is_active = django_filters.BooleanFilter(label="启用")

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]
