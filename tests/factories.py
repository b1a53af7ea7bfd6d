import factory
from django.contrib.auth.models import Group

from kejiju.accounts.models import User
from kejiju.accounts.roles import group_name
from kejiju.core.models import Organization

TEST_PASSWORD = "Kejiju@2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = "bureau"
    region = None
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def apply_role(self, create, extracted, **kwargs):
        if create:
            self.save()
            if self.role:
                self.groups.set([Group.objects.get(name=group_name(self.role))])


class OrganizationFactory(factory.django.DjangoModelFactory):
    """A unit of the 单位库: one factory (one name sequence) for every app's tests, as a name is held once."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试单位{n}有限公司")
    kind = Organization.Kind.ENTERPRISE


class UniversityFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"测试大学{n}")
    kind = Organization.Kind.UNIVERSITY
    region = None


def blank_pdf() -> bytes:
    """A real one-page PDF (a report job's file: downloads mark it, so it must be one)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def small_xlsx(title: str = "表") -> bytes:
    """A real one-sheet workbook as the portal writes them (a report job's file)."""
    from kejiju.core.xlsx import add_sheet, new_workbook, workbook_bytes

    workbook = new_workbook(viewer=None)
    add_sheet(workbook, title=title, headers=["县区"], rows=[["忻府区"]])
    return workbook_bytes(workbook)
