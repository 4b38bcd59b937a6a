"""Console pages: the articles of a 手机报 issue — add, edit (with a cover image upload), move, remove."""

from __future__ import annotations

from flask import flash, g, render_template, request, url_for
from pydantic import ValidationError

from models import digest_issues as issues
from models.digests import SECTIONS, Article, Digest
from models.errors import DomainError, Invalid
from models.images import MAX_BYTES, store_image

from ..admin.digest_schemas import ArticleIn
from ..extensions import db
from . import blueprint
from .web import FormInvalid, describe, done

LABELS = {"section": "栏目", "title": "标题", "summary": "摘要", "body": "正文", "link": "原文链接"}
FIELDS = ("section", "title", "summary", "body", "link")
# An article form carries a cover image: these requests, and only these, may be larger than MAX_BODY.
UPLOADS = {"console.add_article", "console.update_article"}
UPLOAD_LIMIT = 8 * 1024 * 1024  # above the image's own limit, so a too-large photo gets the Chinese message
KEEP = object()


@blueprint.before_app_request
def allow_image_uploads():
    """Raise the body limit for the article forms before anything reads the form (the CSRF check does)."""
    if request.endpoint in UPLOADS:
        request.max_content_length = UPLOAD_LIMIT


@blueprint.get("/digests/<id:digest_id>/articles/new")
def new_article(digest_id: int):
    """Show the form for a new article in a section."""
    digest = issues.issue_in_scope(db.session, g.actor, digest_id)
    section = request.args.get("section") if request.args.get("section") in SECTIONS else "union_news"
    return _form(digest, None, {"section": section, "cover": "default"})


@blueprint.post("/digests/<id:digest_id>/articles")
def add_article(digest_id: int):
    """Add the article at the end of its section; an approved issue goes back to draft."""
    try:
        fields = _fields()
        cover = _cover(fields["section"])
        article = issues.add_article(
            db.session, g.actor, digest_id, cover_url=None if cover is KEEP else cover, **fields
        )
    except DomainError as error:
        return _refill(error, digest_id, None)
    return done(f"已添加《{article.title}》。", "console.digest_page", digest_id=digest_id, _anchor=f"a{article.id}")


@blueprint.get("/digests/<id:digest_id>/articles/<id:article_id>")
def edit_article(digest_id: int, article_id: int):
    """Show an article's form, filled in."""
    article = issues.article_in_scope(db.session, g.actor, digest_id, article_id)
    values = {name: getattr(article, name) or "" for name in FIELDS}
    values["cover"] = "keep" if article.cover_url else "none"
    return _form(issues.issue_in_scope(db.session, g.actor, digest_id), article, values)


@blueprint.post("/digests/<id:digest_id>/articles/<id:article_id>")
def update_article(digest_id: int, article_id: int):
    """Save an article's changes (a new section moves it to that section's end)."""
    try:
        fields = _fields()
        cover = _cover(fields["section"])
        changes = fields if cover is KEEP else {**fields, "cover_url": cover}
        article = issues.update_article(db.session, g.actor, digest_id, article_id, **changes)
    except DomainError as error:
        return _refill(error, digest_id, article_id)
    return done(f"已保存《{article.title}》。", "console.digest_page", digest_id=digest_id, _anchor=f"a{article.id}")


@blueprint.post("/digests/<id:digest_id>/articles/<id:article_id>/move")
def move_article(digest_id: int, article_id: int):
    """Move an article one place up or down within its section."""
    article = issues.article_in_scope(db.session, g.actor, digest_id, article_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        raise Invalid("未知的移动方向")
    issues.update_article(db.session, g.actor, digest_id, article_id, position=max(1, article.position + step))
    return done(f"已移动《{article.title}》。", "console.digest_page", digest_id=digest_id, _anchor=f"a{article.id}")


@blueprint.post("/digests/<id:digest_id>/articles/<id:article_id>/remove")
def remove_article(digest_id: int, article_id: int):
    """Take an article out of the issue."""
    article = issues.article_in_scope(db.session, g.actor, digest_id, article_id)
    title, section = article.title, article.section
    issues.remove_article(db.session, g.actor, digest_id, article_id)
    return done(f"已删除《{title}》。", "console.digest_page", digest_id=digest_id, _anchor=f"s-{section}")


def _form(digest: Digest, article: Article | None, values) -> str:
    covers = {code: url_for("digest.static", filename=f"covers/{code}.svg") for code in SECTIONS}
    return render_template(
        "console/digests/article.html",
        digest=digest,
        article=article,
        values=values,
        sections=SECTIONS,
        covers=covers,
        max_mb=MAX_BYTES // (1024 * 1024),
    )


def _refill(error: DomainError, digest_id: int, article_id: int | None) -> tuple[str, int]:
    """Show a refused article again with what was typed and the reason, rather than lose a long text."""
    db.session.rollback()
    article = issues.article_in_scope(db.session, g.actor, digest_id, article_id) if article_id else None
    digest = issues.issue_in_scope(db.session, g.actor, digest_id)
    flash(error.message + ("（请重新选择图片）" if request.files.get("cover_file") else ""), "error")
    return _form(digest, article, request.form), 400


def _fields() -> dict:
    """Check the posted text fields with the admin API's schema; blank ones are empty, not absent."""
    # Browsers send a textarea's line breaks as CR LF; the text keeps plain LF.
    data = {name: request.form.get(name, "").replace("\r\n", "\n").replace("\r", "\n").strip() for name in FIELDS}
    data["link"] = data["link"] or None
    try:
        article = ArticleIn.model_validate(data)
    except ValidationError as error:
        raise FormInvalid(describe(error, LABELS)) from error
    return article.model_dump(include=set(FIELDS))


def _cover(section: str):
    """Return the cover the form asks for: an uploaded image, the section's default, none, or KEEP the current one."""
    upload = request.files.get("cover_file")
    if upload is not None and upload.filename:
        image = store_image(db.session, g.actor, upload.read(MAX_BYTES + 1))
        return url_for("digest.image", name=f"{image.sha256}.{image.extension}")
    choice = request.form.get("cover", "keep")
    if choice == "default":
        return url_for("digest.static", filename=f"covers/{section}.svg")
    return None if choice == "none" else KEEP
