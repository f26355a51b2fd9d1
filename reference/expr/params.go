package expr

import (
	"sort"
	"strings"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/value"
)

// Params holds a request's ExpressionAttributeNames and
// ExpressionAttributeValues and records which of them the request's
// expressions used, so that CheckUnused can reject the leftovers as
// DynamoDB does. One Params serves all the expressions of one request.
type Params struct {
	names     map[string]string
	values    map[string]value.Value
	usedNames map[string]bool
	usedVals  map[string]bool
}

// NewParams returns Params for a request. nil maps mean the parameter was
// absent.
func NewParams(names map[string]string, values map[string]value.Value) *Params {
	return &Params{
		names:     names,
		values:    values,
		usedNames: map[string]bool{},
		usedVals:  map[string]bool{},
	}
}

// Validate checks the two maps themselves, before any expression is parsed:
// present but empty maps, and keys that are not "#name" / ":name" tokens.
// namesGiven/valuesGiven say whether the request carried the parameters,
// which tells a missing map from an empty one.
func (p *Params) Validate(namesGiven, valuesGiven bool) error {
	if namesGiven {
		if len(p.names) == 0 {
			return ddberr.Validationf("ExpressionAttributeNames must not be empty")
		}
		for _, k := range sortedKeys(p.names) {
			if !validRefKey(k, '#') {
				return ddberr.Validationf("ExpressionAttributeNames contains invalid key: Syntax error; key: \"%s\"", k)
			}
		}
	}
	if valuesGiven {
		if len(p.values) == 0 {
			return ddberr.Validationf("ExpressionAttributeValues must not be empty")
		}
		keys := make([]string, 0, len(p.values))
		for k := range p.values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !validRefKey(k, ':') {
				return ddberr.Validationf("ExpressionAttributeValues contains invalid key: Syntax error; key: \"%s\"", k)
			}
		}
	}
	return nil
}

func validRefKey(k string, prefix byte) bool {
	if len(k) < 2 || k[0] != prefix {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !isWordByte(k[i]) {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// name resolves an expression attribute name, marking it used.
func (p *Params) name(ref string) (string, bool) {
	n, ok := p.names[ref]
	if ok {
		p.usedNames[ref] = true
	}
	return n, ok
}

// value resolves an expression attribute value, marking it used.
func (p *Params) value(ref string) (value.Value, bool) {
	v, ok := p.values[ref]
	if ok {
		p.usedVals[ref] = true
	}
	return v, ok
}

// CheckUnused returns DynamoDB's error for names or values that no
// expression of the request used. Names are reported before values; keys
// are listed in sorted order so the message is deterministic.
func (p *Params) CheckUnused() error {
	var unused []string
	for k := range p.names {
		if !p.usedNames[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return ddberr.Validationf("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", strings.Join(unused, ", "))
	}
	for k := range p.values {
		if !p.usedVals[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return ddberr.Validationf("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", strings.Join(unused, ", "))
	}
	return nil
}
