"""The fields a page's form offers, read from its HTML, so a test posts what a browser would."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _Form:
    def __init__(self, action: str, method: str) -> None:
        self.action = action
        self.method = method
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, []).append(value)


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._option: str | None = None
        self._option_text: list[str] = []
        self._selected = False
        self._chosen: list[str] = []
        self._first: str | None = None
        self._multiple = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = _Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    form.add(name, a.get("value", "on"))
                return
            form.add(name, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._chosen, self._first = name, [], None
            self._multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            self._option, self._option_text = a.get("value"), []
            self._selected = "selected" in a

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)
        if self._option is not None or (self._select is not None and self._selected):
            self._option_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and form is not None:
            # A browser drops the newline that follows the opening tag.
            form.add(self._textarea, "".join(self._text).removeprefix("\n"))
            self._textarea = None
        elif tag == "option" and self._select is not None:
            self._close_option()
        elif tag == "select" and self._select is not None and form is not None:
            self._close_option()
            chosen = self._chosen
            if not chosen and not self._multiple and self._first is not None:
                chosen = [self._first]  # a single select sends its first option by default
            for value in chosen:
                form.add(self._select, value)
            self._select = None

    def _close_option(self) -> None:
        if self._option is None and not self._option_text:
            return
        value = self._option if self._option is not None else "".join(self._option_text).strip()
        if self._first is None:
            self._first = value
        if self._selected:
            self._chosen.append(value)
        self._option, self._option_text, self._selected = None, [], False


def form_fields(html: str, path: str) -> dict[str, Any]:
    """The fields of the page's main form: the POST form sent to the page itself (or to
    `path`) with the most fields. Values are lists, as a browser may send a name twice."""
    reader = _FormReader()
    reader.feed(html)
    forms = [form for form in reader.forms if form.method == "post" and form.action in ("", path)]
    if not forms:
        raise AssertionError(f"No form posting to {path} on the page.")
    chosen = max(forms, key=lambda form: len(form.fields))
    return {name: values for name, values in chosen.fields.items() if name != "csrfmiddlewaretoken"}
