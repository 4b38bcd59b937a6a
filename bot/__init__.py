"""The conversation engine: understand a worker's text, run a dialogue, return a reply.

No Flask and no HTTP here; the WeChat endpoints in app/ are only adapters.
"""
