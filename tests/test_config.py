"""Configuration comes from the environment; production refuses development secrets."""

from __future__ import annotations

import pytest

from config import DEV_DEFAULTS, SECRETS, Config, ConfigError

PRODUCTION = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgresql+psycopg://gonghui@db/gonghui",
    "REDIS_URL": "redis://redis:6379/0",
    "PUBLIC_BASE_URL": "https://gonghui.example.cn",
    **{name: f"real-{name.lower()}" for name in SECRETS},
}


def test_development_starts_with_defaults():
    config = Config.from_env({})
    assert DEV_DEFAULTS["SECRET_KEY"] == config.SECRET_KEY and config.DATABASE_URL.startswith("sqlite:///")


def test_values_come_from_the_environment():
    config = Config.from_env({"WECHAT_APPID": "wx123", "API_TOKEN_HOURS": "3"})
    assert (config.WECHAT_APPID, config.API_TOKEN_HOURS) == ("wx123", 3)


def test_production_with_every_setting_starts():
    assert Config.from_env(PRODUCTION).production


@pytest.mark.parametrize("missing", [*SECRETS, "DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL"])
def test_production_stops_when_a_setting_is_missing(missing):
    environ = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        Config.from_env(environ)


@pytest.mark.parametrize(
    "setting",
    [{"DIGEST_PUBLISH_DAY": "8"}, {"DIGEST_PUBLISH_TIME": "18:60"}, {"PUBLIC_BASE_URL": "gonghui.example.cn"}],
)
def test_digest_schedule_and_public_address_must_make_sense(setting):
    with pytest.raises(ConfigError, match=next(iter(setting))):
        Config.from_env(setting)
    assert Config.from_env({"DIGEST_PUBLISH_DAY": "1", "DIGEST_PUBLISH_TIME": "07:30"}).DIGEST_PUBLISH_DAY == 1
