"""Images officials upload (covers of the 手机报's articles): kept in the database, so every machine serves them."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime

from PIL import Image as Pillow
from PIL import ImageOps, UnidentifiedImageError
from sqlalchemy import ForeignKey, LargeBinary, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import audit
from .access import Actor
from .base import Base, utcnow
from .errors import Invalid

MAX_BYTES = 2 * 1024 * 1024
MIN_SIDE, MAX_SIDE = 50, 5000  # smaller is no cover; larger is a camera original nobody needs on a phone
# Pillow's format name -> (content type, file extension): what phones show without a plugin.
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
EXTENSIONS = {content_type: extension for content_type, extension in FORMATS.values()}
_SHA256 = re.compile(r"[0-9a-f]{64}")

NO_FILE = "请选择要上传的图片"
TOO_BIG = f"图片不能超过{MAX_BYTES // (1024 * 1024)}MB，请压缩后再上传"
NOT_AN_IMAGE = "只能上传 JPG、PNG 或 WebP 格式的图片"
BAD_SIZE = f"图片的宽和高应在{MIN_SIDE}到{MAX_SIDE}像素之间"


class Image(Base):
    """One uploaded image, stored once per content (sha256)."""

    __tablename__ = "images"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(30))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def inspect(data: bytes) -> tuple[str, int, int]:
    """Return (content type, width, height) of a real JPEG, PNG or WebP within the limits, or raise Invalid."""
    if not data:
        raise Invalid(NO_FILE, field="image")
    if len(data) > MAX_BYTES:
        raise Invalid(TOO_BIG, field="image")
    try:
        with Pillow.open(io.BytesIO(data)) as picture:
            kind, (width, height) = picture.format, picture.size
            picture.verify()  # the whole file is read: a truncated or forged one fails here
    # A huge canvas in a small file: Pillow refuses it, or warns (an error where warnings are) and the size check
    # below refuses it; nothing is decoded either way.
    except (Pillow.DecompressionBombError, Pillow.DecompressionBombWarning) as error:
        raise Invalid(BAD_SIZE, field="image") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:  # not an image, or a damaged one
        raise Invalid(NOT_AN_IMAGE, field="image") from error
    if kind not in FORMATS:
        raise Invalid(NOT_AN_IMAGE, field="image")
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise Invalid(BAD_SIZE, field="image")
    return FORMATS[kind][0], width, height


def upright_without_metadata(data: bytes) -> tuple[bytes, int, int]:
    """Re-encode an inspected picture turned as its camera meant, without EXIF, XMP or comments.

    A phone's photo carries where and when it was taken (EXIF GPS), which a 手机报 cover must not publish. The
    colour profile is kept. JPEG and WebP are re-encoded at quality 90, PNG losslessly.
    """
    with Pillow.open(io.BytesIO(data)) as picture:
        kind, profile = picture.format, picture.info.get("icc_profile")
        upright = ImageOps.exif_transpose(picture)
    out = io.BytesIO()
    options = {"optimize": True} if kind == "PNG" else {"quality": 90}
    upright.save(out, kind, icc_profile=profile, **options)
    return out.getvalue(), upright.width, upright.height


def store_image(session: Session, actor: Actor, data: bytes) -> Image:
    """Keep an uploaded image of the official's union, once per content: the same file again is the same image."""
    actor.require_write()
    content_type, _, _ = inspect(data)
    data, width, height = upright_without_metadata(data)
    digest = hashlib.sha256(data).hexdigest()
    image = image_by_hash(session, digest)
    if image is not None:
        return image
    image = Image(
        sha256=digest,
        content_type=content_type,
        width=width,
        height=height,
        data=data,
        union_id=actor.official.union_id,
        uploaded_by=actor.id,
    )
    session.add(image)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same file uploaded by someone else a moment ago: theirs is ours
        return session.scalars(select(Image).where(Image.sha256 == digest)).one()
    audit.record(
        session,
        actor=actor,
        action="upload",
        object_type="image",
        object_id=image.id,
        union_id=image.union_id,
        sha256=digest,
        bytes=len(data),
    )
    return image


def image_by_hash(session: Session, sha256: str) -> Image | None:
    """Return the image with this content hash, or None (also for anything that is not a hash)."""
    if not _SHA256.fullmatch(sha256):
        return None
    return session.scalars(select(Image).where(Image.sha256 == sha256)).first()
