"""The web dashboard (``attunement serve``): upload and report, corpus browser, simulation.

``create_app(data_dir, corpus=..., max_upload_bytes=...)`` builds the FastAPI application; it
holds no science and calls the readers, measures, simulators and report builders below it.
"""

from attunement.web.app import create_app

__all__ = ["create_app"]
