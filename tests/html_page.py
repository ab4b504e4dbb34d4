"""A parsed HTML page for tests: its elements with their attributes, the links with their text, and
which input each label names (stdlib html.parser; enough to check what a page offers)."""
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit


@dataclass
class Element:
    tag: str
    attrs: dict
    text: str = ""


@dataclass
class Page(HTMLParser):
    elements: list[Element] = field(default_factory=list)
    open_links: list[Element] = field(default_factory=list)
    open_labels: list[Element] = field(default_factory=list)

    def __post_init__(self):
        HTMLParser.__init__(self)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag == "a":
            self.open_links.append(element)
        if tag == "label":
            self.open_labels.append(element)

    def handle_endtag(self, tag):
        if tag == "a" and self.open_links:
            self.open_links.pop()
        if tag == "label" and self.open_labels:
            self.open_labels.pop()

    def handle_data(self, data):
        for element in self.open_links + self.open_labels:
            element.text += data

    def find(self, tag: str, **attrs) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())]

    def links(self) -> list[Element]:
        return self.find("a")

    def local_paths(self, prefix: str = "/") -> list[str]:
        """Paths (with query) of the links that stay on this service and start with `prefix`."""
        paths = []
        for link in self.links():
            href = link.attrs.get("href", "")
            parts = urlsplit(href)
            if not parts.netloc and parts.path.startswith(prefix):
                paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return paths

    def label_for(self, input_id: str) -> str | None:
        labels = [e for e in self.find("label") if e.attrs.get("for") == input_id]
        return labels[0].text.strip() if labels else None


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page
