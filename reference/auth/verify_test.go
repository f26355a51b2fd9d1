package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/ddbkit/ddbkit/reference/ddberr"
	"pgregory.net/rapid"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func verifier() *Verifier {
	return New(Options{Credentials: map[string]string{"AKID": "secret", "other": "s2"}, Now: func() time.Time { return now }})
}

// signed returns a DynamoDB request signed by aws-sdk-go-v2's signer at t.
func signed(t testing.TB, body, key, secret string, at time.Time, extra map[string]string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:8000/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
	r.Header.Set("User-Agent", "test-client/1.0")
	for k, v := range extra {
		r.Header.Set(k, v)
	}
	sum := sha256.Sum256([]byte(body))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		r, hex.EncodeToString(sum[:]), "dynamodb", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func errType(err error) string {
	if err == nil {
		return ""
	}
	return ddberr.TypeOf(err)
}

func TestVerify(t *testing.T) {
	body := `{"TableName":"t","Item":{"pk":{"S":"a"}}}`
	for _, tc := range []struct {
		name    string
		req     func() (*http.Request, string)
		typ     string
		message string // exact, when set
	}{
		{"signed by the SDK", func() (*http.Request, string) { return signed(t, body, "AKID", "secret", now, nil), body }, "", ""},
		{"within the skew", func() (*http.Request, string) {
			return signed(t, body, "AKID", "secret", now.Add(-4*time.Minute), nil), body
		}, "", ""},
		{"an unsigned header changed", func() (*http.Request, string) {
			r := signed(t, body, "AKID", "secret", now, nil)
			r.Header.Set("User-Agent", "someone-else") // the SDK does not sign User-Agent
			return r, body
		}, "", ""},
		{"commas without spaces", func() (*http.Request, string) {
			r := signed(t, body, "AKID", "secret", now, nil)
			f := strings.Fields(r.Header.Get("Authorization"))
			r.Header.Set("Authorization", f[0]+" "+strings.Join(f[1:], ""))
			return r, body
		}, "", ""},
		{"no Authorization", func() (*http.Request, string) {
			r := signed(t, body, "AKID", "secret", now, nil)
			r.Header.Del("Authorization")
			return r, body
		}, ddberr.MissingAuthToken, "Request is missing Authentication Token"},
		{"body changed", func() (*http.Request, string) {
			return signed(t, body, "AKID", "secret", now, nil), strings.Replace(body, `"a"`, `"b"`, 1)
		}, ddberr.InvalidSignature, msgMismatch},
		{"signed header changed", func() (*http.Request, string) {
			r := signed(t, body, "AKID", "secret", now, nil)
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810.DeleteTable")
			return r, body
		}, ddberr.InvalidSignature, msgMismatch},
		{"host changed", func() (*http.Request, string) {
			r := signed(t, body, "AKID", "secret", now, nil)
			r.Host = "127.0.0.2:8000"
			return r, body
		}, ddberr.InvalidSignature, msgMismatch},
		{"wrong secret", func() (*http.Request, string) { return signed(t, body, "AKID", "wrong", now, nil), body }, ddberr.InvalidSignature, msgMismatch},
		{"another key's secret", func() (*http.Request, string) { return signed(t, body, "other", "secret", now, nil), body }, ddberr.InvalidSignature, msgMismatch},
		{"unknown access key", func() (*http.Request, string) { return signed(t, body, "nobody", "secret", now, nil), body },
			UnrecognizedClient, "The security token included in the request is invalid."},
		{"expired", func() (*http.Request, string) {
			return signed(t, body, "AKID", "secret", now.Add(-6*time.Minute), nil), body
		}, ddberr.InvalidSignature, "Signature expired: 20261125T115400Z is now earlier than 20261125T115500Z (20261125T120000Z - 5 min.)"},
		{"expired before the key is looked up", func() (*http.Request, string) {
			return signed(t, body, "nobody", "x", now.Add(-time.Hour), nil), body
		}, ddberr.InvalidSignature, "Signature expired: 20261125T110000Z is now earlier than 20261125T115500Z (20261125T120000Z - 5 min.)"},
		{"not yet current", func() (*http.Request, string) {
			return signed(t, body, "AKID", "secret", now.Add(10*time.Minute), nil), body
		}, ddberr.InvalidSignature, "Signature not yet current: 20261125T121000Z is still later than 20261125T120500Z (20261125T120000Z + 5 min.)"},
		{"content hash header lies", func() (*http.Request, string) {
			r := signed(t, body, "AKID", "secret", now, nil)
			r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("0", 64))
			return r, body
		}, ddberr.InvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed."},
		{"not SigV4", func() (*http.Request, string) {
			r := signed(t, body, "AKID", "secret", now, nil)
			r.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
			return r, body
		}, IncompleteSignature, ""},
		{"no signature", func() (*http.Request, string) {
			r := signed(t, body, "AKID", "secret", now, nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261125/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date")
			return r, body
		}, IncompleteSignature, "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKID/20261125/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date"},
		{"no date", func() (*http.Request, string) {
			r := signed(t, body, "AKID", "secret", now, nil)
			r.Header.Del("X-Amz-Date")
			return r, body
		}, IncompleteSignature, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, b := tc.req()
			err := verifier().Verify(r, []byte(b))
			if got := errType(err); got != tc.typ {
				t.Fatalf("error type %q (%v), want %q", got, err, tc.typ)
			}
			if tc.message != "" {
				if de, ok := err.(*ddberr.Error); !ok || de.Message != tc.message {
					t.Fatalf("message %q, want %q", err, tc.message)
				}
			}
		})
	}
}

// TestVerifyProperty: whatever the body, headers and key, a request signed
// by the SDK verifies, and flipping any one byte of its body makes it fail.
func TestVerifyProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		body := rapid.StringN(0, 200, -1).Draw(rt, "body")
		key := rapid.SampledFrom([]string{"AKID", "other"}).Draw(rt, "key")
		secret := map[string]string{"AKID": "secret", "other": "s2"}[key]
		extra := map[string]string{}
		for i, v := range rapid.SliceOfN(rapid.StringMatching(`[ -~]{0,20}`), 0, 3).Draw(rt, "headers") {
			extra["X-Test-"+string(rune('a'+i))] = v
		}
		skew := time.Duration(rapid.IntRange(-299, 299).Draw(rt, "skew")) * time.Second
		r := signed(t, body, key, secret, now.Add(skew), extra)
		if err := verifier().Verify(r, []byte(body)); err != nil {
			rt.Fatalf("signed request rejected: %v", err)
		}
		if len(body) > 0 {
			i := rapid.IntRange(0, len(body)-1).Draw(rt, "flip")
			b := []byte(body)
			b[i] ^= 0x01
			if !bytes.Equal(b, []byte(body)) {
				if err := verifier().Verify(r, b); errType(err) != ddberr.InvalidSignature {
					rt.Fatalf("tampered body: %v, want InvalidSignatureException", err)
				}
			}
		}
	})
}
