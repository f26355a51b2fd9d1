package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// env is what every spec of one run shares: the client, a run id that makes
// table names and keys unique across concurrent runs against one endpoint,
// and a counter that makes them unique inside a run.
type env struct {
	ctx   context.Context
	ddb   *dynamodb.Client
	runID string
	seq   atomic.Int64
	ind   *indeterminacy
}

// name returns a fresh table name for area.
func (e *env) name(area string) string {
	return fmt.Sprintf("ddbkit-%s-%s-%d", area, e.runID, e.seq.Add(1))
}

// key returns a fresh string key value.
func (e *env) key() string {
	return fmt.Sprintf("k-%s-%d", e.runID, e.seq.Add(1))
}

// keyAttr describes one key attribute.
type keyAttr struct{ Name, Type string }

// tableDef is a table's key schema (Range optional).
type tableDef struct {
	Hash  keyAttr
	Range *keyAttr
}

func hashOnly(name, typ string) tableDef { return tableDef{Hash: keyAttr{name, typ}} }
func hashRange(h, ht, r, rt string) tableDef {
	return tableDef{Hash: keyAttr{h, ht}, Range: &keyAttr{r, rt}}
}

func (d tableDef) input(name string) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{
			AttributeName: aws.String(d.Hash.Name), AttributeType: types.ScalarAttributeType(d.Hash.Type)}},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String(d.Hash.Name), KeyType: types.KeyTypeHash}},
	}
	if d.Range != nil {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(d.Range.Name), AttributeType: types.ScalarAttributeType(d.Range.Type)})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{
			AttributeName: aws.String(d.Range.Name), KeyType: types.KeyTypeRange})
	}
	return in
}

// createTable creates a table from in and waits until it is ACTIVE.
func (e *env) createTable(in *dynamodb.CreateTableInput) error {
	if _, err := e.ddb.CreateTable(e.ctx, in); err != nil {
		return fmt.Errorf("create table %s: %w", aws.ToString(in.TableName), err)
	}
	return e.waitActive(aws.ToString(in.TableName))
}

// waitActive polls DescribeTable until the table is ACTIVE (DynamoDB
// creates tables asynchronously: CREATING, then ACTIVE).
func (e *env) waitActive(name string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for delay := 10 * time.Millisecond; ; delay = min(delay*2, 500*time.Millisecond) {
		out, err := e.ddb.DescribeTable(e.ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("describe table %s: %w", name, err)
		}
		if out.Table.TableStatus == types.TableStatusActive {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("table %s still %s after 2m", name, out.Table.TableStatus)
		}
		time.Sleep(delay)
	}
}

// deleteTable deletes a table, tolerating one that is already gone.
func (e *env) deleteTable(name string) {
	_, err := e.ddb.DeleteTable(e.ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	var nf *types.ResourceNotFoundException
	if err != nil && !errors.As(err, &nf) {
		GinkgoWriter.Printf("delete table %s: %v\n", name, err)
	}
}

// newTable creates a table for the current spec and deletes it when the
// spec ends.
func (e *env) newTable(area string, d tableDef) string {
	GinkgoHelper()
	name := e.name(area)
	Expect(e.createTable(d.input(name))).To(Succeed())
	DeferCleanup(e.deleteTable, name)
	return name
}

// sharedTable declares, in the enclosing Ordered container, a table created
// once before its specs and deleted after them. Specs using it stay
// independent by writing only fresh keys (e.key()).
func (e *env) sharedTable(area string, d tableDef) *string {
	name := new(string)
	BeforeAll(func() {
		*name = e.name(area)
		Expect(e.createTable(d.input(*name))).To(Succeed())
	})
	AfterAll(func() {
		if *name != "" {
			e.deleteTable(*name)
		}
	})
	return name
}

// apiErrorMatcher matches an error carrying a DynamoDB error type and,
// optionally, a message (exact, or a substring when the expected message
// starts with "~").
type apiErrorMatcher struct {
	code, msg string
}

// beAPIError matches an error of DynamoDB type code. With msg, the message
// must equal msg exactly, or contain it when msg starts with "~".
func beAPIError(code string, msg ...string) *apiErrorMatcher {
	m := &apiErrorMatcher{code: code}
	if len(msg) > 0 {
		m.msg = msg[0]
	}
	return m
}

func (m *apiErrorMatcher) Match(actual any) (bool, error) {
	if actual == nil {
		return false, nil
	}
	err, ok := actual.(error)
	if !ok {
		return false, fmt.Errorf("beAPIError expects an error, got %T", actual)
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false, nil
	}
	if api.ErrorCode() != m.code {
		return false, nil
	}
	switch {
	case m.msg == "":
		return true, nil
	case strings.HasPrefix(m.msg, "~"):
		return strings.Contains(api.ErrorMessage(), m.msg[1:]), nil
	default:
		return api.ErrorMessage() == m.msg, nil
	}
}

func (m *apiErrorMatcher) describe() string {
	s := m.code
	if strings.HasPrefix(m.msg, "~") {
		s += fmt.Sprintf(" with a message containing %q", m.msg[1:])
	} else if m.msg != "" {
		s += fmt.Sprintf(" with message %q", m.msg)
	}
	return s
}

func describeErr(actual any) string {
	err, _ := actual.(error)
	if err == nil {
		return "no error"
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return fmt.Sprintf("%s: %q", api.ErrorCode(), api.ErrorMessage())
	}
	return fmt.Sprintf("non-API error %v", err)
}

func (m *apiErrorMatcher) FailureMessage(actual any) string {
	return fmt.Sprintf("expected error %s, got %s", m.describe(), describeErr(actual))
}

func (m *apiErrorMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("expected no error %s, got %s", m.describe(), describeErr(actual))
}

// Error types the specs check (com.amazonaws.dynamodb.v20120810#<type>).
const (
	errValidation     = "ValidationException"
	errNotFound       = "ResourceNotFoundException"
	errInUse          = "ResourceInUseException"
	errConditional    = "ConditionalCheckFailedException"
	errSerialization  = "SerializationException"
	errUnknownOp      = "UnknownOperationException"
	errTxCanceled     = "TransactionCanceledException"
	msgInvalidPrefix  = "One or more parameter values were invalid: "
	msgKeyMismatch    = "The provided key element does not match the schema"
	msgNotFoundTable  = "Requested resource not found"
	msgConditionalMsg = "The conditional request failed"
)

// asCCF extracts a ConditionalCheckFailedException from err.
func asCCF(err error, target **types.ConditionalCheckFailedException) bool {
	return errors.As(err, target)
}

// errMessage is the DynamoDB message of err ("" if it is not an API error).
func errMessage(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorMessage()
	}
	return ""
}
