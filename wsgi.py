"""The WSGI entry point: gunicorn wsgi:app, flask --app wsgi."""

import sys

from app import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    sys.exit(f"Gonghui cannot start: {error}")
