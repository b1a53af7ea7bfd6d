import factory
from django.contrib.auth.models import Group

from kejiju.accounts.models import User
from kejiju.accounts.roles import group_name

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
