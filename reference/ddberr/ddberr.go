// Package ddberr is the error vocabulary shared by every layer of the
// reference engine: an error that carries a DynamoDB error type (the part of
// "__type" after '#') and the message DynamoDB sends with it.
//
// Lower layers (value, expr, partition, catalog) return *Error values; the api
// layer turns them into the JSON error envelope with HTTP status 400, or 500
// for InternalServerError. Any other error reaching the api layer is a bug
// and is reported as InternalServerError.
package ddberr

import (
	"errors"
	"fmt"
)

// Error types DynamoDB returns (com.amazonaws.dynamodb.v20120810#<Type>).
const (
	Validation              = "ValidationException"
	Serialization           = "SerializationException"
	UnknownOperation        = "UnknownOperationException"
	ResourceNotFound        = "ResourceNotFoundException"
	ResourceInUse           = "ResourceInUseException"
	ConditionalCheckFailed  = "ConditionalCheckFailedException"
	LimitExceeded           = "LimitExceededException"
	ItemCollectionSizeLimit = "ItemCollectionSizeLimitExceededException"
	TransactionCanceled     = "TransactionCanceledException"
	TransactionConflict     = "TransactionConflictException"
	TransactionInProgress   = "TransactionInProgressException"
	IdempotentMismatch      = "IdempotentParameterMismatchException"
	ThroughputExceeded      = "ProvisionedThroughputExceededException"
	Throttling              = "ThrottlingException"
	MissingAuthToken        = "MissingAuthenticationTokenException"
	InvalidSignature        = "InvalidSignatureException"
	AccessDenied            = "AccessDeniedException"
	InternalServer          = "InternalServerError"
	ServiceUnavailable      = "ServiceUnavailableException"
)

// Error is a DynamoDB error: a type and a message. Payload, when set, is
// merged into the JSON error body (for example "Item" of a
// ConditionalCheckFailedException or "CancellationReasons").
type Error struct {
	Type    string
	Message string
	Payload map[string]any
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// Is reports whether target is an *Error of the same type, so that
// errors.Is(err, &ddberr.Error{Type: ddberr.Validation}) works.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Type == e.Type && (t.Message == "" || t.Message == e.Message)
}

// New returns an error of the given type.
func New(typ, msg string) *Error { return &Error{Type: typ, Message: msg} }

// Newf returns an error of the given type with a formatted message.
func Newf(typ, format string, args ...any) *Error {
	return &Error{Type: typ, Message: fmt.Sprintf(format, args...)}
}

// Validationf returns a ValidationException.
func Validationf(format string, args ...any) *Error {
	return Newf(Validation, format, args...)
}

// Invalid returns the common "One or more parameter values were invalid: ..."
// ValidationException.
func Invalid(format string, args ...any) *Error {
	return Newf(Validation, "One or more parameter values were invalid: "+format, args...)
}

// TypeOf returns the DynamoDB error type of err, or "" when err is not an
// *Error.
func TypeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Type
	}
	return ""
}
