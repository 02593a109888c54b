"""A small XML tree with line numbers and raw text, built with expat.

``xml.etree`` cannot say on which line an element starts, and the rejects of
an XML file should name the line of the bad record, so this builds its own
:class:`Node` tree.  Untrusted input is safe: entity declarations (the
"billion laughs" attack) are refused and external entities are never
fetched.  Entities that a document uses without declaring them (the HTML
names in dblp's XML, ``&uuml;``) are read as the characters they name.
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

from .base import FormatError


@dataclass(slots=True)
class Node:
    tag: str
    """Local name, without namespace."""
    ns: str
    attrib: dict[str, str]
    line: int
    start: int
    """Byte offset of the start tag in the UTF-8 text."""
    end: int = 0
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    """Character data directly inside this element."""

    def find(self, *path: str) -> Node | None:
        """The first descendant along a path of local names."""
        node: Node | None = self
        for tag in path:
            node = next((c for c in node.children if c.tag == tag), None) if node else None
        return node

    def findall(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def iter(self, tag: str) -> Iterator[Node]:
        """This node and its descendants with that local name, in document order."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            if node.tag == tag:
                yield node
            stack.extend(reversed(node.children))

    def text(self) -> str:
        """All text inside, markup removed, whitespace collapsed."""
        return " ".join("".join(self.itertext()).split())

    def itertext(self) -> Iterator[str]:
        # ``parts[i]`` is the character data just before child i (and the
        # last one after the last child); iterative, so deep nesting is fine.
        stack: list[Node | str] = [self]
        while stack:
            top = stack.pop()
            if isinstance(top, str):
                yield top
                continue
            pending: list[Node | str] = []
            for i, child in enumerate(top.children):
                if i < len(top.parts):
                    pending.append(top.parts[i])
                pending.append(child)
            pending.extend(top.parts[len(top.children):])
            stack.extend(reversed(pending))

    def get_text(self, *path: str) -> str | None:
        node = self.find(*path)
        t = node.text() if node else ""
        return t or None

    def texts(self, tag: str) -> list[str]:
        return [t for c in self.findall(tag) if (t := c.text())]


_ENTITY_RE = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})


def _numeric_entities(text: str) -> str:
    """HTML entity names (``&uuml;``) as character references (``&#252;``)."""
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        char = html.entities.html5.get(name + ";")
        if name in _XML_ENTITIES or not char:
            return m.group(0)
        return "".join(f"&#{ord(c)};" for c in char)
    return _ENTITY_RE.sub(sub, text)


def parse_xml(text: str) -> tuple[Node, bytes]:
    """The root node and the UTF-8 bytes its offsets index into; a
    :class:`FormatError` (with line and column) if not well-formed.  HTML
    entity names a document uses without declaring them (dblp's ``&uuml;``)
    are read as the characters they name."""
    try:
        return _parse(text)
    except FormatError as exc:
        if exc.message.endswith("undefined entity"):
            fixed = _numeric_entities(text)
            if fixed != text:
                return _parse(fixed)
        raise


def _parse(text: str) -> tuple[Node, bytes]:
    data = text.encode("utf-8", "surrogatepass")
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[Node] = []
    root: list[Node] = []
    just_started: list[Node | None] = [None]

    def start(name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition(" ")
        node = Node(local, ns, {k.rpartition(" ")[2]: v for k, v in attrs.items()},
                    parser.CurrentLineNumber, parser.CurrentByteIndex)
        if stack:
            parent = stack[-1]
            while len(parent.parts) < len(parent.children) + 1:
                parent.parts.append("")
            parent.children.append(node)
        else:
            root.append(node)
        stack.append(node)
        just_started[0] = node

    def end(name: str) -> None:
        node = stack.pop()
        at = parser.CurrentByteIndex
        if just_started[0] is node and data[at - 2:at] == b"/>":
            node.end = at  # an empty element: expat reports the end after "/>"
        else:
            close = data.find(b">", at)
            node.end = close + 1 if close >= 0 else len(data)
        just_started[0] = None

    def chars(data_: str) -> None:
        just_started[0] = None
        if stack:
            node = stack[-1]
            while len(node.parts) < len(node.children) + 1:
                node.parts.append("")
            node.parts[-1] += data_

    def entity_decl(*_args: object) -> None:
        raise FormatError("XML entity declarations are not accepted (unsafe input)",
                          parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)

    def skipped(name: str, is_parameter: bool) -> None:
        if not is_parameter and name + ";" in html.entities.html5:
            chars(html.entities.html5[name + ";"])

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.EntityDeclHandler = entity_decl
    parser.SkippedEntityHandler = skipped
    try:
        # A str, not bytes: expat then reads it as the UTF-8 of ``data`` and
        # ignores the encoding the XML declaration names (the text is decoded
        # already), and its byte offsets index into ``data``.
        parser.Parse(text, True)
    except UnicodeEncodeError as exc:
        raise FormatError("not valid text (unpaired surrogates)") from exc
    except expat.ExpatError as exc:
        raise FormatError(f"not well-formed XML: {expat.errors.messages[exc.code]}",
                          exc.lineno, exc.offset + 1) from exc
    except RecursionError as exc:
        raise FormatError("XML nested too deeply") from exc
    if not root:
        raise FormatError("no XML element found")
    return root[0], data


def raw_of(node: Node, data: bytes) -> str:
    """The exact source text of an element."""
    return data[node.start:node.end].decode("utf-8", "replace")


def root_name(head: str) -> tuple[str, str] | None:
    """``(namespace, local name)`` of the root element in the first part of
    an XML text (prolog, comments and DOCTYPE skipped), or ``None``."""
    i = 0
    n = len(head)
    while i < n:
        j = head.find("<", i)
        if j < 0 or j + 1 >= n:
            return None
        if head.startswith("<?", j):
            i = head.find("?>", j) + 2 if head.find("?>", j) >= 0 else n
        elif head.startswith("<!--", j):
            i = head.find("-->", j) + 3 if head.find("-->", j) >= 0 else n
        elif head.startswith("<!", j):
            i = _skip_doctype(head, j)
        else:
            k = j + 1
            while k < n and not head[k].isspace() and head[k] not in "/>":
                k += 1
            qname = head[j + 1:k]
            if not qname:
                return None
            prefix, _, local = qname.rpartition(":")
            end = head.find(">", k)
            tag = head[j:end] if end >= 0 else head[j:]
            attr = f"xmlns:{prefix}=" if prefix else "xmlns="
            ns = ""
            at = tag.find(attr)
            if at >= 0:
                quote = tag[at + len(attr):at + len(attr) + 1]
                stop = tag.find(quote, at + len(attr) + 1) if quote in "\"'" and quote else -1
                ns = tag[at + len(attr) + 1:stop] if stop > 0 else ""
            return ns, local
    return None


def _skip_doctype(head: str, j: int) -> int:
    depth = 0
    for k in range(j, len(head)):
        c = head[k]
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == ">" and depth <= 0:
            return k + 1
    return len(head)
