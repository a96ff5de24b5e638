"""Families: the children whose recordings are visits, so a coach sees them together.

A family is ``<data_dir>/families/<id>.json`` (mode 0600): a generated id, the child's name and
birth date as the coach typed them (both optional; they stay on this machine, in this folder,
and are deleted with the family), and when it was made. An upload names its family
(``Upload.child``); the family page's reports are cached beside the uploads as
``family-<id>.<lang>.html`` and removed whenever one of its visits is added or deleted.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from attunement.measures.families.turns import RULE_NAMES
from attunement.web.files import write_private
from attunement.web.uploads import ID_PATTERN, Upload, UploadRejected, UploadStore

NAME_LIMIT = 100
PRIVACY = {"words": True, "timing": False}  # the form's privacy choice -> keep_text


@dataclass
class Family:
    id: str
    name: str
    birth_date: str | None  # ISO date
    created_at: str

    @property
    def born(self) -> date | None:
        return date.fromisoformat(self.birth_date) if self.birth_date else None


class Families:
    """The families of one dashboard, beside its uploads."""

    def __init__(self, store: UploadStore):
        self.store = store
        self.folder = store.data_dir / "families"
        self.folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(self.folder, 0o700)

    def all(self) -> list[Family]:
        found = [self.get(p.stem) for p in self.folder.glob("*.json")]
        return sorted((f for f in found if f), key=lambda f: (f.name.lower(), f.created_at))

    def get(self, family_id: str) -> Family | None:
        if not ID_PATTERN.fullmatch(family_id or ""):
            return None
        path = self.folder / f"{family_id}.json"
        if not path.is_file():
            return None
        return Family(**json.loads(path.read_text(encoding="utf-8")))

    def create(self, name: str, birth_date: date | None) -> Family:
        family = Family(
            id=secrets.token_hex(16),
            name=name,
            birth_date=birth_date.isoformat() if birth_date else None,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        write_private(self.folder / f"{family.id}.json", json.dumps(asdict(family)))
        return family

    def visits(self, family: Family) -> list[Upload]:
        """The family's uploads, oldest first."""
        return sorted(
            (u for u in self.store.all() if u.child == family.id), key=lambda u: u.uploaded_at
        )

    def report_path(self, family: Family, lang: str) -> Path:
        return self.store.folder / f"family-{family.id}.{lang}.html"

    def forget_reports(self, family_id: str) -> None:
        """Remove the family's cached reports (and remembered refusals)."""
        for made in self.store.folder.glob(f"family-{family_id}.*"):
            made.unlink(missing_ok=True)
        for made in self.store.folder.glob(f".family-{family_id}.*"):
            made.unlink(missing_ok=True)

    def delete(self, family: Family) -> int:
        """Delete the family, every visit's file and everything made from them; returns the
        number of recordings deleted."""
        visits = self.visits(family)
        for upload in visits:
            self.store.discard(upload)
        self.forget_reports(family.id)
        (self.folder / f"{family.id}.json").unlink(missing_ok=True)
        return len(visits)

    def apply(self, upload: Upload) -> None:
        """Take the upload form's choices: the turn rule, the privacy choice and the child (an
        existing family, or a new one from the name and birth date typed); refuses bad values
        with 400."""
        form = upload.form
        rule = form.get("rule") or "lena"
        if rule not in RULE_NAMES:
            raise _bad(f"the turn rule must be one of {', '.join(RULE_NAMES)}")
        privacy = form.get("privacy") or "words"
        if privacy not in PRIVACY:
            raise _bad("the privacy choice must be words or timing")
        upload.rule, upload.keep_text = rule, PRIVACY[privacy]
        chosen = form.get("child") or ""
        if chosen and chosen != "new":
            if self.get(chosen) is None:
                raise _bad("the chosen child is not known here; choose again")
            upload.child = chosen
            return
        name = clean(form.get("child_name") or "")
        born = form.get("birth_date") or ""
        birth = None
        if born:
            try:
                birth = date.fromisoformat(born)
            except ValueError:
                raise _bad("the birth date must be a date (YYYY-MM-DD)") from None
            if birth > datetime.now(UTC).date():
                raise _bad("the birth date is in the future")
        if name or birth:
            upload.child = self.create(name, birth).id


def clean(text: str) -> str:
    """A typed name: printable characters, spaces collapsed, at most ``NAME_LIMIT``."""
    text = re.sub(r"\s+", " ", "".join(ch for ch in text if ch.isprintable())).strip()
    return text[:NAME_LIMIT]


def _bad(message: str) -> UploadRejected:
    return UploadRejected(400, "Please check the form", message[:1].upper() + message[1:] + ".")
