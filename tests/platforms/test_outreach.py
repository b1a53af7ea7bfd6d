"""Science popularisation events: the rules, the county scoping (a county records only its own county's
events), the photo checks, the list's query count, the export and the year's figures."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kejiju.reporting.annual import CITY
from platforms import rules, selectors, services
from platforms.models import OutreachEvent, OutreachPhoto
from platforms.rules import OutreachKind, OutreachState

from .factories import PNG, OutreachEventFactory, PlatformFactory, photo_upload

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 3, 1)


# ------------------------------------------------------------------------------------------------ rules


def _problems(**overrides):
    values = {
        "state": OutreachState.HELD,
        "held_on": dt.date(2024, 2, 1),
        "today": TODAY,
        "audience": 100,
        "has_platform": False,
        "organiser_name": "县科协",
    }
    values.update(overrides)
    return rules.outreach_event_problems(**values)


def test_rules_accept_a_held_event_in_the_past_and_one_held_today():
    assert _problems() == {}
    assert _problems(held_on=TODAY) == {}


def test_rules_refuse_a_future_event_marked_as_held():
    problems = _problems(held_on=dt.date(2024, 3, 2))
    assert set(problems) == {"state"}
    assert "2024-03-02" in problems["state"] and "已举办" in problems["state"]
    assert _problems(held_on=dt.date(2024, 3, 2), state=OutreachState.PLANNED, audience=None) == {}


def test_rules_refuse_an_audience_before_the_event_and_a_missing_organiser():
    assert set(_problems(state=OutreachState.PLANNED, held_on=dt.date(2024, 5, 1))) == {"audience"}
    assert set(_problems(organiser_name="  ")) == {"organiser_name"}
    assert _problems(organiser_name="", has_platform=True) == {}


# --------------------------------------------------------------------------------------------- services


def _event(region, **fields):
    values = {
        "name": "科普宣传进基层",
        "held_on": dt.date(2023, 5, 22),
        "kind": OutreachKind.GRASSROOTS,
        "state": OutreachState.HELD,
        "organiser_name": "县科协",
        "region": region,
        "audience": 300,
    }
    values.update(fields)
    return OutreachEvent(**values)


def test_county_records_its_own_county_and_is_refused_another(county_user, county_a, county_b):
    event = services.outreach_event_save(instance=_event(county_a), user=county_user)
    assert event.recorded_by == county_user
    with pytest.raises(ValidationError) as error:
        services.outreach_event_save(instance=_event(county_b), user=county_user)
    assert "只能登记本县区" in error.value.message_dict["region"][0]
    assert OutreachEvent.objects.count() == 1


def test_service_refuses_a_future_event_marked_held(bureau_user, county_a):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.outreach_event_save(instance=_event(county_a, held_on=tomorrow), user=bureau_user)
    assert "晚于今天" in error.value.message_dict["state"][0]
    assert not OutreachEvent.objects.exists()


def test_platform_organiser_must_be_in_the_event_county(bureau_user, county_a, county_b):
    platform = PlatformFactory(region=county_b)
    with pytest.raises(ValidationError) as error:
        services.outreach_event_save(
            instance=_event(county_a, platform=platform, organiser_name=""), user=bureau_user
        )
    assert "不在所选县区" in error.value.message_dict["platform"][0]


def test_photo_checks_type_content_and_size(bureau_user, county_a, settings):
    event = OutreachEventFactory(region=county_a)
    photo = services.outreach_photo_add(event=event, user=bureau_user, upload=photo_upload(), caption="现场")
    assert photo.content_type == "image/png" and photo.original_name == "现场.png"
    assert photo.file.name.endswith(".png") and "现场" not in photo.file.name
    refusals = [
        (photo_upload("方案.pdf", b"%PDF-1.7\n"), "不支持的文件类型"),
        (photo_upload("伪装.png", b"MZ\x90\x00" + b"\x00" * 40), "不符"),
        (photo_upload("空.jpg", b""), "文件为空"),
    ]
    for upload, message in refusals:
        with pytest.raises(ValidationError) as error:
            services.outreach_photo_add(event=event, user=bureau_user, upload=upload)
        assert message in error.value.message_dict["file"][0]
    settings.OUTREACH_PHOTO_MAX_BYTES = 32
    with pytest.raises(ValidationError) as error:
        services.outreach_photo_add(event=event, user=bureau_user, upload=photo_upload())
    assert "超过上限" in error.value.message_dict["file"][0]
    assert OutreachPhoto.objects.count() == 1


def test_year_figures_by_kind_and_county(county_a, county_b):
    OutreachEventFactory(region=county_a, kind=OutreachKind.LECTURE, audience=500)
    OutreachEventFactory(region=county_a, kind=OutreachKind.GRASSROOTS, audience=200)
    OutreachEventFactory(region=county_b, kind=OutreachKind.GRASSROOTS, audience=None, science_week=False)
    OutreachEventFactory(region=county_b, state=OutreachState.PLANNED, audience=None)  # not held
    OutreachEventFactory(region=county_b, held_on=dt.date(2022, 5, 22))  # another year
    figures = selectors.outreach_year_figures(user=CITY, year=2023)
    assert (figures["events"], figures["audience"]) == (3, 700)
    assert (figures["week_events"], figures["week_audience"]) == (2, 700)
    kinds = {row["kind"]: row["count"] for row in figures["by_kind"]}
    assert kinds[OutreachKind.LECTURE] == 1 and kinds[OutreachKind.GRASSROOTS] == 2
    assert kinds[OutreachKind.OPEN_DAY] == 0
    assert selectors.outreach_year_figures(user=CITY, year=2023, region=county_b)["events"] == 1
    by_region = selectors.outreach_by_region(user=CITY, year=2023)
    assert by_region[county_a.pk] == {"events": 2, "audience": 700, "week_events": 2}
    assert by_region[county_b.pk] == {"events": 1, "audience": 0, "week_events": 0}


# ------------------------------------------------------------------------------------------------ pages


def _post_data(region, **overrides):
    data = {
        "name": "科技大讲堂",
        "held_on": "2023-05-21",
        "kind": OutreachKind.LECTURE,
        "state": OutreachState.HELD,
        "science_week": "on",
        "region": region.pk,
        "organiser_name": "县科技局",
        "audience": "120",
    }
    data.update(overrides)
    return data


def test_county_form_refuses_a_forged_region(client, county_user, county_a, county_b):
    client.force_login(county_user)
    response = client.post(reverse("platforms:outreachevent_add"), _post_data(county_b))
    assert response.status_code == 200
    assert "只能登记本县区的科普活动" in response.content.decode()
    assert not OutreachEvent.objects.exists()
    response = client.post(reverse("platforms:outreachevent_add"), _post_data(county_a))
    assert response.status_code == 302
    assert OutreachEvent.objects.get().region == county_a


def test_form_refuses_a_future_held_event_with_its_message(client, bureau_user, county_a):
    client.force_login(bureau_user)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(reverse("platforms:outreachevent_add"), _post_data(county_a, held_on=future))
    assert response.status_code == 200
    assert "尚未举办的活动不能标记为“已举办”" in response.content.decode()
    assert not OutreachEvent.objects.exists()


def test_county_cannot_reach_another_county_event(client, county_user, county_b):
    event = OutreachEventFactory(region=county_b)
    client.force_login(county_user)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert (
        client.post(
            reverse("platforms:outreachevent_edit", args=[event.pk]), _post_data(county_b)
        ).status_code
        == 404
    )
    assert client.post(reverse("platforms:outreachevent_delete", args=[event.pk])).status_code == 404
    assert OutreachEvent.objects.filter(pk=event.pk).exists()


def test_list_query_count_is_constant(client, bureau_user, county_a, django_assert_max_num_queries):
    client.force_login(bureau_user)
    platform = PlatformFactory(region=county_a)
    for _ in range(5):
        OutreachEventFactory(region=county_a, platform=platform)
    url = reverse("platforms:outreachevent_list")
    client.get(url)  # the first page after the login reads the permissions and region caches
    with django_assert_max_num_queries(12) as small:
        assert client.get(url).status_code == 200
    for _ in range(60):
        event = OutreachEventFactory(region=county_a)
        services.outreach_photo_add(event=event, user=bureau_user, upload=photo_upload())
    with django_assert_max_num_queries(12) as large:
        assert client.get(url + "?sort=-held_on&year=2023").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_list_filters(client, bureau_user, county_a, county_b):
    platform = PlatformFactory(region=county_a, name="忻州市青少年科技馆科普基地")
    OutreachEventFactory(region=county_a, kind=OutreachKind.OPEN_DAY, platform=platform, organiser_name="")
    OutreachEventFactory(region=county_b, kind=OutreachKind.GRASSROOTS)
    OutreachEventFactory(region=county_b, held_on=dt.date(2022, 5, 1))
    client.force_login(bureau_user)
    url = reverse("platforms:outreachevent_list")

    def count(**params):
        return client.get(url, params).context["table"].paginator.count

    assert count() == 3
    assert count(year=2023) == 2
    assert count(kind=OutreachKind.OPEN_DAY) == 1
    assert count(region=county_b.pk) == 2
    assert count(organiser="青少年科技馆") == 1


def _rows(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows(values_only=True))


def test_export_of_a_county_user_excludes_other_counties(
    client, county_user, bureau_user, county_a, county_b
):
    OutreachEventFactory(region=county_a, name="本县活动")
    OutreachEventFactory(region=county_b, name="外县活动")
    client.force_login(county_user)
    rows = _rows(client.get(reverse("platforms:outreachevent_export")))
    names = [row[0] for row in rows[1:]]
    assert "本县活动" in names and "外县活动" not in names
    client.force_login(bureau_user)
    rows = _rows(client.get(reverse("platforms:outreachevent_export") + f"?region={county_b.pk}"))
    assert rows[0][0] == "活动名称"
    assert [row[0] for row in rows[1:]] == ["外县活动"]


def test_detail_shows_photos_and_history_and_photo_delete(client, bureau_user, county_a):
    event = OutreachEventFactory(region=county_a)
    photo = services.outreach_photo_add(
        event=event, user=bureau_user, upload=photo_upload(), caption="开放日现场"
    )
    client.force_login(bureau_user)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "开放日现场" in page and photo.get_absolute_url() in page and "变更历史" in page
    download = client.get(photo.get_absolute_url())
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    response = client.post(reverse("platforms:outreachphoto_delete", args=[photo.pk]))
    assert response.status_code == 302 and response.url == event.get_absolute_url()
    assert not OutreachPhoto.objects.exists()


def test_photo_upload_page_shows_the_refusal(client, county_user, county_a):
    event = OutreachEventFactory(region=county_a)
    client.force_login(county_user)
    url = reverse("platforms:outreachphoto_add", args=[event.pk])
    response = client.post(url, {"file": photo_upload("病毒.exe", b"MZ")})
    assert response.status_code == 200 and "不支持的文件类型" in response.content.decode()
    response = client.post(url, {"file": photo_upload(), "caption": "讲座"})
    assert response.status_code == 302 and event.photos.get().caption == "讲座"
