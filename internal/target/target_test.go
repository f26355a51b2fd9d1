package target

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// A custom HTTP client works even with AWS_CA_BUNDLE set (the SDK then
// configures the bundle on it), client-side validation can be removed, and
// retries are off: one request per call.
func TestNewClient(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(500)
		w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"boom"}`))
	}))
	defer srv.Close()
	c, err := NewClient(context.Background(), Options{EndpointURL: srv.URL, RawValidation: true,
		HTTPClient: awshttp.NewBuildableClient()})
	if err != nil {
		t.Fatal(err)
	}
	// DescribeTable without TableName: the SDK would reject it locally; with
	// validation removed it reaches the server.
	_, err = c.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{})
	if err == nil || !strings.Contains(err.Error(), "InternalServerError") {
		t.Fatalf("err = %v", err)
	}
	if calls != 1 {
		t.Fatalf("%d HTTP calls, want 1 (retries off)", calls)
	}
}
