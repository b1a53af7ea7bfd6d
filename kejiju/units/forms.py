from __future__ import annotations

from django import forms

from kejiju.accounts.models import Region
from kejiju.core.captcha import CaptchaField, check_captcha
from kejiju.core.forms import CrispyFormMixin, ScopedForm
from kejiju.core.models import Organization

CAPTCHA_SCOPE = "units.register"


class RegistrationForm(CrispyFormMixin, forms.Form):
    """The public registration form; every check is the service's (registration_submit)."""

    uscc = forms.CharField(label="统一社会信用代码", max_length=18, min_length=18)
    name = forms.CharField(label="单位名称", max_length=200)
    kind = forms.ChoiceField(label="单位类型", choices=Organization.Kind.choices)
    region = forms.ModelChoiceField(
        label="所在县区",
        queryset=Region.objects.none(),
        required=False,
        empty_label="（不属于县区：市直单位、驻忻高校等）",
        help_text="由所在县区科技局审核；不属于县区的单位由市科技局审核。",
    )
    address = forms.CharField(label="通讯地址", max_length=200)
    contact_person = forms.CharField(label="联系人", max_length=50)
    contact_phone = forms.CharField(label="联系电话", max_length=30)
    email = forms.EmailField(label="电子邮箱", help_text="审核结果发送到此邮箱。")
    licence = forms.FileField(label="营业执照或法人证书", help_text="PDF、PNG 或 JPG 扫描件，不超过 10 MB。")
    admin_username = forms.CharField(label="单位管理员用户名", max_length=150)
    admin_display_name = forms.CharField(label="单位管理员姓名", max_length=50)
    admin_password = forms.CharField(
        label="登录密码",
        widget=forms.PasswordInput(render_value=False),
        help_text="至少 8 位，含大写字母、小写字母、数字和符号中的至少三类。",
    )
    admin_password_again = forms.CharField(
        label="再次输入密码", widget=forms.PasswordInput(render_value=False)
    )
    captcha = CaptchaField(scope=CAPTCHA_SCOPE)

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self._init_helper()
        self.fields["region"].queryset = Region.objects.county_level()

    def clean(self):
        data = super().clean()
        check_captcha(self, self.request)
        first, again = data.get("admin_password"), data.get("admin_password_again")
        if first and again and first != again:
            self.add_error("admin_password_again", "两次输入的密码不一致。")
        return data


class ApplicantForm(ScopedForm):
    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput(render_value=False),
        help_text="项目负责人首次登录时须修改。",
    )
