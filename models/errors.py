"""Domain errors: the API and the bot each translate them for their audience."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation."""

    code = "domain_error"
    # Chinese text safe to show to a worker or an official.
    message = "操作未能完成"

    def __init__(self, message: str | None = None, **detail):
        self.message = message or self.message
        self.detail = detail
        super().__init__(self.message)


class NotFound(DomainError):
    """The object does not exist, or is outside the actor's scope."""

    code = "not_found"
    message = "未找到该记录"


class Forbidden(DomainError):
    """The actor's role does not allow the operation."""

    code = "forbidden"
    message = "您没有权限执行此操作"


class Invalid(DomainError):
    """A value breaks a rule of the domain."""

    code = "invalid"
    message = "提交的信息有误"


class Conflict(DomainError):
    """The operation clashes with existing data."""

    code = "conflict"
    message = "该记录已存在"


class AuthFailed(DomainError):
    """Wrong credentials or an expired token."""

    code = "auth_failed"
    message = "用户名或密码错误"


class AccountLocked(DomainError):
    """Too many failed logins; the account is locked for a while."""

    code = "account_locked"
    message = "登录失败次数过多，账号已临时锁定，请稍后再试"
