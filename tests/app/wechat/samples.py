"""Messages as in WeChat's documentation (接收普通消息 / 接收事件推送), with our openids."""

TEXT = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[{openid}]]></FromUserName>
  <CreateTime>1348831860</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[{content}]]></Content>
  <MsgId>{msg_id}</MsgId>
</xml>"""

IMAGE = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[{openid}]]></FromUserName>
  <CreateTime>1348831860</CreateTime>
  <MsgType><![CDATA[image]]></MsgType>
  <PicUrl><![CDATA[this is a url]]></PicUrl>
  <MediaId><![CDATA[media_id]]></MediaId>
  <MsgId>1234567890123456</MsgId>
</xml>"""

VOICE = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[{openid}]]></FromUserName>
  <CreateTime>1357290913</CreateTime>
  <MsgType><![CDATA[voice]]></MsgType>
  <MediaId><![CDATA[media_id]]></MediaId>
  <Format><![CDATA[amr]]></Format>
  <Recognition><![CDATA[我想给孩子报名暑期托管]]></Recognition>
  <MsgId>1234567890123457</MsgId>
</xml>"""

LOCATION = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[{openid}]]></FromUserName>
  <CreateTime>1351776360</CreateTime>
  <MsgType><![CDATA[location]]></MsgType>
  <Location_X>35.3030</Location_X>
  <Location_Y>113.6160</Location_Y>
  <Scale>20</Scale>
  <Label><![CDATA[获嘉县亢村镇]]></Label>
  <MsgId>1234567890123458</MsgId>
</xml>"""

EVENT = """<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[{openid}]]></FromUserName>
  <CreateTime>{at}</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[{event}]]></Event>
  <EventKey><![CDATA[{key}]]></EventKey>
</xml>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><ToUserName>a</ToUserName><FromUserName>&lol3;</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>a</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&secret;</Content><MsgId>1</MsgId></xml>"""
