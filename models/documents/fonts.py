"""The CJK font of the PDFs: found on the server, cut down to a document's characters, as TrueType.

DOCUMENT_FONT (a .ttf, .otf or .ttc) overrides the lookup over Debian's paths. Noto Serif CJK
(fonts-noto-cjk) comes first: a Song (宋体) face as formal Chinese documents are set, covering
GB 18030. Its outlines are PostScript (CFF); fpdf2 writes such fonts as CIDFontType0 with an
encoding of its own that some readers do not understand (pypdf extracts garbage from them), so
each document gets a subset of the font converted to TrueType outlines: fpdf2 embeds that as the
common CIDFontType2 / Identity-H, which every reader handles. It is faster too (about 1 s).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from models.errors import DomainError

log = logging.getLogger(__name__)

ENV_VAR = "DOCUMENT_FONT"

CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",  # Debian, Ubuntu: fonts-noto-cjk
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",  # Fedora, Arch
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)

# Some ideographs every document prints: a font without them is not a Chinese font.
PROBE = "工会劳动法律监督意见书"


class FontMissing(DomainError):
    """No usable Chinese font on this server: PDFs cannot be made, Word documents can."""

    code = "font_missing"
    message = "服务器未安装中文字体，暂时无法生成PDF，请下载Word版"


@dataclass(frozen=True)
class CjkFont:
    """A font file and, for a collection (.ttc), the index of its Simplified Chinese face."""

    path: Path
    index: int = 0


def find_font() -> CjkFont:
    """The font for PDFs; FontMissing if DOCUMENT_FONT names an unusable file or no known font is installed."""
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        index = _chinese_face(override) if Path(override).is_file() else None
        if index is None:
            log.error("%s=%s: no such file, or not a font with Chinese characters", ENV_VAR, override)
            raise FontMissing()
        return CjkFont(Path(override), index)
    for path in CANDIDATES:
        index = _chinese_face(path) if Path(path).is_file() else None
        if index is not None:
            return CjkFont(Path(path), index)
    log.error("no CJK font: install Debian's fonts-noto-cjk or set %s", ENV_VAR)
    raise FontMissing()


@lru_cache(maxsize=16)
def _chinese_face(path: str) -> int | None:
    """The index of the face to use (the SC/CN one of a collection); None if the file has no Chinese."""
    from fontTools.ttLib import TTCollection, TTFont

    try:
        with open(path, "rb") as file:
            collection = file.read(4) == b"ttcf"
            file.seek(0)
            faces = TTCollection(file, lazy=True).fonts if collection else [TTFont(file, lazy=True)]
            # The mainland face of a pan-CJK collection first (Noto "… SC", AR PL "… CN"): cmaps are slow to read.
            mainland = [str(face["name"].getDebugName(1) or "").endswith((" SC", " CN", " GB")) for face in faces]
            for index in sorted(range(len(faces)), key=lambda i: not mainland[i]):
                cmap = faces[index].getBestCmap() or {}
                if all(ord(c) in cmap for c in PROBE) and ("glyf" in faces[index] or "CFF " in faces[index]):
                    return index
    except Exception as error:  # a broken font file is as good as none
        log.error("%s: cannot read the font: %s", path, error)
    return None


def truetype_subset(font: CjkFont, text: str) -> bytes:
    """The font cut down to the characters of text, with TrueType outlines, as the bytes of a .ttf."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(notdef_outline=True, recommended_glyphs=True, layout_features=[], hinting=False)
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in text})
    data = BytesIO()
    with TTFont(str(font.path), fontNumber=font.index, lazy=True, recalcBBoxes=False, recalcTimestamp=False) as face:
        subsetter.subset(face)
        if "CFF " in face:
            _to_truetype_outlines(face)
        face.recalcBBoxes = True  # of the few glyphs left
        face.save(data)
    return data.getvalue()


def _to_truetype_outlines(face) -> None:
    """Replace the cubic CFF outlines by quadratic glyf ones (fontTools' otf2ttf, within 1/1000 em)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = face.getGlyphOrder()
    outlines = face.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        outlines[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    face["glyf"] = glyf
    face["loca"] = newTable("loca")
    del face["CFF "]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    face["maxp"] = maxp
    face["post"].formatType = 3.0  # no glyph names: CID-keyed fonts have none worth keeping
    face.sfntVersion = "\0\1\0\0"
