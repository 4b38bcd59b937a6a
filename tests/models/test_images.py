"""Uploaded images: real JPEG, PNG or WebP only, within the limits, kept once per content."""

from __future__ import annotations

import io

import pytest
from PIL import Image as Pillow
from sqlalchemy import func, select

from models.audit import AuditEntry
from models.errors import Forbidden, Invalid
from models.images import MAX_BYTES, Image, image_by_hash, inspect, store_image


def picture(kind: str = "PNG", size: tuple[int, int] = (320, 136), color: str = "red") -> bytes:
    out = io.BytesIO()
    Pillow.new("RGB", size, color).save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_the_three_formats_phones_show_are_taken(kind, content_type):
    assert inspect(picture(kind)) == (content_type, 320, 136)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "请选择要上传的图片"),
        (b"%PDF-1.7 not a picture", "只能上传 JPG、PNG 或 WebP 格式的图片"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "只能上传 JPG、PNG 或 WebP"),
        (picture("GIF"), "只能上传 JPG、PNG 或 WebP 格式的图片"),
        (picture()[:60], "只能上传 JPG、PNG 或 WebP 格式的图片"),  # cut off
        (picture(size=(20, 20)), "图片的宽和高应在50到5000像素之间"),
        (picture(size=(6000, 60)), "图片的宽和高应在50到5000像素之间"),
        (b"\x89PNG" + b"\0" * MAX_BYTES, "图片不能超过2MB，请压缩后再上传"),
    ],
)
def test_anything_else_is_refused_in_chinese(data, message):
    with pytest.raises(Invalid) as refused:
        inspect(data)
    assert refused.value.message.startswith(message) and refused.value.detail["field"] == "image"


def test_a_huge_canvas_in_a_small_file_is_refused_without_decoding_it():
    out = io.BytesIO()
    Pillow.new("1", (12000, 12000)).save(out, "PNG")  # 144 megapixels in a few kilobytes
    with pytest.raises(Invalid, match="像素"):
        inspect(out.getvalue())


def test_the_same_file_is_kept_once_whoever_uploads_it(demo):
    data = picture()
    first = store_image(demo.session, demo.actor("xinxiang-admin"), data)
    again = store_image(demo.session, demo.actor("huojia"), data)
    assert again.id == first.id and first.union_id == demo.union("新乡市总工会").id
    assert (first.width, first.height, first.content_type, first.extension) == (320, 136, "image/png", "png")
    assert demo.session.scalar(select(func.count()).select_from(Image)) == 1
    assert image_by_hash(demo.session, first.sha256) is first
    assert image_by_hash(demo.session, "../etc/passwd") is None
    uploads = demo.session.scalars(select(AuditEntry).where(AuditEntry.action == "upload")).all()
    assert [entry.object_id for entry in uploads] == [str(first.id)]


def test_viewers_cannot_upload(demo):
    with pytest.raises(Forbidden):
        store_image(demo.session, demo.actor("xinxiang-viewer"), picture())


def test_where_a_photo_was_taken_is_not_kept_and_it_is_stored_upright(demo):
    exif = Pillow.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; the picture must be rotated 90° to be upright
    exif[0x8825] = {2: (35.0, 16.0, 12.0), 4: (113.0, 51.0, 30.0)}  # GPS: latitude, longitude (新乡)
    exif[0x010F] = "HUAWEI"
    for kind in ("JPEG", "PNG", "WEBP"):
        out = io.BytesIO()
        Pillow.new("RGB", (320, 136), "red").save(out, kind, exif=exif.tobytes())
        assert Pillow.open(io.BytesIO(out.getvalue())).getexif().get_ifd(0x8825)  # the upload has its GPS
        image = store_image(demo.session, demo.actor("xinxiang-admin"), out.getvalue())
        stored = Pillow.open(io.BytesIO(image.data))
        assert stored.format == kind and not stored.getexif() and "exif" not in stored.info
        assert stored.size == (image.width, image.height) == (136, 320)
