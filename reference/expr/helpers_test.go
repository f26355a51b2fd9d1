package expr

import (
	"errors"
	"testing"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// names and vals build ExpressionAttributeNames / Values for tests.
func names(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func vals(kv ...any) map[string]value.Value {
	m := map[string]value.Value{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(value.Value)
	}
	return m
}

var (
	n  = value.Num
	s  = value.Str
	b  = func(x string) value.Value { return value.Bin([]byte(x)) }
	l  = value.List
	ss = value.StrSet
	ns = value.NumSet
	bs = func(x ...string) value.Value {
		out := make([][]byte, len(x))
		for i := range x {
			out[i] = []byte(x[i])
		}
		return value.BinSet(out...)
	}
)

func m(kv ...any) value.Value {
	mm := map[string]value.Value{}
	for i := 0; i < len(kv); i += 2 {
		mm[kv[i].(string)] = kv[i+1].(value.Value)
	}
	return value.Map(mm)
}

func item(kv ...any) value.Item {
	it := value.Item{}
	for i := 0; i < len(kv); i += 2 {
		it[kv[i].(string)] = kv[i+1].(value.Value)
	}
	return it
}

// wantValidation checks err is a ValidationException with exactly msg.
func wantValidation(t *testing.T, err error, msg string) {
	t.Helper()
	var de *ddberr.Error
	if !errors.As(err, &de) {
		t.Fatalf("error = %v, want ValidationException %q", err, msg)
	}
	if de.Type != ddberr.Validation || de.Message != msg {
		t.Fatalf("error = %s: %q\nwant ValidationException: %q", de.Type, de.Message, msg)
	}
}

// lang names a parser for table-driven tests.
type lang int

const (
	langCond lang = iota
	langFilter
	langUpdate
	langProj
	langKey
)

func parseIn(p *Params, lg lang, src string) (any, error) {
	switch lg {
	case langCond:
		return p.ParseCondition(src)
	case langFilter:
		return p.ParseFilter(src)
	case langUpdate:
		return p.ParseUpdate(src)
	case langProj:
		return p.ParseProjection(src)
	default:
		return p.ParseKeyCondition(src)
	}
}
