"""Helpers shared by the readers: safe text decoding and safe XML parsing."""

from __future__ import annotations

import re
from pathlib import Path
from pyexpat import ExpatError
from pyexpat import ParserCreate as _expat_parser
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden

from attunement.errors import ReadError
from attunement.limits import current


def read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(path, f"cannot open file ({exc.strerror or exc})") from exc
    if not data or data.isspace():  # isspace stops at the first other byte; strip() would copy
        raise ReadError(path, "the file is empty")
    return data


def decode_text(path: Path, data: bytes, encoding: str = "utf-8") -> str:
    """Decode a text file; binary content or a wrong encoding becomes a ``ReadError``
    naming the line of the first bad byte."""
    refuse_nul(path, data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReadError(
            path,
            f"not valid {encoding.upper()} text (byte 0x{data[exc.start]:02x}); "
            "re-save the file as UTF-8",
            line,
        ) from None
    return text.removeprefix("\ufeff")


def refuse_nul(path: Path, data: bytes, what: str = "text") -> None:
    """A NUL byte anywhere (one ``memchr``: 0.1 ms on 3 MB) means binary content, or UTF-16
    without its byte-order mark (then NUL is every other byte): a ``ReadError`` that says which."""
    at = data.find(b"\x00")
    if at < 0:
        return
    line = data.count(b"\n", 0, at) + 1
    head = data[:4096]
    if head.count(0) * 3 > len(head):  # UTF-16 puts a NUL beside every ASCII character
        raise ReadError(
            path, f"UTF-16 text without a byte-order mark, not {what}: re-save it as UTF-8", line
        )
    raise ReadError(path, f"this is a binary file, not {what} (NUL byte)", line)


def read_text(path: Path) -> str:
    return decode_text(path, read_bytes(path))


# A named entity reference other than the five XML predefines.
_ENTITY_REF = re.compile(rb"&(?!(?:lt|gt|amp|quot|apos);)([A-Za-z_:][\w.:-]*);")


def _refuse_external_entities(path: Path, data: bytes) -> None:
    """With an external DTD named (never read), a reference such as ``&foo;`` could only be
    defined there, and expat skips it without a word (``spkr="&foo;"`` reads as ``""``).
    Refuse the file instead."""
    found = _ENTITY_REF.search(data)
    if found:
        raise ReadError(
            path,
            "refused: an entity reference (&name;) is defined only in the external DTD, which is "
            "never read; replace it with its text",
            data.count(b"\n", 0, found.start()) + 1,
        )


def _refuse_entity(name, *args):
    raise EntitiesForbidden(name, None, None, None, None, None)


def _refuse_external(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def parse_xml(path: Path, data: bytes) -> Element:
    """Parse XML safely into an ElementTree: no external entity, no DTD fetch, no entity
    expansion. A DOCTYPE that only names an external DTD (LENA's ``its.dtd``) is fine: it is never
    read. Entity declarations (general or parameter), external references, and references to
    entities only such a DTD could define are refused with a ``ReadError``; so are malformed XML
    and encodings expat cannot use (defusedxml's ``fromstring``, used here before, let
    ``LookupError``/``ValueError`` out for those). Comments and processing instructions are not
    kept; element text is.

    expat feeding ElementTree's C ``TreeBuilder``, the one XML parser of the package. Measured on
    the 3 MB LENA .its file (2-core VM, Python 3.11, lxml 6.1.3, medians of 15): expat builds the
    tree in 46-58 ms, defusedxml's pure-Python ``XMLParser`` in 73-80 ms, lxml (libxml2, same
    hardening) in 17-39 ms; but freeing lxml's tree leaves ~450,000 small blocks that glibc then
    consolidates, costing the next large allocations ~15 ms, so parse + free + that cost is the
    same for expat and lxml (65 against 63 ms); and lxml hands attributes to Python one element
    at a time (25 ms for the 12,732 segments), where expat's tree holds Python dicts already."""
    builder = TreeBuilder()
    _expat(path, data, builder)
    return builder.close()


def check_xml(path: Path, data: bytes) -> None:
    """``parse_xml``'s checks and refusals without building anything: raise a ``ReadError``
    unless ``data`` is well-formed, safe XML (18.5 ms on the 3 MB LENA file, against 46-58 ms
    for the tree). For readers that then take what they need from the bytes themselves."""
    _expat(path, data, None)


def _depth_limited(path: Path, builder: TreeBuilder, parser):
    """``builder``'s start and end, refusing elements nested deeper than the ``max_xml_depth``
    budget (2 ms more on the 3 MB LENA file's 46-58 ms tree). ``check_xml`` builds nothing and
    needs no such limit."""
    limits = current()
    depth = 0
    start, end = builder.start, builder.end

    def opened(name, attributes):
        nonlocal depth
        depth += 1
        if depth > limits.max_xml_depth:
            line = parser.CurrentLineNumber
            raise limits.refuse(path, "max_xml_depth", "XML elements nested deeper", line)
        start(name, attributes)

    def closed(name):
        nonlocal depth
        depth -= 1
        end(name)

    return opened, closed


def _expat(path: Path, data: bytes, builder: TreeBuilder | None) -> None:
    """Run the hardened expat parser over ``data``, feeding ``builder`` if there is one."""
    parser = _expat_parser()
    external_dtd = []
    parser.StartDoctypeDeclHandler = lambda name, sysid, pubid, internal: external_dtd.append(
        bool(sysid or pubid)
    )
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_external
    if builder is not None:
        parser.buffer_text = True
        parser.StartElementHandler, parser.EndElementHandler = _depth_limited(path, builder, parser)
        parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except DefusedXmlException as exc:
        raise ReadError(
            path, f"refused: the XML declares entities ({type(exc).__name__}); not expanded"
        ) from None
    except ExpatError as exc:
        raise ReadError(path, f"malformed XML ({exc})", exc.lineno) from None
    except (LookupError, ValueError):  # an encoding expat cannot use
        raise ReadError(path, "unsupported XML encoding declared; re-save as UTF-8") from None
    if any(external_dtd):
        _refuse_external_entities(path, data)
