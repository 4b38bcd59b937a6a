"""The HTTP surface: create_app wires config, extensions, blueprints, errors and commands."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import INSTANCE, Config
from models import crypto
from models.masking import install_log_masking

from .extensions import db, redis_store
from .wechat import accounts as wechat_accounts

MAX_BODY = 64 * 1024  # WeChat messages and admin payloads are small; anything bigger is refused


def create_app(config: Config | None = None) -> Flask:
    """Build the Flask application from a Config (the environment's by default)."""
    config = config or Config.from_env()
    app = Flask(__name__, instance_path=str(INSTANCE))
    app.config.from_mapping(
        GONGHUI=config,
        SECRET_KEY=config.SECRET_KEY,
        TESTING=config.TESTING,
        API_TOKEN_HOURS=config.API_TOKEN_HOURS,
        MAX_CONTENT_LENGTH=MAX_BODY,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.production,
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    register_logging(app)
    register_extensions(app, config)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    if config.TRUSTED_PROXY_HOPS:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.TRUSTED_PROXY_HOPS, x_proto=config.TRUSTED_PROXY_HOPS)
    return app


def register_logging(app: Flask) -> None:
    """Log at INFO with phones and ID numbers masked in every record."""
    install_log_masking()
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s [%(name)s] %(message)s")


def register_extensions(app: Flask, config: Config) -> None:
    crypto.configure(config.DATA_KEY)
    db.init_app(app, config.DATABASE_URL)
    redis_store.init_app(app, config.REDIS_URL, config.REDIS_EMBEDDED_PATH)
    wechat_accounts.init_app(app, config)


class IdConverter(IntegerConverter):
    """A database id in a URL: 1 to 2**31-1, anything else is 404 (not an overflow)."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    from . import health, home
    from .admin import blueprint as admin_api
    from .api import blueprint as worker_api
    from .console import blueprint as console
    from .digest import blueprint as digest_pages
    from .wechat.views import blueprint as wechat

    app.register_blueprint(home.blueprint)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(admin_api)
    app.register_blueprint(worker_api)
    app.register_blueprint(wechat)
    app.register_blueprint(console)
    app.register_blueprint(digest_pages)


def register_errorhandlers(app: Flask) -> None:
    from .errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from .bot_cli import bot
    from .commands import seed
    from .knowledge_cli import knowledge
    from .wechat.cli import wechat

    app.cli.add_command(bot)
    app.cli.add_command(knowledge)
    app.cli.add_command(seed)
    app.cli.add_command(wechat)
