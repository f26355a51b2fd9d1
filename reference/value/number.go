package value

import (
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/ddbkit/ddbkit/reference/ddberr"
)

// Number limits from the Developer Guide ("Number" under Data types):
// up to 38 significant digits; positive range 1E-130 to
// 9.9999999999999999999999999999999999999E+125, and the same negative.
const (
	MaxDigits   = 38
	MaxExponent = 125  // largest adjusted exponent
	MinExponent = -130 // smallest adjusted exponent
)

// Context is the decimal context for DynamoDB arithmetic: 38 digits of
// precision and DynamoDB's exponent range. Results that do not fit are
// errors, never silently rounded beyond 38 digits.
var arith = apd.Context{
	Precision:   MaxDigits,
	MaxExponent: MaxExponent,
	MinExponent: MinExponent,
	Traps:       apd.Overflow | apd.Underflow | apd.InvalidOperation | apd.DivisionByZero,
	Rounding:    apd.RoundHalfEven,
}

// Error messages DynamoDB sends for bad numbers.
const (
	msgNotNumeric = "The parameter cannot be converted to a numeric value"
	msgOverflow   = "Number overflow. Attempting to store a number with magnitude larger than supported range"
	msgUnderflow  = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
	msgDigits     = "Attempting to store more than 38 significant digits in a Number"
)

// ParseNumber parses DynamoDB number text and checks its precision and range.
// It accepts what DynamoDB accepts: an optional sign, digits with an optional
// decimal point, an optional exponent; no spaces, no Infinity or NaN.
func ParseNumber(s string) (*apd.Decimal, error) {
	if s == "" {
		return nil, ddberr.New(ddberr.Validation, msgNotNumeric)
	}
	if !numberSyntax(s) {
		return nil, ddberr.New(ddberr.Validation, msgNotNumeric+": "+s)
	}
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return nil, ddberr.New(ddberr.Validation, msgNotNumeric+": "+s)
	}
	if err := checkRange(d); err != nil {
		return nil, err
	}
	return d, nil
}

// numberSyntax reports whether s is [+-]?(digits[.digits?]|.digits)([eE][+-]?digits)?
func numberSyntax(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		ed := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			ed++
		}
		if ed == 0 {
			return false
		}
	}
	return i == len(s)
}

// checkRange validates significant digits and magnitude of d.
func checkRange(d *apd.Decimal) error {
	if d.IsZero() {
		return nil
	}
	var r apd.Decimal
	r.Reduce(d)
	if r.NumDigits() > MaxDigits {
		return ddberr.New(ddberr.Validation, msgDigits)
	}
	adj := r.Exponent + int32(r.NumDigits()) - 1
	if adj > MaxExponent {
		return ddberr.New(ddberr.Validation, msgOverflow)
	}
	if adj < MinExponent {
		return ddberr.New(ddberr.Validation, msgUnderflow)
	}
	return nil
}

// FormatNumber returns the canonical text of d: no exponent, no leading or
// trailing zeros, no "+" sign, "0" for any zero. This is how DynamoDB
// returns numbers.
func FormatNumber(d *apd.Decimal) string {
	if d.IsZero() {
		return "0"
	}
	var r apd.Decimal
	r.Reduce(d)
	return r.Text('f')
}

// CanonicalNumber validates number text and returns its canonical form.
func CanonicalNumber(s string) (string, error) {
	d, err := ParseNumber(s)
	if err != nil {
		return "", err
	}
	return FormatNumber(d), nil
}

// Decimal parses canonical number text held by a Value. It panics if the text
// is not a number, which would mean a Value was built without validation.
func Decimal(s string) *apd.Decimal {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		panic("value: invalid canonical number " + s)
	}
	return d
}

// CompareNumbers compares two canonical number texts numerically.
func CompareNumbers(a, b string) int {
	if a == b {
		return 0
	}
	return Decimal(a).Cmp(Decimal(b))
}

// AddNumbers returns a+b (sub=false) or a-b (sub=true) as canonical text, or a
// ValidationException if the result leaves DynamoDB's range or precision.
func AddNumbers(a, b string, sub bool) (string, error) {
	x, y := Decimal(a), Decimal(b)
	var z apd.Decimal
	var err error
	if sub {
		_, err = arith.Sub(&z, x, y)
	} else {
		_, err = arith.Add(&z, x, y)
	}
	if err != nil {
		if strings.Contains(err.Error(), "underflow") {
			return "", ddberr.New(ddberr.Validation, msgUnderflow)
		}
		return "", ddberr.New(ddberr.Validation, msgOverflow)
	}
	// apd rounds to 38 digits; DynamoDB rejects inexact results with more
	// than 38 significant digits rather than rounding them.
	var exact apd.Decimal
	wide := apd.BaseContext.WithPrecision(200)
	if sub {
		_, _ = wide.Sub(&exact, x, y)
	} else {
		_, _ = wide.Add(&exact, x, y)
	}
	if exact.Cmp(&z) != 0 {
		return "", ddberr.New(ddberr.Validation, msgDigits)
	}
	if err := checkRange(&z); err != nil {
		return "", err
	}
	return FormatNumber(&z), nil
}
