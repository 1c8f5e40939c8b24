/// The word lists of the XSS detector (lowercase ASCII).
enum XSSLexicon {
    static func set(_ words: [String]) -> Set<[UInt8]> { Set(words.map { Array($0.utf8) }) }

    /// Elements that run script, load active content or rewrite the page merely by being present.
    static let activeElements = set([
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "import", "vmlframe",
        "isindex", "layer", "ilayer", "bgsound", "style", "xml", "handler", "listener", "portal",
    ])

    /// Elements that become active with a given attribute, whatever its value: `<meta http-equiv=refresh>`
    /// redirects or sets cookies, `<base href>` re-targets every relative script URL of the page.
    static let activatingAttributes: [[UInt8]: [UInt8]] = [
        Array("meta".utf8): Array("http-equiv".utf8),
        Array("base".utf8): Array("href".utf8),
    ]

    /// Attributes whose value is fetched or navigated to as a URL (a `javascript:` value runs script).
    static let urlAttributes = set([
        "href", "src", "action", "formaction", "data", "xlink:href", "background", "dynsrc", "lowsrc", "codebase",
        "poster", "from", "to", "values", "by", "content", "code", "archive", "longdesc", "usemap", "ping",
        "cite", "profile", "manifest", "icon", "srcset", "attributename", "folder", "xml:base", "datasrc",
    ])

    /// URL schemes that execute script or render attacker-controlled active documents.
    static let scriptSchemes: [[UInt8]] = [
        "javascript:", "vbscript:", "livescript:", "data:text/html", "data:image/svg", "data:application/x",
        "data:text/xml", "data:application/xhtml", "data:text/javascript", "mocha:", "jscript:",
    ].map { Array($0.utf8) }

    /// `data:` URLs that render an active document; a whole value starting with one is flagged. (A bare
    /// `javascript:` prefix needs code after it, so the book title "javascript: the good parts" passes.)
    static let documentSchemes: [[UInt8]] = [
        "data:text/html", "data:image/svg", "data:application/xhtml", "data:text/xml",
    ].map { Array($0.utf8) }

    /// Event-handler attribute names recognised outside a tag (an injected `" onfocus=...`). Inside a tag,
    /// any `on...=` attribute counts.
    static let eventHandlers = set([
        "onabort", "onafterprint", "onanimationend", "onanimationiteration", "onanimationstart", "onauxclick",
        "onbeforecopy", "onbeforecut", "onbeforeinput", "onbeforepaste", "onbeforeprint", "onbeforeunload",
        "onbegin", "onblur", "onbounce", "oncanplay", "oncanplaythrough", "onchange", "onclick", "onclose",
        "oncontextmenu", "oncopy", "oncuechange", "oncut", "ondblclick", "ondrag", "ondragend", "ondragenter",
        "ondragleave", "ondragover", "ondragstart", "ondrop", "ondurationchange", "onend", "onended", "onerror",
        "onfinish", "onfocus", "onfocusin", "onfocusout", "onformdata", "onfullscreenchange", "onhashchange",
        "oninput", "oninvalid", "onkeydown", "onkeypress", "onkeyup", "onload", "onloadeddata",
        "onloadedmetadata", "onloadstart", "onmessage", "onmousedown", "onmouseenter", "onmouseleave",
        "onmousemove", "onmouseout", "onmouseover", "onmouseup", "onmousewheel", "onoffline", "ononline",
        "onpagehide", "onpageshow", "onpaste", "onpause", "onplay", "onplaying", "onpointercancel",
        "onpointerdown", "onpointerenter", "onpointerleave", "onpointermove", "onpointerout", "onpointerover",
        "onpointerrawupdate", "onpointerup", "onpopstate", "onprogress", "onpropertychange", "onratechange",
        "onreadystatechange", "onrepeat", "onreset", "onresize", "onscroll", "onscrollend", "onsearch",
        "onseeked", "onseeking", "onselect", "onselectionchange", "onselectstart", "onshow", "onstart",
        "onstorage", "onsubmit", "onsuspend", "ontimeupdate", "ontoggle", "ontouchcancel", "ontouchend",
        "ontouchmove", "ontouchstart", "ontransitioncancel", "ontransitionend", "ontransitionrun",
        "ontransitionstart", "onunload", "onvolumechange", "onwaiting", "onwheel", "onfilterchange",
        "onactivate", "onbeforeactivate", "ondeactivate", "onmove", "onzoom",
    ])

    /// Markers of script inside a `style` attribute or CSS.
    static let styleMarkers: [[UInt8]] = [
        "expression(", "javascript:", "vbscript:", "behavior:", "-moz-binding", "@import",
    ]
    .map { Array($0.utf8) }
}
