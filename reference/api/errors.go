package api

import (
	"errors"
	"net/http"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// namespace returns the "__type" prefix DynamoDB uses for an error type.
func namespace(typ string) string {
	switch typ {
	case ddberr.Validation:
		return "com.amazon.coral.validate#"
	case ddberr.Serialization, ddberr.UnknownOperation, ddberr.MissingAuthToken,
		ddberr.InvalidSignature, ddberr.AccessDenied, "RequestEntityTooLarge", "UnrecognizedClientException", "IncompleteSignatureException":
		return "com.amazon.coral.service#"
	}
	return "com.amazonaws.dynamodb.v20120810#"
}

// encodeError returns the HTTP status and JSON body for err.
func encodeError(err error) (int, []byte) {
	var de *ddberr.Error
	if !errors.As(err, &de) {
		de = ddberr.New(ddberr.InternalServer, "Internal server error")
	}
	status := http.StatusBadRequest
	switch de.Type {
	case ddberr.InternalServer:
		status = http.StatusInternalServerError
	case ddberr.ServiceUnavailable:
		status = http.StatusServiceUnavailable
	case "RequestEntityTooLarge":
		status = http.StatusRequestEntityTooLarge
	}
	b := []byte(`{"__type":`)
	b = value.AppendString(b, namespace(de.Type)+de.Type)
	if de.Message != "" {
		b = append(b, `,"message":`...)
		b = value.AppendString(b, de.Message)
	}
	for k, v := range de.Payload {
		b = append(b, ',')
		b = value.AppendString(b, k)
		b = append(b, ':')
		b = appendAny(b, v)
	}
	return status, append(b, '}')
}
