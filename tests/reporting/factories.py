import datetime as dt

import factory
from django.core.files.base import ContentFile

from kejiju.reporting.models import CountyTask, FilingAttachment, MonthlyFiling, TaskCategory


class CountyTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountyTask

    year = 2024
    category = TaskCategory.CONVERSION_BASE
    title = factory.Sequence(lambda n: f"成果转化基地建设任务{n}")
    partner = "山西农业大学"
    target_quantity = 2
    deadline = factory.LazyAttribute(lambda o: dt.date(o.year, 12, 31))
    status = CountyTask.Status.APPROVED


class MonthlyFilingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyFiling

    year = 2024
    month = 1
    state = MonthlyFiling.State.DRAFT
    key_progress = "推进成果转化基地建设。"


class FilingAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FilingAttachment

    original_name = "进展材料.pdf"
    size = 3
    file = factory.LazyFunction(lambda: ContentFile(b"pdf", name="进展材料.pdf"))
