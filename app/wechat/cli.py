"""flask wechat …: upload the menu, run the simulator of WeChat's API, chat as a worker."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .accounts import runtime
from .errors import WeChatError
from .menu import MENU


@click.group(cls=AppGroup)
def wechat() -> None:
    """WeChat tools."""


@wechat.command("sync-menu")
def sync_menu() -> None:
    """Upload the custom menu defined in app/wechat/menu.py to the service account."""
    try:
        runtime().api("mp").call("menu.create", MENU)
    except WeChatError as error:
        raise click.ClickException(f"菜单上传失败：{error}") from error
    click.echo(f"菜单已上传（{len(MENU['button'])} 个一级菜单）：{current_app.config['GONGHUI'].WECHAT_API_BASE_URL}")


@wechat.command("simulate-api")
@click.option("--port", default=5001, show_default=True, help="Port of the simulated api.weixin.qq.com.")
def simulate_api(port: int) -> None:
    """Serve a simulator of WeChat's API; point WECHAT_API_BASE_URL at it."""
    from .simulator import SimulatorServer

    server = SimulatorServer(port=port).start()
    click.echo(f"微信接口模拟器：{server.url}  （设置 WECHAT_API_BASE_URL={server.url}；Ctrl-C 停止）")
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
