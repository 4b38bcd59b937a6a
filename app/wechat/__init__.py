"""WeChat: inbound endpoints, the outbound client and the simulator of WeChat's servers."""
