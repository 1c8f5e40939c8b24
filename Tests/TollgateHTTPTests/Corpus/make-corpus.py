#!/usr/bin/env python3
"""Writes the parser corpus byte-exactly (CRLFs included) and the manifest expected.txt.

Run from this directory: python3 make-corpus.py
"""
import os

cases = []


def add(name, data, code):
    if isinstance(data, str):
        data = data.encode('latin-1')
    cases.append((name, data, code))


H = "Host: example.com\r\n"
P = "POST /submit HTTP/1.1\r\n" + H
TE = P + "Transfer-Encoding: chunked\r\n\r\n"
# Smuggling: CL.TE, TE.CL and TE.TE obfuscations.
add("cl-te.http", P + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", "conflictingContentLengthAndTransferEncoding")
add("te-cl.http", P + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n", "conflictingContentLengthAndTransferEncoding")
add("te-cl-uppercase.http", P + "transfer-encoding: CHUNKED\r\ncontent-length: 3\r\n\r\n0\r\n\r\n", "conflictingContentLengthAndTransferEncoding")
add("te-xchunked.http", P + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", "invalidTransferEncoding")
add("te-chunked-identity.http", P + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", "invalidTransferEncoding")
add("te-identity.http", P + "Transfer-Encoding: identity\r\n\r\n", "invalidTransferEncoding")
add("te-chunked-param.http", P + "Transfer-Encoding: chunked;foo=bar\r\n\r\n0\r\n\r\n", "invalidTransferEncoding")
add("te-chunked-twice.http", P + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", "invalidTransferEncoding")
add("te-two-fields.http", P + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n", "invalidTransferEncoding")
add("te-empty.http", P + "Transfer-Encoding:\r\n\r\n", "invalidTransferEncoding")
add("te-gzip-chunked.http", P + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", "unsupportedTransferEncoding")
add("te-http10.http", "POST / HTTP/1.0\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "transferEncodingInHTTP10")
add("te-space-before-colon.http", P + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", "whitespaceBeforeColon")
add("te-vertical-tab.http", P + "Transfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n", "invalidHeaderValue")
add("te-obs-fold.http", P + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", "obsFold")
add("space-before-colon.http", P + "Content-Length : 5\r\n\r\nhello", "whitespaceBeforeColon")
add("tab-before-colon.http", P + "Content-Length\t: 5\r\n\r\nhello", "whitespaceBeforeColon")
add("duplicate-cl-differing.http", P + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", "duplicateContentLength")
add("cl-list-differing.http", P + "Content-Length: 5, 6\r\n\r\nhello!", "duplicateContentLength")
add("negative-cl.http", P + "Content-Length: -5\r\n\r\n", "invalidContentLength")
add("hex-cl.http", P + "Content-Length: 0x10\r\n\r\n", "invalidContentLength")
add("plus-cl.http", P + "Content-Length: +5\r\n\r\nhello", "invalidContentLength")
add("cl-overflow.http", P + "Content-Length: 99999999999999999999999\r\n\r\n", "invalidContentLength")
add("cl-inner-space.http", P + "Content-Length: 1 0\r\n\r\n", "invalidContentLength")
add("cl-empty.http", P + "Content-Length:\r\n\r\n", "invalidContentLength")
add("cl-list-empty-element.http", P + "Content-Length: 5,,5\r\n\r\nhello", "invalidContentLength")
# Chunked bodies (the head is valid; the test decodes the body after it).
add("oversized-chunk-size.http", TE + "fffffffffffffffffffff\r\nx\r\n0\r\n\r\n", "chunkSizeOverflow")
add("chunk-size-0x.http", TE + "0x5\r\nhello\r\n0\r\n\r\n", "invalidChunkSize")
add("chunk-size-negative.http", TE + "-5\r\nhello\r\n0\r\n\r\n", "invalidChunkSize")
add("chunk-size-space.http", TE + "5 \r\nhello\r\n0\r\n\r\n", "invalidChunkSize")
add("chunk-size-leading-space.http", TE + " 5\r\nhello\r\n0\r\n\r\n", "invalidChunkSize")
add("chunk-data-no-crlf.http", TE + "3\r\nhello\r\n0\r\n\r\n", "invalidChunkDelimiter")
add("chunk-ext-too-long.http", TE + "5;a=" + "b" * 2000 + "\r\nhello\r\n0\r\n\r\n", "chunkExtensionTooLong")
add("chunk-ext-bws.http", TE + "5 ;a=b\r\nhello\r\n0\r\n\r\n", "invalidChunkSize")
add("chunk-bare-lf.http", TE + "5\nhello\r\n0\r\n\r\n", "bareLF")
add("chunk-trailer-obs-fold.http", TE + "0\r\nX-T: a\r\n b\r\n\r\n", "obsFold")
add("chunk-trailer-too-large.http", TE + "0\r\n" + "X-Pad: " + "a" * 9000 + "\r\n\r\n", "trailerTooLarge")
# Line endings and bytes.
add("bare-lf.http", "GET / HTTP/1.1\r\nHost: example.com\nX-Smuggle: 1\r\n\r\n", "bareLF")
add("bare-lf-request-line.http", "GET / HTTP/1.1\n" + H + "\r\n", "bareLF")
add("bare-lf-terminator.http", "GET / HTTP/1.1\r\n" + H + "\n", "bareLF")
add("bare-cr.http", "GET / HTTP/1.1\r\n" + H + "X-A: a\rb\r\n\r\n", "bareCR")
add("obs-fold.http", "GET / HTTP/1.1\r\n" + H + "X-A: a\r\n\tb\r\n\r\n", "obsFold")
add("space-after-request-line.http", "GET / HTTP/1.1\r\n " + H + "\r\n", "obsFold")
add("nul-in-header.http", "GET / HTTP/1.1\r\n" + H + "X-A: a\x00b\r\n\r\n", "nulByte")
add("nul-in-target.http", "GET /a\x00b HTTP/1.1\r\n" + H + "\r\n", "nulByte")
add("ctl-in-header-value.http", "GET / HTTP/1.1\r\n" + H + "X-A: a\x01b\r\n\r\n", "invalidHeaderValue")
add("del-in-header-value.http", "GET / HTTP/1.1\r\n" + H + "X-A: a\x7fb\r\n\r\n", "invalidHeaderValue")
add("invalid-header-name.http", "GET / HTTP/1.1\r\n" + H + "X@A: 1\r\n\r\n", "invalidHeaderName")
add("empty-header-name.http", "GET / HTTP/1.1\r\n" + H + ": 1\r\n\r\n", "invalidHeaderName")
add("missing-colon.http", "GET / HTTP/1.1\r\n" + H + "X-A\r\n\r\n", "missingColon")
# Host.
add("missing-host.http", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", "missingHost")
add("double-host.http", "GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", "multipleHost")
add("host-userinfo.http", "GET / HTTP/1.1\r\nHost: user@a.example\r\n\r\n", "invalidHost")
add("host-space.http", "GET / HTTP/1.1\r\nHost: a.example b.example\r\n\r\n", "invalidHost")
add("host-bad-port.http", "GET / HTTP/1.1\r\nHost: a.example:99999\r\n\r\n", "invalidHost")
# Request line.
add("http2-version.http", "GET / HTTP/2.0\r\n" + H + "\r\n", "unsupportedVersion")
add("http12-version.http", "GET / HTTP/1.2\r\n" + H + "\r\n", "unsupportedVersion")
add("lowercase-version.http", "GET / http/1.1\r\n" + H + "\r\n", "invalidRequestLine")
add("http09.http", "GET /\r\n\r\n", "invalidRequestLine")
add("space-in-target.http", "GET /a b HTTP/1.1\r\n" + H + "\r\n", "invalidRequestLine")
add("double-space-request-line.http", "GET  / HTTP/1.1\r\n" + H + "\r\n", "invalidRequestLine")
add("trailing-space-request-line.http", "GET / HTTP/1.1 \r\n" + H + "\r\n", "invalidRequestLine")
add("tab-in-request-line.http", "GET\t/ HTTP/1.1\r\n" + H + "\r\n", "invalidMethod")
add("ctl-in-target.http", "GET /a\x01b HTTP/1.1\r\n" + H + "\r\n", "invalidTarget")
add("fragment-in-target.http", "GET /a#frag HTTP/1.1\r\n" + H + "\r\n", "invalidTarget")
add("asterisk-get.http", "GET * HTTP/1.1\r\n" + H + "\r\n", "invalidTarget")
add("relative-target.http", "GET a/b HTTP/1.1\r\n" + H + "\r\n", "invalidTarget")
add("ftp-absolute-target.http", "GET ftp://example.com/ HTTP/1.1\r\n" + H + "\r\n", "invalidTarget")
add("connect.http", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "unsupportedMethod")
add("invalid-method.http", "G(T / HTTP/1.1\r\n" + H + "\r\n", "invalidMethod")
add("tls-client-hello.http", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "invalidMethod")
add("expect-other.http", P + "Expect: 200-ok\r\nContent-Length: 0\r\n\r\n", "expectationFailed")
add("too-many-leading-crlf.http", "\r\n\r\n\r\nGET / HTTP/1.1\r\n" + H + "\r\n", "invalidRequestLine")
# Limits (defaults).
add("request-line-too-long.http", "GET /" + "a" * 9000 + " HTTP/1.1\r\n" + H + "\r\n", "requestLineTooLong")
add("header-too-large.http", "GET / HTTP/1.1\r\n" + H + ("X-Pad: " + "a" * 1000 + "\r\n") * 40 + "\r\n", "headerTooLarge")
add("too-many-headers.http", "GET / HTTP/1.1\r\n" + H + "".join("X-H%d: 1\r\n" % i for i in range(100)) + "\r\n", "tooManyHeaders")
# Valid messages the parser must accept (code "ok"; chunked bodies must decode).
add("valid-get.http", "GET /index.html?q=1 HTTP/1.1\r\n" + H + "Accept: */*\r\n\r\n", "ok")
add("valid-cl-duplicate-identical.http", P + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", "ok")
add("valid-cl-list-identical.http", P + "Content-Length: 5, 5\r\n\r\nhello", "ok")
add("valid-chunked.http", P + "Transfer-Encoding: Chunked\r\n\r\n5;name=value;q=\"a b\"\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n", "ok")
add("valid-leading-crlf.http", "\r\nGET / HTTP/1.1\r\n" + H + "\r\n", "ok")
add("valid-absolute-form.http", "GET http://example.com:8080/a?b HTTP/1.1\r\n" + H + "\r\n", "ok")
add("valid-options-asterisk.http", "OPTIONS * HTTP/1.1\r\n" + H + "\r\n", "ok")
add("valid-http10-no-host.http", "GET / HTTP/1.0\r\n\r\n", "ok")

for f in os.listdir('.'):
    if f.endswith('.http'):
        os.remove(f)
with open("expected.txt", "w") as m:
    m.write("# Tollgate HTTP parser corpus: <file> <expected HTTPParseError.Code raw value, or ok>.\n")
    m.write("# Files are raw bytes (CRLF exact), written by make-corpus.py; never edit them in an editor.\n")
    for name, data, code in cases:
        with open(name, "wb") as f:
            f.write(data)
        m.write(f"{name} {code}\n")
print(len(cases), "cases")
