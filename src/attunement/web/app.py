"""The dashboard application: ``create_app(data_dir, ...)`` wires pages, uploads, the corpus
browser and the simulation to one FastAPI app. It holds no science: every number comes from
the layers below (readers, measures, simulate, corpus, report).

Errors: every ``AttunementError`` is one page saying what was wrong: a refused upload has its
own status (see ``attunement.web.uploads``), a ``ReadError`` or ``DataError`` is 422, a
``ParameterError`` 400, a corpus store that cannot be opened 503 ("try again" while it is being
written); unknown pages and ids are 404; bad query values are 400. Anything else is logged with
its traceback and answered with a plain 500 page that shows no internals.

Nothing is analysed in the server's process: reading an upload, its headline figures, its
report and the simulation run in worker processes within time and memory limits
(``attunement.web.workers``), and what they make is kept on disk (the report beside the upload,
the simulation in ``<data_dir>/cache``). Access rules (host names, token, cross-site requests)
are ``attunement.web.guard``'s; size, time and concurrency limits are ``ServerLimits``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from attunement.errors import AttunementError, DataError, ReadError, StoreBusy, StoreError
from attunement.io.registry import extensions
from attunement.web import corpus as corpus_pages
from attunement.web import outcome as simulation
from attunement.web.families import Families
from attunement.web.guard import Guard
from attunement.web.limits import ServerLimits
from attunement.web.pages import Pages, rule_meanings, size_text, trusted_svg
from attunement.web.uploads import Upload, UploadRejected, UploadStore
from attunement.web.workers import Workers

log = logging.getLogger("attunement.web")

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-src 'self'; form-action 'self'; base-uri 'none'"
)
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
Slider = Annotated[float, Query(ge=0.0, le=1.0)]
ReportView = Annotated[str, Query(pattern="^(research|coach)$")]
Lang = Annotated[str, Query(pattern="^(en|es)$")]
MAX_PAGE = 1_000_000  # corpus pages of 100 recordings; beyond the last page shows the last
ANALYSES = {  # what the workers run, by name: the server never imports the science
    "measure": "attunement.web.reports:measure",
    "report": "attunement.web.reports:write_report",
    "simulate": "attunement.web.simulation:write_outcome",
    "family": "attunement.web.reports:write_family_report",
    "corpus": "attunement.web.reports:write_corpus_report",
}


def create_app(
    data_dir: str | Path,
    *,
    corpus: str | Path | None = None,
    limits: ServerLimits | None = None,
    hosts: Iterable[str] = (),
    token: str | None = None,
) -> FastAPI:
    """The dashboard. ``data_dir``: private folder for uploads, reports and caches (created
    with mode 0700); ``corpus``: a corpus store to browse (opened read-only per request), or
    None; ``limits``: sizes, times and concurrency (``ServerLimits``' defaults when None);
    ``hosts``: host names answered besides the loopback ones; ``token``: the access token every
    request must carry, or None (see ``attunement.web.guard``)."""
    limits = limits or ServerLimits()
    store = UploadStore(data_dir, limits)
    families = Families(store)
    cache = store.data_dir / "cache"
    cache.mkdir(mode=0o700, exist_ok=True)
    os.chmod(cache, 0o700)
    workers = Workers(limits)
    corpus_path = Path(corpus) if corpus is not None else None
    pages = Pages()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        workers.close()

    app = FastAPI(
        title="attunement", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.uploads = store
    app.state.workers = workers
    app.state.corpus = corpus_path
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.add_middleware(Guard, hosts=hosts, token=token)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
        return pages.render(request, "error.html", status, title=title, message=message)

    @app.exception_handler(AttunementError)
    async def refused(request: Request, exc: AttunementError):
        if isinstance(exc, UploadRejected):
            response = error_page(request, exc.status, exc.title, exc.message)
            response.headers.update(exc.headers)
            return response
        if isinstance(exc, StoreError):
            title = "The corpus is being written" if isinstance(exc, StoreBusy) else "Corpus error"
            response = error_page(request, 503, title, str(exc))
            response.headers["Retry-After"] = "30"
            return response
        log.info("refused: %s", exc)
        if isinstance(exc, ReadError):  # the message without the (private) path
            where = "" if exc.line is None else f"line {exc.line}: "
            return error_page(request, 422, "The file could not be read", where + exc.problem)
        if isinstance(exc, DataError):
            return error_page(request, 422, "The data cannot support this", str(exc))
        return error_page(request, 400, "Bad parameters", str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        titles = {404: "Not found", 405: "Method not allowed"}
        title = titles.get(exc.status_code, "Error")
        return error_page(request, exc.status_code, title, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()
        )
        return error_page(request, 400, "Bad parameters", problems)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_page(
            request,
            500,
            "Something went wrong",
            "The server hit an unexpected error; it has been logged. Please report it.",
        )

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request):
        return pages.render(
            request,
            "home.html",
            uploads=len(store.all()),
            corpus=corpus_path is not None,
        )

    @app.get("/upload", response_class=HTMLResponse)
    def upload_form(request: Request):
        return pages.render(
            request,
            "upload.html",
            extensions=sorted(extensions()),
            limit=size_text(store.max_bytes),
            families=families.all(),
            rules=rule_meanings(),
            data_dir=store.data_dir,
        )

    receiving = _Slots(limits.max_uploads)

    @app.post("/upload")
    async def upload(request: Request):
        with receiving.taken():
            try:
                received = await store.receive(
                    request.headers.get("content-type", ""),
                    request.headers.get("content-length"),
                    request.stream(),
                    request.state.csrf,
                )
            except UploadRejected as exc:  # the rest of the body may be unread: close
                exc.headers.setdefault("Connection", "close")
                raise
            try:
                families.apply(received)
            except UploadRejected:
                store.discard(received)
                raise
            try:
                received.recordings = await workers.run(
                    ANALYSES["measure"], store, received, about=received.original_name
                )
            except UploadRejected:
                store.discard(received)
                raise
        store.save(received)
        families.forget_reports(received.child)
        return RedirectResponse(f"/recordings/{received.id}", status_code=303)

    @app.get("/recordings", response_class=HTMLResponse)
    def recordings(request: Request):
        return pages.render(request, "recordings.html", uploads=store.all())

    def find(upload_id: str) -> Upload:
        found = store.get(upload_id)
        if found is None:
            raise HTTPException(404, "No uploaded recording has this id.")
        return found

    @app.get("/recordings/{upload_id}", response_class=HTMLResponse)
    def recording(request: Request, upload_id: str):
        found = find(upload_id)
        return pages.render(
            request, "recording.html", upload=found, family=families.get(found.child)
        )

    async def confirmed(request: Request) -> None:
        """A state-changing form must carry this session's form token (403 otherwise)."""
        form = await request.form(max_files=0, max_fields=4, max_part_size=1024)
        token = str(form.get("csrf") or "")
        if not hmac.compare_digest(token.encode(), request.state.csrf.encode()):
            raise UploadRejected(
                403,
                "Refused",
                "This request did not come from this dashboard's own page (its form token is "
                "missing or out of date). Open the page again and confirm from there.",
            )

    @app.get("/recordings/{upload_id}/delete", response_class=HTMLResponse)
    def confirm_delete(request: Request, upload_id: str):
        found = find(upload_id)
        return pages.render(
            request,
            "delete.html",
            what=found.original_name,
            count=1,
            action=f"/recordings/{found.id}/delete",
            back=f"/recordings/{found.id}",
        )

    @app.post("/recordings/{upload_id}/delete")
    async def delete_recording(request: Request, upload_id: str):
        found = find(upload_id)
        await confirmed(request)
        store.discard(found)
        families.forget_reports(found.child)
        log.info("deleted upload %s", found.id)
        target = f"/families/{found.child}" if families.get(found.child) else "/recordings"
        return RedirectResponse(target, status_code=303)

    def find_family(family_id: str):
        found = families.get(family_id)
        if found is None:
            raise HTTPException(404, "No family has this id.")
        return found

    @app.get("/families", response_class=HTMLResponse)
    def family_list(request: Request):
        listed = [(f, len(families.visits(f))) for f in families.all()]
        return pages.render(request, "families.html", families=listed)

    @app.get("/families/{family_id}", response_class=HTMLResponse)
    def family_page(request: Request, family_id: str, lang: Lang = "en"):
        found = find_family(family_id)
        return pages.render(
            request, "family.html", family=found, visits=families.visits(found), lang=lang
        )

    @app.get("/families/{family_id}/report", response_class=HTMLResponse)
    async def family_report(family_id: str, lang: Lang = "en"):
        found = find_family(family_id)
        visits = families.visits(found)
        if not visits:
            raise HTTPException(404, "This family has no recordings yet.")
        target = families.report_path(found, lang)
        await workers.make(
            target,
            ANALYSES["family"],
            store,
            visits,
            found.name,
            found.born,
            lang,
            target,
            about=found.name or "the family's recordings",
        )
        return FileResponse(
            target,
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": REPORT_POLICY},
        )

    @app.get("/families/{family_id}/delete", response_class=HTMLResponse)
    def confirm_family_delete(request: Request, family_id: str):
        found = find_family(family_id)
        return pages.render(
            request,
            "delete.html",
            what=found.name or "this family",
            count=len(families.visits(found)),
            action=f"/families/{found.id}/delete",
            back=f"/families/{found.id}",
        )

    @app.post("/families/{family_id}/delete")
    async def delete_family(request: Request, family_id: str):
        found = find_family(family_id)
        await confirmed(request)
        n = families.delete(found)
        log.info("deleted family %s and %d recording(s)", found.id, n)
        return RedirectResponse("/families", status_code=303)

    @app.get("/recordings/{upload_id}/report/{index}", response_class=HTMLResponse)
    async def report(upload_id: str, index: int, view: ReportView = "research"):
        found = find(upload_id)
        if not 0 <= index < len(found.recordings):
            raise HTTPException(404, "This upload has no recording with that number.")
        target = store.folder / f"{found.id}.{index}.{view}.report.html"
        await workers.make(
            target,
            ANALYSES["report"],
            store,
            found,
            index,
            view == "coach",
            target,
            about=found.original_name,
        )
        return FileResponse(
            target,
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": REPORT_POLICY},
        )

    @app.get("/corpus", response_class=HTMLResponse)
    def corpus_home(
        request: Request,
        page: Annotated[int, Query(ge=0, le=MAX_PAGE)] = 0,
        sort: Annotated[str, Query(max_length=64)] = "recording_id",
        order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
    ):
        view = (
            corpus_pages.overview(corpus_path, page, sort, order == "desc") if corpus_path else None
        )
        return pages.render(request, "corpus.html", view=view, store=corpus_path)

    @app.get("/corpus/recordings/{recording_id}/report", response_class=HTMLResponse)
    async def corpus_report(recording_id: str):
        if corpus_path is None:
            raise HTTPException(404, "No corpus store is open; start with --corpus STORE.")
        if corpus_pages.recording(corpus_path, recording_id) is None:
            raise HTTPException(404, "The corpus has no recording with this id.")
        digest = hashlib.sha256(recording_id.encode()).hexdigest()[:32]
        target = cache / f"corpus-{digest}.report.html"
        if target.is_file() and target.stat().st_mtime < corpus_path.stat().st_mtime:
            target.unlink()  # the store changed since: make it again
        await workers.make(
            target, ANALYSES["corpus"], corpus_path, recording_id, target, about=recording_id
        )
        return FileResponse(
            target,
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": REPORT_POLICY},
        )

    @app.get("/corpus/recordings/{recording_id}", response_class=HTMLResponse)
    def corpus_recording(request: Request, recording_id: str):
        if corpus_path is None:
            raise HTTPException(404, "No corpus store is open; start with --corpus STORE.")
        view = corpus_pages.recording(corpus_path, recording_id)
        if view is None:
            raise HTTPException(404, "The corpus has no recording with this id.")
        return pages.render(request, "corpus_recording.html", view=view)

    async def outcome_context(responsiveness: float, repair: float) -> dict:
        r, p = simulation.snap(responsiveness), simulation.snap(repair)
        target = cache / f"simulate-{r:.2f}-{p:.2f}.json"
        await workers.make(target, ANALYSES["simulate"], r, p, target, about="the simulation")
        result = simulation.load(target)
        return {
            "result": result,
            "turns_svg": trusted_svg(result.turns_svg),
            "repair_svg": trusted_svg(result.repair_svg),
            "development_svg": trusted_svg(result.development_svg),
        }

    @app.get("/simulate", response_class=HTMLResponse)
    async def simulate_page(request: Request, responsiveness: Slider = 0.6, repair: Slider = 0.6):
        context = await outcome_context(responsiveness, repair)
        return pages.render(request, "simulate.html", step=simulation.SLIDER_STEP, **context)

    @app.get("/simulate/plots", response_class=HTMLResponse)
    async def simulate_plots(request: Request, responsiveness: Slider = 0.6, repair: Slider = 0.6):
        context = await outcome_context(responsiveness, repair)
        return pages.render(request, "simulate_outcome.html", **context)

    @app.get("/favicon.ico")
    def favicon():
        return Response(status_code=204)

    return app


class _Slots:
    """At most ``n`` holders at once; ``taken()`` beyond that is a 503 with ``Retry-After``."""

    def __init__(self, n: int):
        self.n = n
        self.held = 0
        self._lock = threading.Lock()

    @contextmanager
    def taken(self) -> Iterator[None]:
        with self._lock:
            if self.held >= self.n:
                raise UploadRejected(
                    503,
                    "Too many uploads at once",
                    f"{self.n} uploads are being received or measured; try again in a few seconds.",
                    headers={"Retry-After": "10", "Connection": "close"},
                )
            self.held += 1
        try:
            yield
        finally:
            with self._lock:
                self.held -= 1
