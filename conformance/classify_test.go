package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func TestClassify(t *testing.T) {
	answered := func(status int, err error) error {
		return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err}
	}
	cases := []struct {
		name          string
		err           error
		indeterminate bool
	}{
		{"no error", nil, false},
		{"a conformance answer", &smithy.GenericAPIError{Code: "ValidationException", Message: "x"}, false},
		{"throttling", &smithy.GenericAPIError{Code: "ThrottlingException"}, true},
		{"throughput exceeded", &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException"}, true},
		{"internal server error", &smithy.GenericAPIError{Code: "InternalServerError"}, true},
		{"connection refused", errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), true},
		{"cancelled by the caller", fmt.Errorf("op: %w", context.Canceled), false},
		{"a 200 whose body cannot be read (corrupt answer)", answered(200, errors.New("deserialization failed")), false},
		{"a 503 without a DynamoDB body", answered(503, errors.New("deserialization failed")), true},
		{"a connection closed while reading the answer", answered(200, fmt.Errorf("deserialization failed, read tcp: %w", net.ErrClosed)), true},
		{"an answer cut short", answered(200, fmt.Errorf("deserialization failed: %w", io.ErrUnexpectedEOF)), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := classify(c.err) != ""; got != c.indeterminate {
				t.Errorf("classify(%v) indeterminate = %v, want %v", c.err, got, c.indeterminate)
			}
		})
	}
}
