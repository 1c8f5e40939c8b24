import Testing

@testable import TollgateRules

@Suite struct DetectXSSTests {
    static let attacks: [String] = [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=http://evil.example/xss.js></SCRIPT>",
        "<script",
        "\"><script>alert(document.cookie)</script>",
        "<ScRiPt>alert(1)</sCrIpT>",
        "<script/src=//evil.example>",
        "<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\" src=\"data:,alert(1)\" />",
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=x ONERROR=alert(1)>",
        "<img src=x onerror  =  alert(1)//",
        "<img\tsrc=x\nonerror=alert(1)>",
        "<img src=\"x\" onerror=\"alert(1)\">",
        "<svg/onload=alert(1)>",
        "<svg onload=alert(1)>",
        "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
        "<body onload=alert('XSS')>",
        "<details open ontoggle=alert(1)>",
        "<input autofocus onfocus=alert(1)>",
        "<marquee onstart=alert(1)>",
        "<video><source onerror=\"alert(1)\">",
        "<xss onbeforehellfreezes=alert(1)>",
        "<div onmouseover='alert(1)'>hover</div>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<iframe srcdoc=\"&lt;script&gt;\">",
        "<object data=\"data:text/html;base64,PHNjcmlwdD4=\">",
        "<embed src=x.swf>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "<a href=javascript:alert(1)>x</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\"jav\tascript:alert(1)\">x</a>",
        "<a href=\" javascript:alert(1)\">x</a>",
        "<a href=\"data:text/html,<b>x</b>\">x</a>",
        "<form action=\"javascript:alert(1)\"><input type=submit>",
        "<button formaction=javascript:alert(1)>x</button>",
        "<div style=\"background:url(javascript:alert(1))\">",
        "<div style=\"width: expression(alert(1))\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<base href=\"javascript:alert(1)//\">",
        "<style>@import 'http://evil.example/x.css';</style>",
        "<link rel=stylesheet href=\"javascript:alert(1)\">",
        "javascript:alert(1)",
        "  javascript:alert(document.domain)",
        "javascript://%0aalert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "\" onmouseover=\"alert(1)",
        "' autofocus onfocus='alert(1)",
        "x\" onerror=alert(1) y=\"",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<scr<script>ipt>alert(1)</script>",
        "<svg><set attributeName=onmouseover to=alert(1)>",
        "<svg><animate attributeName=href values=javascript:alert(1) /><a id=x><text>x</text></a>",
        "<meta http-equiv=\"set-cookie\" content=\"a=b\">",
        "<BODY onload!#$%&()*~+-_.,:;?@[/|]^`=alert(\"XSS\")>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
        "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
        "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
        "<math><a xlink:href=javascript:alert(1)>X",
        "<isindex type=image src=1 onerror=alert(1)>",
        "<div/onmouseover='alert(1)'>x",
        "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
        "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH\">",
    ]

    static let benign: [String] = [
        "Hello, world",
        "O'Brien",
        "a < b and c > d",
        "if (x<3 && y>2) return",
        "1<2",
        "I <3 you",
        "<-- go back",
        "<b>bold</b>",
        "<p>Hello</p>",
        "<br/>",
        "<em>note</em> and <strong>this</strong>",
        "<a href=\"https://example.com\">link</a>",
        "<a href=\"/relative/path?x=1\">link</a>",
        "<img src=\"cat.png\" alt=\"A cat\">",
        "<ul><li>one</li><li>two</li></ul>",
        "<john@example.com>",
        "**bold** and _italic_",
        "[link](https://example.com/path?q=1)",
        "![image](https://example.com/cat.png)",
        "javascript: the good parts",
        "I love JavaScript: it's fun",
        "The onload event fires when the page loads",
        "online = yes",
        "status: online",
        "Turn the lights on=off toggle",
        "once=twice",
        "https://example.com/search?q=xss",
        "john.doe@example.com",
        "$19.99",
        "2024-01-02",
        "{\"html\": \"plain\", \"n\": 3}",
        "x = a<b ? 1 : 2",
        "data:image/png;base64,iVBORw0KGgo=",
        "The <scripts> folder holds tools",
        "Call me on 555-1234",
        "style guide: use expression wisely",
        "it's on = true, right?",
        "select the best option",
        "My <3 goes out to <name>",
        "vbscript is an old language",
        "mailto:someone@example.com",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)",
        "<table><tr><td>1</td></tr></table>",
        "<span class=\"note\" title=\"on hover\">x</span>",
        "<meta name=\"twitter:title\" content=\"My website\"/>",
        "<meta property=\"og:title\" content=\"My website\"/>",
        "<template>plain</template>",
        "a <set> of things",
        "final class FilterCursor<Base : Cursor> : Cursor",
        "<div class=\"one\" data-x=\"on\">text</div>",
        "<input name=\"online\" value=\"1\">",
    ]

    @Test(arguments: attacks)
    func detectsAttack(_ payload: String) {
        #expect(XSSDetector.detect(Array(payload.utf8)), "missed: \(payload)")
    }

    @Test(arguments: benign)
    func quietOnBenignText(_ text: String) {
        #expect(!XSSDetector.detect(Array(text.utf8)), "false positive: \(text)")
    }

    @Test func operatorMatchesAfterCRSTransformations() throws {
        // CRS 941100 runs utf8toUnicode, urlDecodeUni, htmlEntityDecode, jsDecode, cssDecode, removeNulls first.
        let raw = Array("%3Cimg%20src%3Dx%20on&#x65;rror%3Dalert(1)%3E".utf8)
        var value = raw
        for t in [Transformation.utf8toUnicode, .urlDecodeUni, .htmlEntityDecode, .jsDecode, .cssDecode, .removeNulls] {
            value = t.apply(value)
        }
        let (result, _) = try evaluateOperator("detectXSS", "", value)
        #expect(result == .match)
        #expect(try evaluateOperator("detectXSS", "", raw).0 == .noMatch)
    }

    @Test func emptyAndBinaryInputs() {
        #expect(!XSSDetector.detect([]))
        #expect(!XSSDetector.detect([0x3C]))
        #expect(!XSSDetector.detect([0x3C, 0x00, 0xFF]))
    }
}
