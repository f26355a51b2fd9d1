package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/ddbkit/ddbkit/internal/target"
	"github.com/ddbkit/ddbkit/reference/api"
	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/server"
)

var bg = context.Background()

// clock is an injectable clock the tests move by hand.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// engine is an in-memory engine behind a loopback HTTP server, with its
// background work driven by the test (h.RunBackgroundOnce).
type engine struct {
	h     *api.Handler
	cat   *catalog.Catalog
	clock *clock
	c     *dynamodb.Client
}

func startEngine(t *testing.T) *engine { return startEngineWith(t, 0) }

// startEngineWith starts an engine whose item collections (tables with
// LSIs) are limited to collectionLimit bytes (0: DynamoDB's 10 GB).
func startEngineWith(t *testing.T, collectionLimit int64) *engine {
	t.Helper()
	e := &engine{clock: newClock()}
	e.cat = catalog.New(catalog.Options{Partitions: 4, Now: e.clock.Now})
	e.h = api.New(e.cat, api.Options{Now: e.clock.Now, Background: api.Background{Disabled: true}, ItemCollectionLimit: collectionLimit})
	srv := httptest.NewServer(e.h) // listens on 127.0.0.1
	t.Cleanup(func() { srv.Close(); e.h.Close() })
	e.c = sdkClient(t, srv.URL)
	return e
}

// startServer starts the reference server (reference/server) on a free
// loopback port.
func startServer(t testing.TB) *dynamodb.Client {
	t.Helper()
	srv, err := server.Start(bg, server.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return sdkClient(t, srv.URL())
}

func sdkClient(t testing.TB, url string) *dynamodb.Client {
	t.Helper()
	c, err := target.NewClient(bg, target.Options{EndpointURL: url, RawValidation: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var tableSeq atomic.Int64

// createTable creates a PAY_PER_REQUEST table with string key "pk" and,
// unless rangeType is "", a sort key "sk".
func createTable(t testing.TB, c *dynamodb.Client, rangeType types.ScalarAttributeType) string {
	t.Helper()
	in := tableInput(rangeType)
	if _, err := c.CreateTable(bg, in); err != nil {
		t.Fatal(err)
	}
	return *in.TableName
}

func tableInput(rangeType types.ScalarAttributeType) *dynamodb.CreateTableInput {
	name := fmt.Sprintf("tbl%03d", tableSeq.Add(1))
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	}
	if rangeType != "" {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String("sk"), AttributeType: rangeType})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange})
	}
	return in
}

func apiErr(err error) (code, msg string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	if err != nil {
		return "non-API error", err.Error()
	}
	return "", ""
}

func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	gotCode, gotMsg := apiErr(err)
	if gotCode != code || (msg != "" && gotMsg != msg) {
		t.Fatalf("error = %s: %q\nwant    %s: %q", gotCode, gotMsg, code, msg)
	}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

type item = map[string]types.AttributeValue

func key(pk string) item { return item{"pk": s(pk)} }

func num(it item, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberN); ok {
		return v.Value
	}
	return ""
}
