package history

import (
	"errors"
	"net"
	"syscall"

	"github.com/aws/smithy-go"
)

// notApplied are the DynamoDB error types that certainly mean "the request
// was not applied": the service rejected it before or instead of changing
// anything (see the Error Handling page of the DynamoDB developer guide:
// 400-class errors other than those that are retried as 500s).
var notApplied = map[string]bool{
	"ConditionalCheckFailedException":          true,
	"ValidationException":                      true,
	"ResourceNotFoundException":                true,
	"ResourceInUseException":                   true,
	"ItemCollectionSizeLimitExceededException": true,
	"ProvisionedThroughputExceededException":   true,
	"ThrottlingException":                      true,
	"RequestLimitExceeded":                     true,
	"LimitExceededException":                   true,
	"TransactionCanceledException":             true,
	"TransactionConflictException":             true,
	"AccessDeniedException":                    true,
	"UnrecognizedClientException":              true,
	"MissingAuthenticationTokenException":      true,
	"InvalidSignatureException":                true,
	"IncompleteSignatureException":             true,
	"SerializationException":                   true,
	"UnknownOperationException":                true,
}

// Classify maps the error of a DynamoDB request made with aws-sdk-go-v2 to
// the completion type of the operation:
//
//   - nil: OK.
//   - an error response whose type certainly means "not applied"
//     (ConditionalCheckFailedException, ValidationException, throttling, ...):
//     Fail.
//   - a connection that could not be opened (refused, unreachable, DNS): the
//     request was never sent, so Fail.
//   - anything else — a timeout or deadline, a connection reset or closed
//     after the request was written, a response that could not be decoded,
//     InternalServerError, ServiceUnavailable, an unknown error type: Info.
//     The request may have been applied, or may still be applied later.
//
// When in doubt the answer is Info: calling an applied write "failed" would
// make a checker accept a database that loses acknowledged-as-failed writes
// it then applies; calling a failed write "info" only costs checking time.
func Classify(err error) Type {
	if err == nil {
		return OK
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if notApplied[apiErr.ErrorCode()] {
			return Fail
		}
		return Info
	}
	if neverSent(err) {
		return Fail
	}
	return Info
}

// neverSent reports whether err means the connection was never established
// (refused, unreachable, DNS failure, dial timeout), so no byte of the
// request reached the server.
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}
