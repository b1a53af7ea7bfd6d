"""The <form>s of a page as a browser sees them: method, action and every control with the value the browser
would send if the user pressed the form's first submit button without typing anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

TEXT_INPUT_TYPES = frozenset({"text", "search", "email", "url", "tel", ""})
NOT_SENT = frozenset({"submit", "button", "reset", "image", "file"})


@dataclass
class Control:
    tag: str  # input, textarea, select, button
    name: str
    type: str = ""
    value: str = ""
    checked: bool = False
    disabled: bool = False
    multiple: bool = False
    accept: str = ""
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)


@dataclass
class HtmlForm:
    method: str
    action: str  # absolute path (with query), resolved against the page URL
    controls: list[Control] = field(default_factory=list)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.controls if c.type not in {"submit", "button", "reset"})

    def control(self, name: str) -> Control | None:
        return next((c for c in self.controls if c.name == name), None)

    def defaults(self) -> dict[str, list[str]]:
        """What the browser sends: text and hidden values, checked boxes, selected options, the first
        named submit button."""
        data: dict[str, list[str]] = {}
        button_done = False
        for control in self.controls:
            if control.disabled:
                continue
            if control.tag == "button" or control.type in {"submit", "image"}:
                if control.type in {"submit", ""} and not button_done:
                    button_done = True
                    data.setdefault(control.name, []).append(control.value)
                continue
            if control.type in NOT_SENT:
                continue
            if control.type in {"checkbox", "radio"}:
                if control.checked:
                    data.setdefault(control.name, []).append(control.value or "on")
                continue
            if control.tag == "select":
                selected = [value for value, chosen in control.options if chosen]
                if not selected and control.options and not control.multiple:
                    selected = [control.options[0][0]]
                data.setdefault(control.name, []).extend(selected)
                continue
            data.setdefault(control.name, []).append(control.value)
        return data


class _Parser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[HtmlForm] = []
        self.current: HtmlForm | None = None
        self.select: Control | None = None
        self.option: list | None = None
        self.textarea: Control | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            parts = urlsplit(action)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            self.current = HtmlForm(method=(a.get("method") or "get").lower(), action=path)
            self.forms.append(self.current)
            return
        if self.current is None or "form" in a:  # a control owned by another form (form="…")
            return
        name = a.get("name")
        disabled = "disabled" in a
        if tag == "input" and name:
            self.current.controls.append(
                Control(
                    "input",
                    name,
                    type=a.get("type", "text").lower(),
                    value=a.get("value", ""),
                    checked="checked" in a,
                    disabled=disabled,
                    accept=a.get("accept", ""),
                )
            )
        elif tag == "button" and name:
            self.current.controls.append(
                Control("button", name, type=a.get("type", "submit").lower(), value=a.get("value", ""))
            )
        elif tag == "textarea" and name:
            self.textarea = Control("textarea", name, type="textarea", disabled=disabled)
            self.current.controls.append(self.textarea)
        elif tag == "select" and name:
            self.select = Control("select", name, type="select", disabled=disabled, multiple="multiple" in a)
            self.current.controls.append(self.select)
        elif tag == "option" and self.select is not None:
            self._close_option()  # an <option> without its end tag ends at the next one
            self.option = [a.get("value"), "selected" in a, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data
        if self.option is not None:
            self.option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea" and self.textarea is not None:
            # The HTML parser drops the newline that may follow <textarea>; browsers do too.
            self.textarea.value = self.textarea.value.removeprefix("\n")
            self.textarea = None
        elif tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self.select = None

    def _close_option(self):
        if self.option is not None and self.select is not None:
            value, selected, text = self.option
            self.select.options.append((text.strip() if value is None else value, selected))
        self.option = None


def parse_forms(html: str, page_url: str) -> list[HtmlForm]:
    parser = _Parser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms
