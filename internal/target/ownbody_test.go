package target

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// closableBody fails reads once closed, like the SDK's request body.
type closableBody struct {
	r      io.Reader
	closed bool
}

func (b *closableBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, errors.New("read of a closed body")
	}
	return b.r.Read(p)
}
func (b *closableBody) Close() error { b.closed = true; return nil }

// doFunc is an HTTP client made of a function.
type doFunc func(*http.Request) (*http.Response, error)

func (f doFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// The request net/http gets reads whole even after the SDK closed its
// own body (the SDK does that when a response arrives, while net/http may
// still read the body to check its end).
func TestOwnBodySurvivesTheSDKClosingItsBody(t *testing.T) {
	const payload = `{"TableName":"tab"}`
	for _, wrap := range []bool{true, false} {
		sdkBody := &closableBody{r: strings.NewReader(payload)}
		req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", sdkBody)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = int64(len(payload))
		var got string
		var readErr error
		inner := doFunc(func(r *http.Request) (*http.Response, error) {
			_ = sdkBody.Close() // the SDK closes its body early
			b, err := io.ReadAll(r.Body)
			got, readErr = string(b), err
			return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
		})
		var c interface {
			Do(*http.Request) (*http.Response, error)
		} = inner
		if wrap {
			c = ownBodyClient{inner}
		}
		if _, err := c.Do(req); err != nil {
			t.Fatal(err)
		}
		if wrap && (readErr != nil || got != payload) {
			t.Fatalf("with its own body, net/http read %q, %v; want the whole body", got, readErr)
		}
		if !wrap && readErr == nil {
			t.Fatal("negative control: reading the SDK's closed body succeeded, so this test shows nothing")
		}
	}
}
