"""A picture captcha for the pages that face the internet, drawn with Pillow (already installed for
WeasyPrint): the code lives in the visitor's session, is checked once and then forgotten, and its picture
is served by `core:captcha`. A library (django-simple-captcha) would add its own table and URL config for
what is forty lines here."""

from __future__ import annotations

import io
import secrets
import time

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from PIL import Image, ImageDraw, ImageFilter, ImageFont

# No 0/O, 1/I/L, 2/Z, 5/S: codes a person can read back.
ALPHABET = "34678ABCDEFGHJKMNPQRTUVWXY"
LENGTH = 4
LIFETIME = 600  # seconds
SESSION_KEY = "captcha:{}"
# The pages that show one (core:captcha draws only for these).
SCOPES = frozenset({"units.register", "accounts.login"})


def captcha_new(session, scope: str) -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    session[SESSION_KEY.format(scope)] = {"code": code, "at": int(time.time())}
    return code


def captcha_check(session, scope: str, answer: str) -> bool:
    """Whether `answer` is the code last shown for `scope`; a code is checked once (right or wrong)."""
    stored = session.pop(SESSION_KEY.format(scope), None)
    if not stored or time.time() - stored["at"] > LIFETIME:
        return False
    return secrets.compare_digest(stored["code"], "".join((answer or "").split()).upper())


def captcha_png(code: str) -> bytes:
    width, height = 132, 44
    image = Image.new("RGB", (width, height), (246, 248, 250))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=28)
    for _ in range(6):
        points = [(secrets.randbelow(width), secrets.randbelow(height)) for _ in range(2)]
        draw.line(points, fill=(160 + secrets.randbelow(60), 170, 190), width=1)
    for index, char in enumerate(code):
        glyph = Image.new("RGBA", (34, 40), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((4, 4), char, font=font, fill=(30 + secrets.randbelow(60), 60, 120))
        glyph = glyph.rotate(secrets.randbelow(31) - 15, resample=Image.BICUBIC)
        image.paste(glyph, (6 + index * 31, 2), glyph)
    image = image.filter(ImageFilter.SMOOTH)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class CaptchaInput(forms.TextInput):
    """The answer's input with the picture beside it; clicking the picture draws a new one (kejiju.js)."""

    def __init__(self, *, scope: str, attrs=None):
        super().__init__(attrs)
        self.scope = scope

    def render(self, name, value, attrs=None, renderer=None):
        url = reverse("core:captcha", kwargs={"scope": self.scope})
        field = super().render(name, None, attrs, renderer)
        return format_html(
            '<div class="d-flex gap-2 align-items-center captcha">{}<img src="{}" alt="验证码图片" '
            'width="132" height="44" class="border rounded" role="button" title="看不清？点击换一张" '
            'data-captcha-refresh data-testid="captcha-image"></div>',
            field,
            url,
        )


class CaptchaField(forms.CharField):
    """The answer to the picture; the form that holds it checks it against the session (`check_captcha`)."""

    def __init__(self, *, scope: str, **kwargs):
        kwargs.setdefault("label", "验证码")
        kwargs.setdefault("max_length", 8)
        kwargs.setdefault("help_text", "请输入图中的字符（不区分大小写），看不清可点击图片换一张。")
        kwargs["widget"] = CaptchaInput(scope=scope, attrs={"autocomplete": "off", "class": "form-control"})
        super().__init__(**kwargs)
        self.scope = scope


def check_captcha(form: forms.Form, request, field: str = "captcha") -> None:
    """Add the field's error when the answer is wrong; called from the form's clean with the request."""
    scope = form.fields[field].scope
    answer = form.cleaned_data.get(field)
    if answer and not captcha_check(request.session, scope, answer):
        form.add_error(field, "验证码不正确或已过期，请输入新图片中的字符。")
