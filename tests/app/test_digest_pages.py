"""The 手机报 on the web: the archive and each issue, readable on a phone, escaped, cached, 404 in Chinese."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image as Pillow
from sqlalchemy import select

from models import digest_issues as issues
from models.digest_publishing import publish_due
from models.digests import Digest
from models.images import store_image

ADMIN = "xinxiang-admin"


def number(demo, n: int) -> Digest:
    demo.session.expire_all()
    return demo.session.scalars(select(Digest).where(Digest.number == n)).one()


def test_the_archive_lists_published_issues_newest_first_with_headlines(client, demo):
    response = client.get("/digest")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<h1>新乡工会手机报</h1>" in html and "共2期" in html
    assert html.index('href="/digest/31"') < html.index('href="/digest/30"')
    assert "<li>新乡工会重点创新案例发布（2024年第3期）</li>" in html
    assert "/digest/32" not in html  # still a draft
    assert client.get("/digest/").status_code == 200


def test_an_issue_shows_its_five_sections_in_order_with_anchored_articles(client, demo):
    html = client.get("/digest/31").get_data(as_text=True)
    digest = number(demo, 31)
    assert f"<title>{digest.title}</title>" in html
    labels = [f'<section id="{code}">\n<h2>{label}</h2>' for code, label in issues.SECTIONS.items()]
    positions = [html.index(label) for label in labels]
    assert positions == sorted(positions)
    for article in digest.articles:
        anchor = f"{article.section}-{article.position}"
        assert f'<article id="{anchor}">' in html and f'href="#{anchor}"' in html
        assert article.title in html
    assert '<img class="cover" src="/digest/static/covers/rights.svg"' in html
    assert "为职工挽回资金107.92万元。</p>" in html
    assert '<a href="/digest/30">‹ 第30期</a>' in html and "第32期 ›" not in html


def test_pages_load_nothing_from_outside_and_run_no_script(client, demo):
    response = client.get("/digest/30")
    html = response.get_data(as_text=True)
    assert "<script" not in html and "<link" not in html
    assert all(src.startswith("/digest/static/") for src in re.findall(r'src="([^"]+)"', html))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "style-src 'sha256-" in policy and "script-src" not in policy
    with client.get("/digest/static/covers/union_news.svg") as cover:
        assert cover.status_code == 200 and "工会要闻" in cover.get_data(as_text=True)
        assert cover.headers["Cache-Control"] == "public, max-age=86400"


def test_what_officials_type_is_shown_as_text(client, demo):
    admin = demo.actor(ADMIN)
    draft = number(demo, 32)
    issues.add_article(
        demo.session,
        admin,
        draft.id,
        section="union_news",
        title="<script>alert('标题')</script>",
        summary='<img src=x onerror="alert(1)">',
        body="第一段<b>粗</b>\n\n第二段 & 结尾",
        link="https://example.cn/a?x=1&y=2",
    )
    issues.approve(demo.session, admin, draft.id)
    demo.session.commit()
    publish_due(demo.session, now=draft.publish_at, base_url="https://gonghui.example.cn")
    html = client.get("/digest/32").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;标题&#39;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "<p>第一段&lt;b&gt;粗&lt;/b&gt;</p>\n<p>第二段 &amp; 结尾</p>" in html
    assert 'href="https://example.cn/a?x=1&amp;y=2" rel="noopener nofollow">阅读原文</a>' in html


@pytest.mark.parametrize(
    "path", ["/digest/32", "/digest/999", "/digest/0", "/digest/abc", "/digest/31/x", "/digest/１"]
)
def test_unknown_or_unpublished_issues_are_404_in_chinese(client, demo, path):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "未找到该期手机报" in html and "这一期不存在或尚未发布" in html and 'href="/digest"' in html
    assert response.headers["Cache-Control"] == "no-cache"


def test_a_withdrawn_issue_leaves_the_web(client, demo):
    issues.withdraw(demo.session, demo.actor(ADMIN), number(demo, 31).id, "内容有误")
    demo.session.commit()
    assert client.get("/digest/31").status_code == 404
    assert 'href="/digest/31"' not in client.get("/digest").get_data(as_text=True)
    assert '<a href="/digest/31">' not in client.get("/digest/30").get_data(as_text=True)


def test_pages_are_cached_and_revalidated_by_etag(client, demo):
    first = client.get("/digest/31")
    assert first.headers["Cache-Control"] == "public, max-age=300" and first.headers["ETag"]
    again = client.get("/digest/31", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]
    assert client.get("/digest/30").headers["ETag"] != first.headers["ETag"]
    archive = client.get("/digest")
    assert archive.headers["Cache-Control"] == "public, max-age=60"
    assert client.get("/digest", headers={"If-None-Match": archive.headers["ETag"]}).status_code == 304
    admin = demo.actor(ADMIN)
    draft = number(demo, 32)
    issues.approve(demo.session, admin, draft.id)
    demo.session.commit()
    publish_due(demo.session, now=draft.publish_at, base_url="https://gonghui.example.cn")
    # 第32期 is out: the archive lists it and 第31期 links to it, so neither may be answered from the old tag
    assert client.get("/digest", headers={"If-None-Match": archive.headers["ETag"]}).status_code == 200
    newer = client.get("/digest/31", headers={"If-None-Match": first.headers["ETag"]})
    assert newer.status_code == 200 and "第32期 ›" in newer.get_data(as_text=True)


def test_the_publishing_day_on_the_pages_follows_the_settings(make_app, demo):
    html = make_app(DIGEST_PUBLISH_DAY=1, DIGEST_PUBLISH_TIME="08:00").test_client().get("/digest")
    assert "每周一08:00发布" in html.get_data(as_text=True)


def test_uploaded_images_are_served_by_their_hash_and_kept_by_browsers(client, demo):
    out = io.BytesIO()
    Pillow.new("RGB", (320, 136), "orange").save(out, "JPEG")
    image = store_image(demo.session, demo.actor(ADMIN), out.getvalue())
    demo.session.commit()
    response = client.get(f"/digest/images/{image.sha256}.jpg")
    assert response.status_code == 200 and response.data == image.data and response.mimetype == "image/jpeg"
    assert Pillow.open(io.BytesIO(response.data)).size == (320, 136)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(f"/digest/images/{image.sha256}.jpg", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    for wrong in (f"{image.sha256}.png", f"{image.sha256}", "0" * 64 + ".jpg", "..%2F..%2Fetc.jpg"):
        assert client.get(f"/digest/images/{wrong}").status_code == 404, wrong
