"""A simulator of WeChat's API servers (api.weixin.qq.com) for tests, benchmarks and newcomers.

    with SimulatorServer() as sim:  # sim.url replaces https://api.weixin.qq.com
        sim.state.record_interaction("o-user")  # or POST {sim.url}/sim/interaction

It answers on WeChat's paths with WeChat's JSON and errcodes, keeps its world in a SimulatorState (with an
injectable clock) and offers a control API under /sim/ to play users, inject faults and read what was sent.
With wechatpy, set API_BASE_URL to sim.url + "/cgi-bin/"; wechatpy hard-codes the token URL and gives
WeChatWxa its own base URL, so aim those at the simulator too.
"""

from __future__ import annotations

from .api import create_simulator
from .server import SimulatorServer
from .state import SimulatorState

__all__ = ["SimulatorServer", "SimulatorState", "create_simulator"]
