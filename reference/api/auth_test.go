package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/ddbkit/ddbkit/internal/target"
	"github.com/ddbkit/ddbkit/reference/api"
	"github.com/ddbkit/ddbkit/reference/auth"
	"github.com/ddbkit/ddbkit/reference/catalog"
)

// With Options.Auth the handler serves requests signed with a known
// secret and answers every other one with DynamoDB's authentication error,
// before it looks at the operation; without it any credentials pass.
func TestHandlerAuth(t *testing.T) {
	cat := catalog.New(catalog.Options{Partitions: 2})
	h := api.New(cat, api.Options{Background: api.Background{Disabled: true},
		Auth: auth.New(auth.Options{Credentials: map[string]string{"AKID": "secret"}})})
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); h.Close() })
	open := api.New(catalog.New(catalog.Options{Partitions: 2}), api.Options{Background: api.Background{Disabled: true}})
	openSrv := httptest.NewServer(open)
	t.Cleanup(func() { openSrv.Close(); open.Close() })

	client := func(url, key, secret string) *dynamodb.Client {
		c, err := target.NewClient(bg, target.Options{EndpointURL: url, RawValidation: true, AccessKeyID: key, SecretAccessKey: secret})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name, url, key, secret string
		code                   string
	}{
		{"known key", srv.URL, "AKID", "secret", ""},
		{"wrong secret", srv.URL, "AKID", "nope", "InvalidSignatureException"},
		{"unknown key", srv.URL, "who", "secret", "UnrecognizedClientException"},
		{"no auth configured", openSrv.URL, "who", "anything", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client(tc.url, tc.key, tc.secret).ListTables(bg, &dynamodb.ListTablesInput{})
			if code, _ := apiErr(err); code != tc.code {
				t.Fatalf("ListTables: %v, want %q", err, tc.code)
			}
		})
	}

	// An unsigned request, even for an unknown operation: the
	// authentication error comes first, in the coral service namespace.
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.NoSuchOperation")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = io.Copy(&b, resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b.String(), `"com.amazon.coral.service#MissingAuthenticationTokenException"`) {
		t.Fatalf("unsigned request: %d %s", resp.StatusCode, b.String())
	}
}
