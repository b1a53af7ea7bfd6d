from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.contrib.auth.password_validation import validate_password

from kejiju.core.captcha import CaptchaField, check_captcha
from kejiju.core.forms import CrispyFormMixin

from .models import Region, User
from .roles import EXPERT_ROLES, UNIT_BOUND_ROLES, Role
from .throttles import CAPTCHA_SCOPE, LOGIN_FAILURES, login_needs_captcha


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。同一账户在同一网络地址连续失败 5 次，将在该地址锁定 30 分钟。",
        "inactive": "该账户已停用，请联系系统管理员。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].widget.attrs.update({"class": "form-control", "autofocus": True})
        self.fields["password"].widget.attrs.update({"class": "form-control"})
        # A username that failed, or an address that failed several times, answers a captcha as well
        # (kejiju.accounts.throttles).
        username = self.data.get("username") if self.is_bound else None
        if self.request is not None and login_needs_captcha(self.request, username):
            self.add_captcha()

    def add_captcha(self) -> None:
        if "captcha" not in self.fields:
            self.fields["captcha"] = CaptchaField(scope=CAPTCHA_SCOPE)

    def clean(self):
        # The captcha is checked before the password: a wrong or missing answer never reaches authenticate
        # (nor axes' count of the account's failures).
        if "captcha" in self.fields:
            if not self.cleaned_data.get("captcha"):
                raise forms.ValidationError("请输入验证码。", code="captcha_missing")
            check_captcha(self, self.request)
            if self.has_error("captcha"):
                LOGIN_FAILURES.hit(self.request)  # a wrong answer is a failed attempt of the address
                raise forms.ValidationError(
                    "验证码不正确或已过期，请输入新图片中的字符。", code="captcha_invalid"
                )
        return super().clean()


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label="动态口令",
        max_length=16,
        help_text="手机身份验证器上的 6 位数字，或一个恢复码（每个只能用一次）。",
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split())


class _UserFieldsForm(CrispyFormMixin, forms.ModelForm):
    # Unit accounts are opened by a unit's verified registration and by its administrator, never here.
    role = forms.ChoiceField(
        label="角色",
        choices=[
            (value, label) for value, label in Role.choices if value not in UNIT_BOUND_ROLES | EXPERT_ROLES
        ],
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "role", "region", "email", "phone"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.fields["region"].queryset = Region.objects.county_level()
        self.fields["region"].help_text = "仅县区科技局账户绑定县区。"


class UserCreateForm(_UserFieldsForm):
    password1 = forms.CharField(label="初始密码", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        elif data.get("password1"):
            probe = User(username=data.get("username", ""), display_name=data.get("display_name", ""))
            try:
                validate_password(data["password1"], probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class UserUpdateForm(_UserFieldsForm):
    class Meta(_UserFieldsForm.Meta):
        fields = ["display_name", "role", "region", "email", "phone"]


class UserPasswordResetForm(CrispyFormMixin, SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_helper()
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "确认新密码"


class RegionForm(CrispyFormMixin, forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "gb2260_code", "name", "kind", "parent", "sort_order", "is_active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_helper()
