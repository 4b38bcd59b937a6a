"""The 手机报 editor in a browser: an issue with an uploaded cover, on a phone, published; workers' items; scope."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from PIL import Image as Pillow
from PIL import ImageDraw
from playwright.sync_api import expect
from sqlalchemy import func, select

from models.base import LOCAL_TZ
from models.digest_publishing import publish_due
from models.digests import ACCEPTED, APPROVED, DECLINED, DRAFT, WITHDRAWN, Article, Digest, Suggestion
from models.images import Image
from models.notifications import Notification

EDITOR = "xinxiang-admin"
TITLE = "亢村镇工会为一线职工送清凉"


def png(size=(320, 136)) -> bytes:
    """A small cover: a sun over a field, made here so that the test needs no file."""
    picture = Pillow.new("RGB", size, (135, 190, 235))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 92, 320, 136), fill=(60, 150, 70))
    draw.ellipse((236, 16, 284, 64), fill=(250, 200, 40))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def issue(demo, number: int) -> Digest:
    demo.session.expire_all()
    return demo.session.scalars(select(Digest).where(Digest.number == number)).one()


def articles(demo) -> int:
    return demo.session.scalar(select(func.count()).select_from(Article))


def test_an_issue_with_an_uploaded_cover_is_seen_on_a_phone_then_published(official, demo, live_server, screenshot):
    next_week = issue(demo, 32).issue_date + timedelta(days=7)
    page = official(EDITOR)
    page.get_by_role("link", name="手机报", exact=True).click()
    expect(page.get_by_role("row").filter(has_text="第32期")).to_contain_text("编辑中")
    page.get_by_label("出版日期").fill(next_week.isoformat())
    page.get_by_role("button", name="新建一期").click()
    expect(page.get_by_role("status")).to_have_text("已新建第33期，请添加文章。")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"新乡工会手机报 {next_week.year}年第33期")

    page.get_by_role("link", name="在县区动态添加文章").click()
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("摘要").fill("慰问高温下坚守岗位的职工。")
    page.get_by_label("正文").fill("7月15日，亢村镇工会走进工业园区。\n为200余名一线职工送去防暑降温用品。")
    page.get_by_label("上传新封面").set_input_files({"name": "封面.png", "mimeType": "image/png", "buffer": png()})
    page.get_by_role("button", name="添加文章").click()
    expect(page.get_by_role("status")).to_have_text(f"已添加《{TITLE}》。")
    image = demo.session.scalars(select(Image)).one()
    cover = f"/digest/images/{image.sha256}.png"
    row = page.locator("#s-county_news li").filter(has_text=TITLE)
    expect(row.get_by_role("img")).to_have_attribute("src", cover)
    article = demo.session.scalars(select(Article).where(Article.title == TITLE)).one()
    assert (article.section, article.cover_url, article.body.count("\n")) == ("county_news", cover, 1)

    page.get_by_role("link", name="手机预览").click()
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(frame.get_by_role("note")).to_contain_text("编辑中，读者还看不到")
    expect(frame.locator("img.cover")).to_have_attribute("src", cover)
    phone = page.frame(url=re.compile(r"/phone/page$"))
    phone.wait_for_function("() => [...document.images].some(i => i.complete && i.naturalWidth === 320)")
    screenshot(page, "digest-preview")
    assert page.goto("/digest/33").status == 404  # not out yet

    page.go_back()
    page.get_by_role("link", name="← 第33期").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_role("status")).to_contain_text("第33期已审核通过")
    digest = issue(demo, 33)
    assert digest.status == APPROVED and digest.approved_by == demo.official(EDITOR).id
    publish_due(demo.session, now=digest.publish_at, base_url=live_server)
    page.goto("/digest/33")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.locator("img.cover")).to_have_attribute("src", cover)
    served = page.request.get(cover)
    assert (
        served.status == 200
        and Pillow.open(io.BytesIO(served.body())).tobytes() == Pillow.open(io.BytesIO(png())).tobytes()
    )
    assert served.headers["content-type"] == "image/png" and "immutable" in served.headers["cache-control"]


def test_bad_images_are_refused_in_chinese_and_nothing_is_added(official, demo):
    draft = issue(demo, 32)
    before = articles(demo)
    page = official(EDITOR)
    page.goto(f"/console/digests/{draft.id}/articles/new?section=rights")
    page.get_by_label("标题").fill("职工法律援助热线12351")
    page.get_by_label("正文").fill("拨打12351，工会律师免费解答劳动法律问题。")
    for name, data, message in [
        ("通知.png", "这不是图片".encode(), "只能上传 JPG、PNG 或 WebP 格式的图片"),
        ("大图.png", png() + b"\0" * (3 * 1024 * 1024), "图片不能超过2MB，请压缩后再上传"),
    ]:
        page.get_by_label("上传新封面").set_input_files({"name": name, "mimeType": "image/png", "buffer": data})
        page.get_by_role("button", name="添加文章").click()
        expect(page.get_by_role("alert")).to_have_text(message + "（请重新选择图片）")
        expect(page.get_by_label("标题")).to_have_value("职工法律援助热线12351")  # what was typed is kept
        expect(page.get_by_label("栏目")).to_have_value("rights")
    page.get_by_label("上传新封面").set_input_files(
        {"name": "相机原图.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + b"\0" * (9 * 1024 * 1024)}
    )
    page.get_by_role("button", name="添加文章").click()  # over the 8 MB an article form may carry: never read
    expect(page.get_by_role("alert")).to_contain_text("提交的内容过大，未保存：封面图片请小于2MB")
    expect(page).to_have_url(re.compile(rf"/console/digests/{draft.id}$"))  # the form was shown by a POST: the issue
    assert articles(demo) == before and demo.session.scalar(select(func.count()).select_from(Image)) == 0
    other = page.request.post(
        f"/console/digests/{draft.id}/schedule", form={"publish_at": "x" * 100_000}, max_redirects=0
    )
    assert other.status == 302  # only the article forms take more than the usual 64 KiB: back, with the reason


def test_articles_are_edited_moved_and_removed(official, demo):
    draft = issue(demo, 32)
    page = official(EDITOR)
    page.goto(f"/console/digests/{draft.id}")
    page.get_by_role("link", name="在维权服务添加文章").click()
    page.get_by_label("标题").fill("职工法律援助热线12351")
    page.get_by_label("不用封面").check()
    page.get_by_role("button", name="添加文章").click()
    rights = page.locator("#s-rights li")
    expect(rights.nth(1)).to_contain_text("职工法律援助热线12351")
    page.get_by_role("button", name="上移《职工法律援助热线12351》").click()
    expect(rights.first).to_contain_text("职工法律援助热线12351")

    page.get_by_role("link", name="编辑《职工法律援助热线12351》").click()
    page.get_by_label("标题").fill("12351职工服务热线")
    page.get_by_label("栏目").select_option(label="工会资讯")
    page.get_by_label("使用默认封面").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_have_text("已保存《12351职工服务热线》。")
    expect(page.locator("#s-union_info li")).to_contain_text("12351职工服务热线")
    moved = demo.session.scalars(select(Article).where(Article.title == "12351职工服务热线")).one()
    assert (moved.section, moved.position, moved.cover_url) == ("union_info", 1, "/digest/static/covers/union_info.svg")

    moved_id = moved.id
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="删除《12351职工服务热线》").click()
    expect(page.get_by_role("status")).to_have_text("已删除《12351职工服务热线》。")
    expect(page.locator("#s-union_info")).to_contain_text("本栏目还没有文章。")
    demo.session.expire_all()
    assert demo.session.get(Article, moved_id) is None


def test_schedule_approve_withdraw_and_reopen(official, demo):
    draft = issue(demo, 32)
    saturday = (draft.publish_at + timedelta(hours=15)).astimezone(LOCAL_TZ)  # 09:00 the next morning
    page = official(EDITOR)
    page.goto(f"/console/digests/{draft.id}")
    page.get_by_label("发布时间").fill(saturday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="修改发布时间").click()
    expect(page.get_by_role("status")).to_contain_text(saturday.strftime("%m月%d日 09:00"))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator(".heading .badge")).to_have_text("已审核，待发布")
    assert issue(demo, 32).status == APPROVED and issue(demo, 32).issue_date == saturday.date()

    page.get_by_text("撤回本期").click()
    page.get_by_label("撤回原因").fill("改期")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="撤回", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("第32期已撤回。")
    assert issue(demo, 32).status == WITHDRAWN
    page.get_by_role("button", name="恢复为草稿").click()
    expect(page.locator(".heading .badge")).to_have_text("编辑中")
    assert issue(demo, 32).status == DRAFT


def test_a_preview_goes_to_the_officials_own_wechat_once_it_is_bound(official, demo, simulator):
    draft = issue(demo, 32)
    page = official(EDITOR)
    page.goto(f"/console/digests/{draft.id}")
    page.get_by_role("button", name="发送预览到我的微信").click()
    expect(page.get_by_role("alert")).to_contain_text("请先在“绑定我的微信”页面绑定")
    page.get_by_role("link", name="绑定我的微信").click()
    page.get_by_label("我的微信 OpenID").fill("o-xinxiang-admin")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_have_text("已绑定您的微信，预览会发到这里。")

    page.goto(f"/console/digests/{draft.id}")
    page.get_by_role("button", name="发送预览到我的微信").click()
    expect(page.get_by_role("alert")).to_contain_text("48小时")  # WeChat's rule for customer-service messages
    simulator.state.record_interaction("o-xinxiang-admin")
    page.get_by_role("button", name="发送预览到我的微信").click()
    expect(page.get_by_role("status")).to_have_text("第32期的预览已发送到您的微信。")
    [sent] = simulator.state.sent_messages(openid="o-xinxiang-admin", kind="custom")
    [card] = sent["payload"]["news"]["articles"]
    assert card["title"] == "【预览】" + draft.title and card["url"].endswith("/digest/32")
    assert issue(demo, 32).status == DRAFT


def test_a_workers_item_is_taken_into_county_news_and_another_declined(official, demo, screenshot):
    draft = issue(demo, 32)
    pending = demo.session.scalars(select(Suggestion).where(Suggestion.title.contains("爱心托管班"))).one()
    page = official(EDITOR)
    page.goto("/console/digests")
    page.get_by_role("link", name="职工投稿（县区动态）").click()
    item = page.locator(f"#s{pending.id}")
    expect(item).to_contain_text("刘洋 · 新乡县七里营镇工会")
    item.get_by_label("刊登在").select_option(label=f"第32期（{draft.issue_date.isoformat()}）")
    item.get_by_role("button", name="采用", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"已采用《{pending.title}》，刊登在县区动态栏目。")
    taken = page.locator("#s-county_news li").filter(has_text=pending.title)
    expect(taken).to_contain_text("职工投稿")
    screenshot(page, "digest-editor")
    demo.session.expire_all()
    assert demo.session.get(Suggestion, pending.id).status == ACCEPTED
    told = demo.session.scalars(select(Notification).where(Notification.worker_id == pending.worker_id)).all()
    assert any("已被采用" in note.body for note in told)

    other = Suggestion(
        worker_id=demo.worker("李娜").id,
        union_id=demo.union("获嘉县城关镇工会").id,
        title="城关镇工会开展职工趣味运动会",
        body="城关镇工会组织辖区企业职工开展趣味运动会，300多名职工参加。",
    )
    demo.session.add(other)
    demo.session.commit()
    town = official("chengguan")
    town.goto("/console/digests/suggestions")
    mine = town.locator(f"#s{other.id}")
    expect(mine).to_contain_text("没有可刊登的期次")  # the city union publishes the paper
    mine.get_by_label("不采用的原因").fill("请补充照片")
    mine.get_by_role("button", name="不采用").click()
    expect(town.get_by_role("status")).to_have_text("已回复作者：《城关镇工会开展职工趣味运动会》未采用。")
    demo.session.expire_all()
    assert demo.session.get(Suggestion, other.id).status == DECLINED


def test_an_official_of_another_union_cannot_see_the_issues(official, demo):
    draft = issue(demo, 32)
    for username in ("kangcun", "hebei-admin"):
        page = official(username)
        page.goto("/console/digests")
        expect(page.get_by_role("row").filter(has_text="第32期")).to_have_count(0)
        for path in ("", "/phone", "/phone/page", "/articles/new"):
            response = page.goto(f"/console/digests/{draft.id}{path}")
            assert response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("无法显示该页面")


def test_a_viewer_sees_the_issue_but_cannot_approve_it(official, demo):
    draft = issue(demo, 32)
    page = official("xinxiang-viewer")
    page.goto(f"/console/digests/{draft.id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_role("alert")).to_have_text("只读账号不能修改数据")
    assert issue(demo, 32).status == DRAFT
