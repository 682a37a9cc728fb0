"""kabar's web app: the REST API and the server-rendered pages over one store."""

from kabar.web.app import create_app
from kabar.web.library import ServeOptions

__all__ = ["ServeOptions", "create_app"]
