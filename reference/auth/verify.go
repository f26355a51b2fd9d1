package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/ddbkit/ddbkit/reference/ddberr"
)

// Error types of authentication failures (namespace com.amazon.coral.service).
const (
	UnrecognizedClient  = "UnrecognizedClientException"
	IncompleteSignature = "IncompleteSignatureException"
)

const (
	algorithm   = "AWS4-HMAC-SHA256"
	amzDate     = "20060102T150405Z"
	defaultSkew = 5 * time.Minute
	msgMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

// Options configure a Verifier.
type Options struct {
	// Credentials maps access key ids to their secret keys.
	Credentials map[string]string
	// Now is the server's clock (time.Now when nil).
	Now func() time.Time
	// MaxSkew is how far a request's time may be from Now (5 minutes when
	// zero, as DynamoDB).
	MaxSkew time.Duration
}

// Verifier checks SigV4 signatures against a fixed set of credentials.
type Verifier struct {
	creds map[string]string
	now   func() time.Time
	skew  time.Duration
}

// New returns a Verifier.
func New(o Options) *Verifier {
	v := &Verifier{creds: map[string]string{}, now: o.Now, skew: o.MaxSkew}
	for k, s := range o.Credentials {
		v.creds[k] = s
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.skew <= 0 {
		v.skew = defaultSkew
	}
	return v
}

// Verify checks r's signature; body is the request body r carried (Verify
// does not read r.Body). It returns nil or a *ddberr.Error.
func (v *Verifier) Verify(r *http.Request, body []byte) error {
	h := r.Header.Get("Authorization")
	if h == "" {
		return ddberr.New(ddberr.MissingAuthToken, "Request is missing Authentication Token")
	}
	a, err := parseAuthorization(h)
	if err != nil {
		return err
	}
	dateStr := r.Header.Get("X-Amz-Date")
	if dateStr == "" {
		return ddberr.New(IncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="+h)
	}
	t, perr := time.Parse(amzDate, dateStr)
	if perr != nil {
		return ddberr.New(IncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '"+dateStr+"'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	now := v.now().UTC()
	mins := int(v.skew / time.Minute)
	if t.Before(now.Add(-v.skew)) {
		return ddberr.Newf(ddberr.InvalidSignature, "Signature expired: %s is now earlier than %s (%s - %d min.)",
			dateStr, now.Add(-v.skew).Format(amzDate), now.Format(amzDate), mins)
	}
	if t.After(now.Add(v.skew)) {
		return ddberr.Newf(ddberr.InvalidSignature, "Signature not yet current: %s is still later than %s (%s + %d min.)",
			dateStr, now.Add(v.skew).Format(amzDate), now.Format(amzDate), mins)
	}
	secret, ok := v.creds[a.accessKey]
	if !ok {
		return ddberr.New(UnrecognizedClient, "The security token included in the request is invalid.")
	}
	if a.service != "dynamodb" {
		return ddberr.New(ddberr.InvalidSignature, "Credential should be scoped to correct service: 'dynamodb'. ")
	}
	if a.date != dateStr[:8] {
		return ddberr.Newf(ddberr.InvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			a.date, dateStr[:8], dateStr)
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	if c := r.Header.Get("X-Amz-Content-Sha256"); c != "" && c != payload {
		return ddberr.New(ddberr.InvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	creq := canonicalRequest(r, a.signedHeaders, payload)
	crsum := sha256.Sum256([]byte(creq))
	scope := a.date + "/" + a.region + "/" + a.service + "/aws4_request"
	sts := algorithm + "\n" + dateStr + "\n" + scope + "\n" + hex.EncodeToString(crsum[:])
	want := hex.EncodeToString(hmacSHA256(signingKey(secret, a.date, a.region, a.service), sts))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(a.signature))) {
		return ddberr.New(ddberr.InvalidSignature, msgMismatch)
	}
	return nil
}

func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalRequest is SigV4's canonical form of r over the signed headers.
func canonicalRequest(r *http.Request, signed []string, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r))
	b.WriteByte('\n')
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(headerValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// headerValue is a header's canonical value: its values trimmed, runs of
// spaces collapsed, joined with commas. Host comes from the request line.
func headerValue(r *http.Request, name string) string {
	var vals []string
	switch name {
	case "host":
		vals = []string{r.Host}
	case "content-length":
		if v := r.Header.Values("Content-Length"); len(v) > 0 {
			vals = v
		} else if r.ContentLength >= 0 {
			vals = []string{fmt.Sprint(r.ContentLength)}
		}
	default:
		vals = r.Header.Values(name)
	}
	for i, v := range vals {
		vals[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(vals, ",")
}

func canonicalQuery(r *http.Request) string {
	q := r.URL.Query()
	if len(q) == 0 {
		return ""
	}
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k)+"="+uriEncode(v))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode percent-encodes everything but SigV4's unreserved characters.
func uriEncode(s string) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdig[c>>4])
		b.WriteByte(hexdig[c&15])
	}
	return b.String()
}
