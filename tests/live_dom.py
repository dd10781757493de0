"""A small document model that applies live messages as htmx does, for tests that compare screens.

It parses fragments into elements, and applies `<hx-partial>` swaps the way the browser does:
outerHTML replaces the target, delete removes it, upsert replaces a child by id where it
stands or inserts it among its siblings by `data-order`, highest first. A fragment for an
element the screen does not have does nothing.
"""

import json
import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class Element:
    def __init__(self, tag: str, attrs: dict, parent=None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list = []

    @property
    def id(self) -> str | None:
        return self.attrs.get("id")

    def elements(self):
        return [child for child in self.children if isinstance(child, Element)]

    def walk(self):
        yield self
        for child in self.elements():
            yield from child.walk()

    def find(self, element_id: str):
        return next((e for e in self.walk() if e.id == element_id), None)

    def html(self) -> str:
        attrs = "".join(
            f' {name}="{value}"' if value is not None else f" {name}"
            for name, value in sorted(self.attrs.items())
        )
        inner = "".join(c.html() if isinstance(c, Element) else c for c in self.children)
        return f"<{self.tag}{attrs}>{inner}</{self.tag}>"


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.root = Element("#root", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        if data.strip():
            self.current.children.append(" ".join(data.split()))

    def handle_entityref(self, name):
        self.current.children.append(f"&{name};")

    def handle_charref(self, name):
        self.current.children.append(f"&#{name};")


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def _order(element: Element) -> int | None:
    value = element.attrs.get("data-order")
    return int(value) if value and value.isdigit() else None


class Document:
    """What one screen shows: the page its first snapshot stands for, then every swap applied."""

    def __init__(self, snapshot: str):
        self.root = Element("#root", {})
        for partial in parse(snapshot).elements():
            for element in partial.elements():
                element.parent = self.root
                self.root.children.append(element)

    def swap(self, content: str) -> None:
        for partial in parse(content).elements():
            if partial.tag != "hx-partial":
                continue
            target_id = partial.attrs["hx-target"].removeprefix("#")
            style = partial.attrs["hx-swap"].split()[0]
            target = self.root.find(target_id)
            if style == "outerHTML" and target is not None:
                self._replace(target, partial.elements())
            elif style == "delete" and target is not None:
                target.parent.children.remove(target)
            elif style == "upsert" and target is not None:
                for element in partial.elements():
                    self._upsert(target, element)

    def _replace(self, target, elements) -> None:
        index = target.parent.children.index(target)
        for element in elements:
            element.parent = target.parent
        target.parent.children[index : index + 1] = elements

    def _upsert(self, target: Element, element: Element) -> None:
        existing = self.root.find(element.id) if element.id else None
        if existing is not None:
            index = existing.parent.children.index(existing)
            element.parent = existing.parent
            existing.parent.children[index] = element
            return
        element.parent = target
        key = _order(element)
        for index, child in enumerate(target.children):
            if isinstance(child, Element) and key is not None and (_order(child) or 0) < key:
                target.children.insert(index, element)
                return
        target.children.append(element)

    def html(self) -> str:
        html = "".join(c.html() for c in self.root.elements())
        # A timer's remaining time is counted by the screen itself from its end time.
        html = re.sub(r'(<span class="timer__value">)[^<]*(</span>)', r"\1\2", html)
        return html.replace(' class="timer timer--up"', ' class="timer"')


class Screen:
    """A screen that follows live.js's rule for messages. `catch_up(after)` answers as the
    server's catch-up does; the screen starts from the page, that is from a snapshot."""

    def __init__(self, catch_up):
        self.catch_up = catch_up
        first = json.loads(catch_up(None))
        self.document = Document(first["content"])
        self.held = first["revision"]
        self.catch_ups = 0

    def receive(self, text: str) -> None:
        message = json.loads(text)
        revision = message["revision"]
        if "content" not in message:  # a heartbeat
            if revision > self.held:
                self.caught_up()
        elif revision <= self.held:
            return  # old news
        elif message.get("follows", 0) <= self.held:
            self.document.swap(message["content"])
            self.held = revision
        else:
            self.caught_up()  # a gap: something was missed

    def caught_up(self) -> None:
        self.catch_ups += 1
        message = json.loads(self.catch_up(self.held))
        if "content" in message and message["revision"] > self.held:
            assert message.get("follows", 0) <= self.held, message
            self.document.swap(message["content"])
        self.held = max(self.held, message["revision"])
