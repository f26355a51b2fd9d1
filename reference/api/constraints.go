package api

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ddbkit/ddbkit/reference/ddberr"
)

// constraints collects the framework-level validation errors DynamoDB
// reports together, at most ten, in its fixed wording:
//
//	1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null
type constraints struct{ errs []string }

func (c *constraints) add(val, path, msg string) {
	if len(c.errs) < 10 {
		c.errs = append(c.errs, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", val, path, msg))
	}
}

func quote(s string) string { return "'" + s + "'" }

// err returns the combined ValidationException, or nil.
func (c *constraints) err() error {
	switch n := len(c.errs); n {
	case 0:
		return nil
	case 1:
		return ddberr.Validationf("1 validation error detected: %s", c.errs[0])
	default:
		return ddberr.Validationf("%d validation errors detected: %s", n, strings.Join(c.errs, "; "))
	}
}

var nameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

// tableName checks a TableName member (required, 3..255, [a-zA-Z0-9_.-]+).
func (c *constraints) tableName(path string, name *string) {
	if name == nil {
		c.add("null", path, "Member must not be null")
		return
	}
	c.name(path, *name)
}

func (c *constraints) name(path, s string) {
	if !nameRE.MatchString(s) {
		c.add(quote(s), path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
	}
	if len(s) < 3 {
		c.add(quote(s), path, "Member must have length greater than or equal to 3")
	}
	if len(s) > 255 {
		c.add(quote(s), path, "Member must have length less than or equal to 255")
	}
}

// tableOpName is the check the table operations (CreateTable,
// DescribeTable, DeleteTable, UpdateTable, DescribeTimeToLive) make before
// any constraint: a name of the wrong length gets its own message, not the
// constraint list. (dynalite's validations, captured from DynamoDB.)
func tableOpName(name *string) error {
	if name != nil && (len(*name) < 3 || len(*name) > 255) {
		return ddberr.Validationf("TableName must be at least 3 characters long and at most 255 characters long")
	}
	return nil
}

// enum checks an optional enumerated member.
func (c *constraints) enum(path string, v *string, allowed ...string) {
	if v == nil {
		return
	}
	for _, a := range allowed {
		if *v == a {
			return
		}
	}
	c.add(quote(*v), path, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
}

// notNull checks a required member.
func (c *constraints) notNull(path string, present bool) {
	if !present {
		c.add("null", path, "Member must not be null")
	}
}
