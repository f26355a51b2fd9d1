package driver

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadResponse(t *testing.T) {
	const next = "HTTP/1.1 200 OK\r\n" // the start of a following response, which must stay unread
	long := strings.Repeat("x", 200)
	tests := []struct {
		name      string
		in        string
		bufSize   int // bufio size, 4096 when 0
		maxHead   int // 4096 when 0
		maxBody   int // 1024 when 0
		status    int
		body      string
		keepAlive bool
		errorType string
		rest      string // what must remain unread
		err       error  // wanted error (errors.Is); nil: success
	}{
		{name: "content-length", in: "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}" + next,
			status: 200, body: "{}", keepAlive: true, rest: next},
		{name: "header names any case, error type", in: "HTTP/1.1 400 Bad Request\r\ncontent-LENGTH: 4\r\nx-amzn-errortype: ValidationException:http://internal.amazon.com/\r\n\r\n{}{}",
			status: 400, body: "{}{}", keepAlive: true, errorType: "ValidationException:http://internal.amazon.com/"},
		{name: "no reason phrase", in: "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", status: 200, keepAlive: true},
		{name: "bare LF line ends", in: "HTTP/1.1 200 OK\nContent-Length: 3\n\nabc", status: 200, body: "abc", keepAlive: true},
		{name: "zero length", in: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" + next, status: 200, keepAlive: true, rest: next},
		{name: "same content-length twice", in: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}", status: 200, body: "{}", keepAlive: true},
		{name: "chunked", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n" + next,
			status: 200, body: "hello, world", keepAlive: true, rest: next},
		{name: "chunked with extensions, upper-case hex and trailers", in: "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\nTrailer: X-Checksum\r\n\r\n" +
			"A;name=value\r\n0123456789\r\n1 ; x\r\n!\r\n0\r\nX-Checksum: 42\r\nX-Other: y\r\n\r\n" + next,
			status: 200, body: "0123456789!", keepAlive: true, rest: next},
		{name: "chunked with LF only", in: "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\n{}\n0\n\n", status: 200, body: "{}", keepAlive: true},
		{name: "100 continue skipped", in: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", status: 200, body: "{}", keepAlive: true},
		{name: "103 early hints with headers skipped", in: "HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\nContent-Length: 99\r\n\r\n" +
			"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", status: 200, body: "{}", keepAlive: true},
		{name: "connection close", in: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", status: 200, body: "{}"},
		{name: "connection token list with close", in: "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 2\r\n\r\n{}", status: 200, body: "{}"},
		{name: "HTTP/1.0 closes by default", in: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}", status: 200, body: "{}"},
		{name: "HTTP/1.0 keep-alive", in: "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n{}" + next,
			status: 200, body: "{}", keepAlive: true, rest: next},
		{name: "body until close", in: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it\r\nuntil EOF", status: 200, body: "all of it\r\nuntil EOF"},
		{name: "HTTP/1.0 keep-alive without length reads until close", in: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nabc", status: 200, body: "abc"},
		{name: "204 has no body", in: "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n" + next, status: 204, keepAlive: true, rest: next},
		{name: "304 has no body", in: "HTTP/1.1 304 Not Modified\r\n\r\n" + next, status: 304, keepAlive: true, rest: next},
		{name: "chunked wins over content-length, no reuse", in: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
			status: 200, body: "{}"},
		{name: "obs-fold of an ignored header", in: "HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\nContent-Length: 2\r\n\r\n{}", status: 200, body: "{}", keepAlive: true},

		{name: "no response at all", in: "", err: io.EOF},
		{name: "HTTP/2 status line", in: "HTTP/2 200 OK\r\n\r\n", err: ErrBadResponse},
		{name: "HTTP/1.1 without space", in: "HTTP/1.1200 OK\r\n\r\n", err: ErrBadResponse},
		{name: "two-digit status", in: "HTTP/1.1 20 OK\r\n\r\n", err: ErrBadResponse},
		{name: "four-digit status", in: "HTTP/1.1 2000 OK\r\n\r\n", err: ErrBadResponse},
		{name: "letters for status", in: "HTTP/1.1 abc OK\r\n\r\n", err: ErrBadResponse},
		{name: "status below 100", in: "HTTP/1.1 099 Low\r\n\r\n", err: ErrBadResponse},
		{name: "not HTTP", in: "ICY 200 OK\r\n\r\n", err: ErrBadResponse},
		{name: "garbage", in: "<html>hello</html>\r\n", err: ErrBadResponse},
		{name: "header without colon", in: "HTTP/1.1 200 OK\r\nContent-Length 2\r\n\r\n{}", err: ErrBadResponse},
		{name: "space before colon", in: "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\n{}", err: ErrBadResponse},
		{name: "conflicting content-lengths", in: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x", err: ErrBadResponse},
		{name: "negative content-length", in: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", err: ErrBadResponse},
		{name: "content-length list", in: "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\n{}", err: ErrBadResponse},
		{name: "obs-fold of content-length", in: "HTTP/1.1 200 OK\r\nContent-Length:\r\n 2\r\n\r\n{}", err: ErrBadResponse},
		{name: "gzip transfer coding", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx", err: ErrBadResponse},
		{name: "gzip then chunked", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", err: ErrBadResponse},
		{name: "chunked then gzip", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", err: ErrBadResponse},
		{name: "101 switching protocols", in: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", err: ErrBadResponse},
		{name: "endless 1xx", in: strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", maxInterim+1) + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", err: ErrBadResponse},
		{name: "bad chunk size", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", err: ErrBadResponse},
		{name: "chunk longer than its size", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}}\r\n0\r\n\r\n", err: ErrBadResponse},
		{name: "oversized head", in: "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Filler: "+long+"\r\n", 30) + "Content-Length: 0\r\n\r\n",
			maxHead: 1024, err: ErrResponseTooLarge},
		{name: "header line longer than the buffer", in: "HTTP/1.1 200 OK\r\nX-Long: " + long + "\r\nContent-Length: 0\r\n\r\n",
			bufSize: 64, err: ErrResponseTooLarge},
		{name: "oversized trailers", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + strings.Repeat("X-T: "+long+"\r\n", 30) + "\r\n",
			maxHead: 1024, err: ErrResponseTooLarge},
		{name: "content-length over the body limit", in: "HTTP/1.1 200 OK\r\nContent-Length: 1025\r\n\r\n", err: ErrResponseTooLarge},
		{name: "chunked body over the limit", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
			strings.Repeat("100\r\n"+strings.Repeat("y", 256)+"\r\n", 5) + "0\r\n\r\n", err: ErrResponseTooLarge},
		{name: "body until close over the limit", in: "HTTP/1.1 200 OK\r\n\r\n" + strings.Repeat("z", 1025), err: ErrResponseTooLarge},
		{name: "truncated head", in: "HTTP/1.1 200 OK\r\nContent-Len", err: io.ErrUnexpectedEOF},
		{name: "head without its blank line", in: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n", err: io.ErrUnexpectedEOF},
		{name: "truncated body", in: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", err: io.ErrUnexpectedEOF},
		{name: "truncated chunk", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc", err: io.ErrUnexpectedEOF},
		{name: "chunked without last chunk", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n", err: io.ErrUnexpectedEOF},
		{name: "chunked without the trailer's end", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n", err: io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size, lim := 4096, responseLimits{maxHead: 4096, maxBody: 1024}
			if tt.bufSize > 0 {
				size = tt.bufSize
			}
			if tt.maxHead > 0 {
				lim.maxHead = tt.maxHead
			}
			br := bufio.NewReaderSize(strings.NewReader(tt.in), size)
			h, body, err := readResponse(br, []byte("stale bytes from the last response"), lim)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if h.status != tt.status || string(body) != tt.body || h.keepAlive != tt.keepAlive || h.errorType != tt.errorType {
				t.Errorf("got status %d body %q keepAlive %v errorType %q\nwant status %d body %q keepAlive %v errorType %q",
					h.status, body, h.keepAlive, h.errorType, tt.status, tt.body, tt.keepAlive, tt.errorType)
			}
			if rest, _ := io.ReadAll(br); string(rest) != tt.rest {
				t.Errorf("left unread %q, want %q", rest, tt.rest)
			}
		})
	}
}

// TestReadResponseBodyReusesItsBuffer: the body lands in the caller's
// buffer when it fits (the pooled buffer is the point).
func TestReadResponseBodyReusesItsBuffer(t *testing.T) {
	buf := make([]byte, 0, 64)
	br := bufio.NewReader(strings.NewReader("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
	_, body, err := readResponse(br, buf, responseLimits{maxHead: 1024, maxBody: 1024})
	if err != nil {
		t.Fatal(err)
	}
	if &body[0] != &buf[:1][0] {
		t.Error("the body was not read into the buffer given")
	}
}

func TestAsciiEqualFold(t *testing.T) {
	tests := []struct {
		b, s string
		want bool
	}{
		{"content-length", "Content-Length", true},
		{"CONTENT-LENGTH", "Content-Length", true},
		{"Content-Lengt", "Content-Length", false},
		{"Content\rLength", "Content-Length", false}, // '\r'|0x20 == '-'
		{"Content_Length", "Content-Length", false},
		{"x-amzn-errortype", "X-Amzn-ErrorType", true},
	}
	for _, tt := range tests {
		if got := asciiEqualFold([]byte(tt.b), tt.s); got != tt.want {
			t.Errorf("asciiEqualFold(%q, %q) = %v", tt.b, tt.s, got)
		}
	}
}
