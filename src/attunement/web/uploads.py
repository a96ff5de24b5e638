"""Uploaded recordings: streamed to a private folder under generated ids, checked, then read.

Safety rules (each has a test in ``tests/test_web_app.py``, ``test_web_connections.py`` or
``test_web_guard.py``):

- **Size**: the request body is parsed as it arrives (python-multipart's streaming parser, not
  Starlette's form reader, which spools a whole file before the endpoint sees it) and the upload
  stops with 413 as soon as the file passes ``max_bytes``; a declared ``Content-Length`` beyond
  the limit is refused before a byte is read.
- **Time**: the body must arrive within ``upload_timeout_s`` and never pause for more than
  ``upload_idle_s``; otherwise 408 and the connection is closed (a client trickling one byte
  every half second is cut off).
- **Origin**: the form's token (``csrf``, made per session by ``attunement.web.guard``) must
  come before the file in the body; a missing or wrong token is 403 before any of the file is
  stored.
- **Type**: the extension must be one a reader claims (``attunement.io.registry.extensions``)
  and the first bytes must be recognised by a reader's ``sniff`` (``registry.detect``'s
  content check); otherwise 415.
- **Paths**: the client's filename is never a path. A file is stored as ``<id><ext>`` where the
  id is random hex and the extension one of the registry's own; the original name is kept only
  as metadata (templates escape it). The data folder is created with mode 0700, files 0600.
- **Bad content**: a file that a reader rejects (``ReadError``) or that makes a reader fail in
  any other way is removed again and reported as 422 with the reader's message, the private
  path replaced by the original name.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header

from attunement.errors import DataError, ReadError
from attunement.io import read_file
from attunement.io.registry import SNIFF_BYTES, extensions, readers
from attunement.recording import Recording
from attunement.web.files import write_private
from attunement.web.limits import ServerLimits

log = logging.getLogger("attunement.web")

FORM_OVERHEAD_BYTES = 64 * 1024  # multipart boundaries and part headers around the file
ID_PATTERN = re.compile(r"[0-9a-f]{32}")
NAME_LIMIT = 255  # characters of the original name kept as metadata
TOKEN_FIELD = "csrf"
TOKEN_LIMIT = 256  # bytes of the token field read
FIELDS = ("child", "child_name", "birth_date", "privacy", "rule")  # the form's other fields
FIELD_LIMIT = 200  # bytes of each other field read


class UploadRejected(DataError):
    """An upload or analysis refused with an HTTP status, a message for the person uploading
    and any headers the answer needs (``Retry-After``, ``Connection``)."""

    def __init__(
        self, status: int, title: str, message: str, headers: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.headers = dict(headers or {})


@dataclass
class Upload:
    """One stored upload: its id, the client's name (metadata only), size, hash, format, and
    per recording in the file its ``summary()`` and headline turn figures."""

    id: str
    original_name: str
    size: int
    sha256: str
    format: str
    extension: str
    uploaded_at: str
    recordings: list[dict[str, Any]] = field(default_factory=list)
    child: str = ""  # the family (``attunement.web.families``) the recording belongs to
    keep_text: bool = True  # the privacy choice: False keeps timing and roles only
    rule: str = "lena"  # the turn rule chosen on the form
    form: dict[str, str] = field(default_factory=dict)  # the form's fields; not saved

    @property
    def file_name(self) -> str:
        return f"{self.id}{self.extension}"


def clean_name(name: str | None) -> str:
    """The client's filename as display metadata: control and format characters (NUL, RTL
    marks) removed, cut to ``NAME_LIMIT`` characters with its extension kept; never a path."""
    text = "".join(ch for ch in (name or "") if ch.isprintable())
    if len(text) > NAME_LIMIT:
        dot = text.rfind(".")
        tail = text[dot:] if dot > 0 and len(text) - dot <= 16 else ""
        text = text[: NAME_LIMIT - len(tail) - 1] + "…" + tail
    return text or "unnamed"


def suffix_of(name: str) -> str:
    """The lower-case extension of the last path component of ``name`` ('' when none)."""
    last = re.split(r"[\\/]", name)[-1]
    dot = last.rfind(".")
    return last[dot:].lower() if dot > 0 else ""


class UploadStore:
    """The private folder holding uploads: ``<data_dir>/uploads/<id><ext>`` and ``<id>.json``."""

    def __init__(self, data_dir: str | Path, limits: ServerLimits | None = None):
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / "uploads"
        self.limits = limits or ServerLimits()
        self.max_bytes = self.limits.max_upload_bytes
        for folder in (self.data_dir, self.folder):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)

    # -- receiving -------------------------------------------------------------------------

    async def receive(
        self, content_type: str, content_length: str | None, chunks, token: str | None = None
    ) -> Upload:
        """Parse a multipart body from the async iterator ``chunks`` and store its ``file``
        field, which the form field ``csrf`` equal to ``token`` must precede (unless ``token``
        is None); raises ``UploadRejected`` (400, 403, 408, 413, 415, 422) and leaves no file
        behind."""
        declared = int(content_length) if (content_length or "").isdigit() else 0
        if declared > self.max_bytes + FORM_OVERHEAD_BYTES:
            raise self._too_large()
        kind, options = parse_options_header(content_type or "")
        boundary = options.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise UploadRejected(400, "Not a file upload", "Send the file with the upload form.")
        upload_id = secrets.token_hex(16)
        part = _FilePart(self.folder / f"{upload_id}.part", self.max_bytes, token)
        parser = MultipartParser(boundary, part.callbacks())
        received = 0
        try:
            async for chunk in self._in_time(chunks):
                received += len(chunk)
                if received > self.max_bytes + FORM_OVERHEAD_BYTES:
                    raise self._too_large()
                parser.write(chunk)
                if part.forged:
                    raise _forged()
                if part.too_large:
                    raise self._too_large()
            parser.finalize()
        except UploadRejected:
            part.discard()
            raise
        except Exception as exc:  # python-multipart's parse errors: a malformed body
            part.discard()
            message = f"The upload could not be parsed: {exc}"
            raise UploadRejected(400, "Malformed upload", message) from None
        finally:
            part.close()
        if part.name is None or part.size == 0:
            part.discard()
            raise UploadRejected(400, "No file", "Choose a non-empty file to upload.")
        upload = self._check(upload_id, part)
        upload.form = {k: v.decode("utf-8", "replace").strip() for k, v in part.fields.items()}
        return upload

    async def _in_time(self, chunks):
        """The chunks, as long as they keep to the upload's time limits (else 408)."""
        limits = self.limits
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limits.upload_timeout_s
        iterator = aiter(chunks)
        while True:
            left = deadline - loop.time()
            try:
                yield await asyncio.wait_for(anext(iterator), min(left, limits.upload_idle_s))
            except StopAsyncIteration:
                return
            except TimeoutError:
                what = (
                    f"did not arrive within {limits.upload_timeout_s:g} s"
                    if left <= limits.upload_idle_s
                    else f"paused for more than {limits.upload_idle_s:g} s"
                )
                raise UploadRejected(
                    408,
                    "Upload too slow",
                    f"The upload {what} and was cut off. Try again on a faster connection; "
                    "the limits are `attunement serve --upload-timeout` and "
                    "`--upload-idle-timeout`.",
                ) from None

    def _too_large(self) -> UploadRejected:
        return UploadRejected(
            413,
            "File too large",
            f"The upload limit is {self.max_bytes:,} bytes; this file is larger.",
        )

    def _check(self, upload_id: str, part: _FilePart) -> Upload:
        """Type check (extension and content), then store: rename into place."""
        name = clean_name(part.name)
        suffix = suffix_of(name)
        known = extensions()
        if suffix not in known:
            part.discard()
            listed = ", ".join(sorted(known))
            raise UploadRejected(
                415,
                "Unsupported file type",
                f"{name}: files ending in {suffix or '(no extension)'} are not read here; "
                f"supported: {listed}.",
            )
        fmt = sniffed_format(part.head, suffix)
        if fmt is None:
            part.discard()
            raise UploadRejected(
                415,
                "Content does not match the file type",
                f"{name}: the content is not {known[suffix]} (nor any other supported format); "
                "it may be damaged, compressed or another kind of file renamed.",
            )
        path = self.folder / f"{upload_id}{suffix}"
        os.replace(part.path, path)
        return Upload(
            id=upload_id,
            original_name=name,
            size=part.size,
            sha256=part.sha256.hexdigest(),
            format=fmt,
            extension=suffix,
            uploaded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )

    # -- reading and metadata ------------------------------------------------------------

    def read(self, upload: Upload) -> list[Recording]:
        """The recordings in a stored upload, shown under the original name, with the upload's
        privacy choice; raises ``UploadRejected`` (422) with the reader's message, the private
        path replaced."""
        path = self.folder / upload.file_name
        try:
            recordings = read_file(path, format=upload.format, keep_text=upload.keep_text)
        except ReadError as exc:
            where = upload.original_name if exc.line is None else f"line {exc.line}"
            raise UploadRejected(
                422, "The file could not be read", f"{upload.original_name}: {where}: {exc.problem}"
            ) from None
        except Exception as exc:  # a reader bug must not become a server error
            log.exception("reader failed on upload %s (%s)", upload.id, upload.format)
            raise UploadRejected(
                422,
                "The file could not be read",
                f"{upload.original_name}: the {upload.format} reader failed "
                f"({type(exc).__name__}); the file is probably damaged. Please report it if not.",
            ) from None
        stem = suffix_of(upload.original_name)
        stem = upload.original_name[: -len(stem)] if stem else upload.original_name
        for rec in recordings:
            if len(recordings) == 1:
                rec.id = stem
            rec.path = upload.original_name
        return recordings

    def save(self, upload: Upload) -> None:
        saved = {k: v for k, v in asdict(upload).items() if k != "form"}
        write_private(self.folder / f"{upload.id}.json", json.dumps(saved, ensure_ascii=False))

    def discard(self, upload: Upload) -> None:
        """Remove the upload's file, its metadata and everything made from it (reports and
        remembered refusals, ``<id>.*``)."""
        for name in (upload.file_name, f"{upload.id}.json"):
            (self.folder / name).unlink(missing_ok=True)
        for made in self.folder.glob(f"{upload.id}.*"):
            made.unlink(missing_ok=True)
        for made in self.folder.glob(f".{upload.id}.*"):  # a report being written
            made.unlink(missing_ok=True)

    def get(self, upload_id: str) -> Upload | None:
        """The upload with this id, or None (also for anything that is not an id)."""
        if not ID_PATTERN.fullmatch(upload_id):
            return None
        meta = self.folder / f"{upload_id}.json"
        if not meta.is_file():
            return None
        known = {f.name for f in fields(Upload)}
        saved = json.loads(meta.read_text(encoding="utf-8"))
        return Upload(**{k: v for k, v in saved.items() if k in known})

    def all(self) -> list[Upload]:
        """Every stored upload, newest first."""
        found = [self.get(p.stem) for p in self.folder.glob("*.json")]
        return sorted((u for u in found if u), key=lambda u: u.uploaded_at, reverse=True)

    def file_path(self, upload: Upload) -> Path:
        return self.folder / upload.file_name


def _forged() -> UploadRejected:
    return UploadRejected(
        403,
        "Upload refused",
        "This upload did not come from this dashboard's own upload form (its form token is "
        "missing or out of date). Open the upload page again and send the file from there.",
    )


def sniffed_format(head: bytes, suffix: str) -> str | None:
    """The format whose reader recognises ``head``: the extension's own reader first (as
    ``registry.detect``), else any reader; None when no reader recognises the content."""
    if not head.strip():
        return None
    modules = readers()
    own = extensions().get(suffix)
    if own and modules[own].sniff(head):
        return own
    return next((fmt for fmt, module in modules.items() if module.sniff(head)), None)


class _FilePart:
    """Receives the multipart callbacks: writes the ``file`` field to ``path`` (0600) while
    counting, hashing and keeping the first bytes for sniffing; keeps the ``csrf`` field and,
    when a ``token`` is expected, sets ``forged`` instead of opening the file unless that
    field came first and matches; keeps the first ``FIELD_LIMIT`` bytes of each of ``FIELDS``
    (the child, the privacy choice, the turn rule); other fields are ignored."""

    def __init__(self, path: Path, max_bytes: int, token: str | None = None):
        self.path = path
        self.max_bytes = max_bytes
        self.token = token
        self.form_token = b""
        self.fields: dict[str, bytes] = {}
        self._field_name: str | None = None
        self.forged = False
        self.name: str | None = None
        self.size = 0
        self.head = b""
        self.sha256 = hashlib.sha256()
        self.too_large = False
        self._handle = None
        self._header_field = b""
        self._header_value = b""
        self._disposition = b""
        self._is_file = False
        self._is_token = False

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._field,
            "on_header_value": self._value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._disposition = b""
        self._is_file = False
        self._is_token = False
        self._field_name = None

    def _field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_field.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_field = b""
        self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._is_token = options.get(b"name") == TOKEN_FIELD.encode()
        name = options.get(b"name", b"").decode("ascii", "replace")
        self._field_name = name if name in FIELDS and b"filename" not in options else None
        if options.get(b"name") == b"file" and b"filename" in options and self.name is None:
            if self.token is not None and not hmac.compare_digest(
                self.form_token, self.token.encode()
            ):
                self.forged = True
                return
            self.name = options[b"filename"].decode("utf-8", "replace")
            self._is_file = True
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self._handle = os.fdopen(fd, "wb")

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._is_token:
            self.form_token = (self.form_token + data[start:end])[:TOKEN_LIMIT]
        if self._field_name is not None:
            held = self.fields.get(self._field_name, b"")
            self.fields[self._field_name] = (held + data[start:end])[:FIELD_LIMIT]
        if not self._is_file or self.too_large:
            return
        piece = data[start:end]
        self.size += len(piece)
        if self.size > self.max_bytes:
            self.too_large = True
            return
        if len(self.head) < SNIFF_BYTES:
            self.head += piece[: SNIFF_BYTES - len(self.head)]
        self.sha256.update(piece)
        self._handle.write(piece)

    def _part_end(self) -> None:
        self._is_file = False
        self.close()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)
