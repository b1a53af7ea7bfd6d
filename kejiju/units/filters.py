import django_filters

from kejiju.accounts.models import Region
from kejiju.core.filters import BaseFilterSet

from .models import RegistrationState, UnitRegistration


class UnitRegistrationFilterSet(BaseFilterSet):
    search_fields = ("name", "uscc", "contact_person")
    state = django_filters.ChoiceFilter(choices=RegistrationState.choices, label="状态")
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.county_level(), label="所在县区")

    class Meta:
        model = UnitRegistration
        fields = ["q", "state", "region"]
