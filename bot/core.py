"""The bot's core: handlers registered by decorator, one reply per incoming message."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .messages import Incoming, Reply, TextReply
from .state import StateStore
from .texts import HELP

log = logging.getLogger(__name__)

FALLBACK = TextReply("抱歉，系统开小差了，刚才的消息没有办成，请稍后再试。\n\n" + HELP)

Handler = Callable[[Incoming, "Context"], Reply | None]


@dataclass
class Context:
    """What a handler may use: the database session of this message, the dialogue store, the message itself."""

    session: Session
    store: StateStore | None = None
    incoming: Incoming | None = None  # set by Bot.reply: a dialogue's choices may depend on who asks


class Bot:
    """Dispatch a message to the handler registered for its kind or event."""

    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str | None], Handler] = {}

    def on(self, kind: str, event: str | None = None) -> Callable[[Handler], Handler]:
        """Register a handler for a kind of message, or for one event."""

        def register(handler: Handler) -> Handler:
            self._handlers[(kind, event)] = handler
            return handler

        return register

    def reply(self, incoming: Incoming, context: Context) -> Reply | None:
        """Return the answer to a message; a failing handler is logged and answered with a fallback."""
        handler = self._handlers.get((incoming.kind, incoming.event)) or self._handlers.get((incoming.kind, None))
        if handler is None:
            handler = self._handlers.get(("*", None))
        if handler is None:
            return None
        context.incoming = incoming
        try:
            return handler(incoming, context)
        except Exception:
            context.session.rollback()
            log.exception("handler for %s/%s failed for %s", incoming.kind, incoming.event, incoming.openid)
            return FALLBACK
