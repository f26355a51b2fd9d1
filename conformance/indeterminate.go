package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"

	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// indeterminateErrorCodes are server answers that say nothing about
// conformance: the endpoint was overloaded or broke, not wrong. A spec that
// meets one is counted apart (neither passed nor failed), as the Parity
// Suite does for timeouts, throttling and transport faults.
var indeterminateErrorCodes = map[string]bool{
	"ThrottlingException":                    true,
	"ProvisionedThroughputExceededException": true,
	"RequestLimitExceeded":                   true,
	"InternalServerError":                    true,
	"ServiceUnavailable":                     true,
	"ServiceUnavailableException":            true,
}

// indeterminacy remembers the first indeterminate outcome seen since the
// last reset. Specs of one worker run one at a time, so "since the last
// reset" is "during the current spec".
type indeterminacy struct {
	mu     sync.Mutex
	reason string
}

func (d *indeterminacy) note(reason string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.reason == "" {
		d.reason = reason
	}
}

// take returns the recorded reason and resets it.
func (d *indeterminacy) take() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := d.reason
	d.reason = ""
	return r
}

// classify reports why err makes an outcome indeterminate, or "".
func classify(err error) string {
	if err == nil {
		return ""
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		if indeterminateErrorCodes[api.ErrorCode()] {
			return api.ErrorCode() + ": " + api.ErrorMessage()
		}
		return ""
	}
	if errors.Is(err, context.Canceled) {
		return ""
	}
	// A connection that broke while the answer was being read is a
	// transport fault, whoever closed it.
	if errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return "transport: " + err.Error()
	}
	// The endpoint answered, and the whole answer could not be read as a
	// DynamoDB response (not JSON, wrong shape): that is the endpoint's
	// fault, not the network's, unless it answered 5xx.
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() > 0 && re.HTTPStatusCode() < 500 {
		return ""
	}
	return "transport: " + err.Error()
}

// middleware runs first in the Finalize step, after serialization, so it
// sees what came back from the wire (or failed to), not client-side
// parameter errors.
func (d *indeterminacy) middleware(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("ddbkitIndeterminacy",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleFinalize(ctx, in)
			if r := classify(err); r != "" {
				d.note(fmt.Sprintf("%s", r))
			}
			return out, md, err
		}), middleware.Before)
}
