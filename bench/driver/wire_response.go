package driver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Errors of the wire transport's response parser. Both leave the
// connection closed.
var (
	// ErrBadResponse is a response that is not well-formed HTTP/1.x.
	ErrBadResponse = errors.New("malformed HTTP response")
	// ErrResponseTooLarge is a response head or body over its limit.
	ErrResponseTooLarge = errors.New("HTTP response too large")
)

// responseLimits bound what one response may hold.
type responseLimits struct {
	maxHead int // bytes of status line and header lines, 1xx heads and trailers included
	maxBody int // bytes of the decoded body
}

// maxInterim bounds the 1xx responses skipped before the final one (as
// net/http does, a server that sends them forever gets an error, not a
// hang).
const maxInterim = 8

// responseHead is what the lean client keeps of a response head.
type responseHead struct {
	status int
	// errorType is X-Amzn-ErrorType, DynamoDB's error type when the body
	// lacks one (empty when absent).
	errorType string
	// keepAlive: the connection may carry another request after this
	// response (HTTP/1.1 without Connection: close, or HTTP/1.0 with
	// Connection: keep-alive, and a body not delimited by the close).
	keepAlive bool
}

// framing is how the body's end is found.
type framing int

const (
	framingNone    framing = iota // 204, 304: no body whatever the headers say
	framingLength                 // Content-Length
	framingChunked                // Transfer-Encoding: chunked
	framingClose                  // neither: the body ends when the server closes
)

// readResponse reads one HTTP/1.x response from br: it skips 1xx interim
// responses, reads the final head, and appends the decoded body to
// body[:0]. Any error means the connection is in an unknown state and
// must be closed.
func readResponse(br *bufio.Reader, body []byte, lim responseLimits) (responseHead, []byte, error) {
	budget := lim.maxHead
	for range maxInterim + 1 {
		h, fr, length, err := readHead(br, &budget)
		if err != nil {
			return responseHead{}, body[:0], err
		}
		if h.status >= 100 && h.status < 200 {
			if h.status == 101 {
				return responseHead{}, body[:0], fmt.Errorf("%w: 101 Switching Protocols to a request that asked for none", ErrBadResponse)
			}
			continue // 100 Continue, 103 Early Hints: the final response follows
		}
		body, err = readBody(br, body[:0], fr, length, &budget, lim.maxBody)
		if err != nil {
			return responseHead{}, body[:0], err
		}
		if fr == framingClose {
			h.keepAlive = false
		}
		return h, body, nil
	}
	return responseHead{}, body[:0], fmt.Errorf("%w: more than %d 1xx responses", ErrBadResponse, maxInterim)
}

// readLine returns the next line without its CRLF (or bare LF), charging
// it to budget. The slice is valid until the next read from br.
func readLine(br *bufio.Reader, budget *int, what string) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%w: %s line longer than %d bytes", ErrResponseTooLarge, what, br.Size())
		}
		if errors.Is(err, io.EOF) && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	*budget -= len(line)
	if *budget < 0 {
		return nil, fmt.Errorf("%w: response head over its limit", ErrResponseTooLarge)
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// readHead reads a status line and header lines up to the blank line.
func readHead(br *bufio.Reader, budget *int) (h responseHead, fr framing, length int64, err error) {
	line, err := readLine(br, budget, "status")
	if err != nil {
		return h, 0, 0, err
	}
	minor, status, err := parseStatusLine(line)
	if err != nil {
		return h, 0, 0, err
	}
	h.status = status
	var (
		connClose, connKeepAlive bool
		chunked, otherCoding     bool
		haveLength               bool
		prevFraming              bool // the previous field was one an obs-fold may not continue
	)
	length = -1
	for {
		line, err := readLine(br, budget, "header")
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return h, 0, 0, fmt.Errorf("read response head: %w", err)
		}
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			// obs-fold: a continuation of the previous field's value
			// (RFC 9112 §5.2). It may not extend a field that frames the
			// message or says whether the connection stays open; any
			// other field the client ignores anyway, or reads only its
			// first line (X-Amzn-ErrorType).
			if prevFraming {
				return h, 0, 0, fmt.Errorf("%w: obs-fold in a framing header", ErrBadResponse)
			}
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 || bytes.ContainsAny(name, " \t") {
			return h, 0, 0, fmt.Errorf("%w: header line %q", ErrBadResponse, truncate(line))
		}
		value = bytes.Trim(value, " \t")
		prevFraming = false
		switch {
		case asciiEqualFold(name, "Content-Length"):
			prevFraming = true
			n, ok := parseLength(value)
			if !ok || (haveLength && n != length) {
				return h, 0, 0, fmt.Errorf("%w: Content-Length %q", ErrBadResponse, truncate(value))
			}
			length, haveLength = n, true
		case asciiEqualFold(name, "Transfer-Encoding"):
			prevFraming = true
			for tok := range tokens(value) {
				// chunked must be the last coding; the request offered
				// none (no TE header), so any other is an error.
				switch {
				case chunked:
					return h, 0, 0, fmt.Errorf("%w: Transfer-Encoding %q does not end in chunked", ErrBadResponse, truncate(value))
				case asciiEqualFold(tok, "chunked"):
					chunked = true
				default:
					otherCoding = true
				}
			}
		case asciiEqualFold(name, "Connection"):
			prevFraming = true
			for tok := range tokens(value) {
				switch {
				case asciiEqualFold(tok, "close"):
					connClose = true
				case asciiEqualFold(tok, "keep-alive"):
					connKeepAlive = true
				}
			}
		case asciiEqualFold(name, "X-Amzn-ErrorType"):
			h.errorType = string(value)
		}
	}
	if otherCoding {
		return h, 0, 0, fmt.Errorf("%w: a transfer coding other than chunked", ErrBadResponse)
	}
	h.keepAlive = !connClose && (minor >= 1 || connKeepAlive)
	switch {
	case h.status < 200 || h.status == 204 || h.status == 304:
		fr = framingNone
	case chunked:
		fr = framingChunked
		if haveLength {
			// Both: chunked wins, and the connection is not reused
			// (RFC 9112 §6.3: the message may be a smuggling attempt).
			h.keepAlive = false
		}
	case haveLength:
		fr = framingLength
	default:
		fr = framingClose
	}
	return h, fr, length, nil
}

// parseStatusLine parses "HTTP/1.x SSS reason" and returns x and SSS.
func parseStatusLine(line []byte) (minor, status int, err error) {
	const proto = "HTTP/1."
	if len(line) < len(proto)+1+4 || string(line[:len(proto)]) != proto {
		return 0, 0, fmt.Errorf("%w: status line %q", ErrBadResponse, truncate(line))
	}
	rest := line[len(proto):]
	if rest[0] < '0' || rest[0] > '9' || rest[1] != ' ' {
		return 0, 0, fmt.Errorf("%w: status line %q", ErrBadResponse, truncate(line))
	}
	minor = int(rest[0] - '0')
	code := rest[2:]
	if len(code) > 3 && code[3] != ' ' {
		return 0, 0, fmt.Errorf("%w: status line %q", ErrBadResponse, truncate(line))
	}
	for i := range 3 {
		c := code[i]
		if c < '0' || c > '9' {
			return 0, 0, fmt.Errorf("%w: status line %q", ErrBadResponse, truncate(line))
		}
		status = status*10 + int(c-'0')
	}
	if status < 100 {
		return 0, 0, fmt.Errorf("%w: status %d", ErrBadResponse, status)
	}
	return minor, status, nil
}

// readBody appends the body framed by fr to body.
func readBody(br *bufio.Reader, body []byte, fr framing, length int64, budget *int, maxBody int) ([]byte, error) {
	switch fr {
	case framingNone:
		return body, nil
	case framingLength:
		if length > int64(maxBody) {
			return body, fmt.Errorf("%w: Content-Length %d over the limit of %d bytes", ErrResponseTooLarge, length, maxBody)
		}
		return readN(br, body, int(length))
	case framingChunked:
		return readChunked(br, body, budget, maxBody)
	default:
		return readToEOF(br, body, maxBody)
	}
}

// readN appends exactly n bytes from br to body.
func readN(br *bufio.Reader, body []byte, n int) ([]byte, error) {
	start := len(body)
	body = slices.Grow(body, n)[:start+n]
	if _, err := io.ReadFull(br, body[start:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return body[:start], fmt.Errorf("read response body: %w", err)
	}
	return body, nil
}

// readChunked decodes a chunked body (RFC 9112 §7.1) and skips its
// trailer fields, which are charged to the head budget.
func readChunked(br *bufio.Reader, body []byte, budget *int, maxBody int) ([]byte, error) {
	for {
		line, err := readLine(br, budget, "chunk size")
		if err != nil {
			return body, fmt.Errorf("read chunked body: %w", eofIsUnexpected(err))
		}
		size, ok := parseChunkSize(line)
		if !ok {
			return body, fmt.Errorf("%w: chunk size line %q", ErrBadResponse, truncate(line))
		}
		if size == 0 {
			break
		}
		if size > int64(maxBody-len(body)) {
			return body, fmt.Errorf("%w: chunked body over the limit of %d bytes", ErrResponseTooLarge, maxBody)
		}
		if body, err = readN(br, body, int(size)); err != nil {
			return body, err
		}
		line, err = readLine(br, budget, "chunk end")
		if err != nil {
			return body, fmt.Errorf("read chunked body: %w", eofIsUnexpected(err))
		}
		if len(line) != 0 {
			return body, fmt.Errorf("%w: chunk data longer than its size", ErrBadResponse)
		}
	}
	for { // trailer section, ended by a blank line
		line, err := readLine(br, budget, "trailer")
		if err != nil {
			return body, fmt.Errorf("read chunked trailers: %w", eofIsUnexpected(err))
		}
		if len(line) == 0 {
			return body, nil
		}
	}
}

// readToEOF appends everything until the server closes the connection.
func readToEOF(r io.Reader, body []byte, maxBody int) ([]byte, error) {
	for {
		if len(body) == cap(body) {
			body = slices.Grow(body, 4096)
		}
		n, err := r.Read(body[len(body):min(cap(body), maxBody+1)])
		body = body[:len(body)+n]
		if len(body) > maxBody {
			return body, fmt.Errorf("%w: body over the limit of %d bytes", ErrResponseTooLarge, maxBody)
		}
		if errors.Is(err, io.EOF) {
			return body, nil
		}
		if err != nil {
			return body, fmt.Errorf("read response body: %w", err)
		}
	}
}

// parseLength parses a Content-Length value: decimal digits only.
func parseLength(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseChunkSize parses "hex[;ext...]" with optional whitespace before
// the extensions.
func parseChunkSize(line []byte) (int64, bool) {
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimRight(line, " \t")
	if len(line) == 0 || len(line) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range line {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | int64(d)
	}
	return n, true
}

// tokens yields the comma-separated, trimmed, non-empty elements of a
// list-valued header.
func tokens(v []byte) func(yield func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(v) > 0 {
			var tok []byte
			tok, v, _ = bytes.Cut(v, []byte(","))
			if tok = bytes.Trim(tok, " \t"); len(tok) > 0 && !yield(tok) {
				return
			}
		}
	}
}

// asciiEqualFold compares a header name with a canonical one, ignoring
// ASCII case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if x|0x20 != y|0x20 || (x|0x20 < 'a' || x|0x20 > 'z') && x != y {
			return false
		}
	}
	return true
}

func eofIsUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// truncate shortens what an error message quotes from the wire.
func truncate(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
