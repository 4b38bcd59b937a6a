"""flask wechat …: upload the menu, run the simulator of WeChat's API, chat as a worker."""

from __future__ import annotations

import sys

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


@wechat.command("chat")
@click.option("--openid", required=True, help="The worker's openid.")
@click.option("--aes", "mode", flag_value="aes", help="Safe mode: encrypt pushes and replies.")
@click.option("--compat", "mode", flag_value="compat", help="Compatible mode: plaintext and encrypted.")
@click.option("--url", default="http://127.0.0.1:5000/wechat", show_default=True, help="Our endpoint.")
@click.option("--simulator-url", help="The API simulator, e.g. http://127.0.0.1:5001, for customer-service messages.")
def chat(openid: str, mode: str | None, url: str, simulator_url: str | None) -> None:
    """Chat with the bot in the terminal as a worker, this command playing WeChat's servers."""
    from .simulator.chat import Chat
    from .simulator.pusher import Pusher

    config = current_app.config["GONGHUI"]
    pusher = Pusher(config.WECHAT_TOKEN, config.WECHAT_APPID, config.WECHAT_AES_KEY, mode or "raw")
    # Piped input is not echoed by a terminal; the chat echoes it so the transcript shows both sides.
    Chat(pusher, openid, url, simulator_url).run(sys.stdin, sys.stdout, echo=not sys.stdin.isatty())
