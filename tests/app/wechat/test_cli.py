"""flask wechat sync-menu uploads the menu defined in code."""

from __future__ import annotations

from app.wechat.menu import MENU
from config import DEV_DEFAULTS


def test_sync_menu_uploads_the_menu(wechat_app, simulator):
    result = wechat_app.test_cli_runner().invoke(args=["wechat", "sync-menu"])
    assert result.exit_code == 0, result.output
    assert "菜单已上传" in result.output
    assert simulator.state.menus[DEV_DEFAULTS["WECHAT_APPID"]] == MENU["button"]


def test_sync_menu_reports_wechat_refusing(wechat_app, simulator):
    simulator.state.set_faults(errcode=45009, error_rate=1.0)
    result = wechat_app.test_cli_runner().invoke(args=["wechat", "sync-menu"])
    assert result.exit_code == 1 and "菜单上传失败" in result.output
