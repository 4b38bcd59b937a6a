"""Errors as JSON: an English error.code for programs, a Chinese message for people."""

from __future__ import annotations

from flask import Flask, current_app
from pydantic import ValidationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from models.documents import FontMissing
from models.errors import AccountLocked, AuthFailed, Conflict, DomainError, Forbidden, Invalid, NotFound

STATUS = {
    NotFound: 404,
    Forbidden: 403,
    Invalid: 400,
    Conflict: 409,
    AuthFailed: 401,
    AccountLocked: 423,
    FontMissing: 503,  # the server lacks a CJK font: the Word version still works
}

HTTP_MESSAGES = {
    400: "请求格式有误",
    401: "请先登录",
    403: "您没有权限执行此操作",
    404: "未找到该页面或记录",
    405: "不支持该请求方式",
    413: "提交的内容过大",
    415: "请以 JSON 格式提交",
    429: "请求过于频繁，请稍后再试",
}


def error_body(code: str, message: str, **extra) -> dict:
    """Build the error document every endpoint answers with."""
    return {"error": {"code": code, "message": message, **extra}}


def _domain_error(exc: DomainError):
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
    return error_body(exc.code, exc.message, **exc.detail), status


def _validation_error(exc: ValidationError):
    fields = [
        {"field": ".".join(str(p) for p in e["loc"]), "problem": e["type"], "detail": e["msg"]} for e in exc.errors()
    ]
    return error_body("invalid_payload", "提交的信息不完整或格式有误", fields=fields), 400


def _http_error(exc: HTTPException):
    code = (exc.name or "error").lower().replace(" ", "_")
    return error_body(code, HTTP_MESSAGES.get(exc.code or 500, "请求未能完成")), exc.code


def _unavailable(exc: Exception):
    current_app.logger.error("backing service unavailable: %s", exc)
    return error_body("service_unavailable", "服务暂时不可用，请稍后再试"), 503


def _unexpected(exc: Exception):
    current_app.logger.exception("unhandled error")
    return error_body("internal_error", "服务暂时不可用，请稍后再试"), 500


def register_errorhandlers(app: Flask) -> None:
    """Answer every error with the JSON error document."""
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(ValidationError, _validation_error)
    app.register_error_handler(HTTPException, _http_error)
    for outage in (OperationalError, RedisConnectionError, RedisTimeoutError):
        app.register_error_handler(outage, _unavailable)
    app.register_error_handler(Exception, _unexpected)
