"""The WSGI entry point: gunicorn wsgi:app, flask --app wsgi."""

import sys
import threading

from app import create_app
from bot.conversation import warm_up
from config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    sys.exit(f"Gonghui cannot start: {error}")

# jieba's dictionary and the classifier take a second or two: load them before the first message.
threading.Thread(target=warm_up, name="bot-warm-up", daemon=True).start()
