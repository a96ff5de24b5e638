"""The dashboard application: ``create_app(data_dir, ...)`` wires pages, uploads, the corpus
browser and the simulation to one FastAPI app. It holds no science: every number comes from
the layers below (readers, measures, simulate, corpus, report).

Errors: every ``AttunementError`` is one page saying what was wrong: a refused upload has its
own status (see ``attunement.web.uploads``), a ``ReadError`` or ``DataError`` is 422, a
``ParameterError`` 400, a corpus store that cannot be opened 503 ("try again" while it is being
written); unknown pages and ids are 404; bad query values are 400. Anything else is logged with
its traceback and answered with a plain 500 page that shows no internals.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from attunement.errors import AttunementError, DataError, ReadError, StoreBusy, StoreError
from attunement.io.registry import extensions
from attunement.web import corpus as corpus_pages
from attunement.web import reports, simulation
from attunement.web.pages import Pages, trusted_svg
from attunement.web.uploads import DEFAULT_MAX_BYTES, Upload, UploadRejected, UploadStore

log = logging.getLogger("attunement.web")

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-src 'self'; form-action 'self'; base-uri 'none'"
)
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
Slider = Annotated[float, Query(ge=0.0, le=1.0)]
ReportView = Annotated[str, Query(pattern="^(research|coach)$")]


def create_app(
    data_dir: str | Path,
    *,
    corpus: str | Path | None = None,
    max_upload_bytes: int = DEFAULT_MAX_BYTES,
) -> FastAPI:
    """The dashboard. ``data_dir``: private folder for uploads (created with mode 0700);
    ``corpus``: a corpus store to browse (opened read-only per request), or None;
    ``max_upload_bytes``: the largest file accepted (413 beyond it)."""
    store = UploadStore(data_dir, max_upload_bytes)
    corpus_path = Path(corpus) if corpus is not None else None
    pages = Pages()
    app = FastAPI(title="attunement", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.uploads = store
    app.state.corpus = corpus_path
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
        return pages.render(request, "error.html", status, title=title, message=message)

    @app.exception_handler(AttunementError)
    async def refused(request: Request, exc: AttunementError):
        if isinstance(exc, UploadRejected):
            return error_page(request, exc.status, exc.title, exc.message)
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
            limit=store.max_bytes,
        )

    @app.post("/upload")
    async def upload(request: Request):
        received = await store.receive(
            request.headers.get("content-type", ""),
            request.headers.get("content-length"),
            request.stream(),
        )
        try:
            await run_in_threadpool(_measure, store, received)
        except UploadRejected:
            store.discard(received)
            raise
        store.save(received)
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
        return pages.render(request, "recording.html", upload=found)

    @app.get("/recordings/{upload_id}/report/{index}", response_class=HTMLResponse)
    def report(
        upload_id: str,
        index: int,
        view: Annotated[str, Query(pattern="^(research|coach)$")] = "research",
    ):
        found = find(upload_id)
        if not 0 <= index < len(found.recordings):
            raise HTTPException(404, "This upload has no recording with that number.")
        rec = store.read(found)[index]
        cache = store.folder / f"{found.id}.{index}.{view}.report.html"

        text = reports.report_html(rec, cache, coach_view=view == "coach")
        return HTMLResponse(text, headers={"Content-Security-Policy": REPORT_POLICY})

    @app.get("/corpus", response_class=HTMLResponse)
    def corpus_home(request: Request, page: Annotated[int, Query(ge=0)] = 0):
        view = corpus_pages.overview(corpus_path, page) if corpus_path else None
        return pages.render(request, "corpus.html", view=view, store=corpus_path)

    @app.get("/corpus/recordings/{recording_id}", response_class=HTMLResponse)
    def corpus_recording(request: Request, recording_id: str):
        if corpus_path is None:
            raise HTTPException(404, "No corpus store is open; start with --corpus STORE.")
        view = corpus_pages.recording(corpus_path, recording_id)
        if view is None:
            raise HTTPException(404, "The corpus has no recording with this id.")
        return pages.render(request, "corpus_recording.html", view=view)

    def outcome_context(responsiveness: float, repair: float) -> dict:
        result = simulation.outcome(simulation.snap(responsiveness), simulation.snap(repair))
        return {
            "result": result,
            "turns_svg": trusted_svg(result.turns_svg),
            "repair_svg": trusted_svg(result.repair_svg),
            "development_svg": trusted_svg(result.development_svg),
        }

    @app.get("/simulate", response_class=HTMLResponse)
    def simulate_page(request: Request, responsiveness: Slider = 0.6, repair: Slider = 0.6):
        context = outcome_context(responsiveness, repair)
        return pages.render(request, "simulate.html", step=simulation.SLIDER_STEP, **context)

    @app.get("/simulate/plots", response_class=HTMLResponse)
    def simulate_plots(request: Request, responsiveness: Slider = 0.6, repair: Slider = 0.6):
        context = outcome_context(responsiveness, repair)
        return pages.render(request, "simulate_outcome.html", **context)

    @app.get("/favicon.ico")
    def favicon():
        return Response(status_code=204)

    return app


def _measure(store: UploadStore, upload: Upload) -> None:
    """Read the stored upload and keep each recording's headline figures in its metadata."""
    recordings = store.read(upload)
    try:
        upload.recordings = [reports.headline(rec) for rec in recordings]
    except Exception as exc:  # a measure failing on odd content is the file's problem here
        log.exception("turns failed on upload %s", upload.id)
        raise UploadRejected(
            422,
            "The file could not be measured",
            f"{upload.original_name}: read, but the turn measures failed "
            f"({type(exc).__name__}); please report this file.",
        ) from None
