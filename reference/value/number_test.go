package value

import (
	"math/big"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/ddbkit/ddbkit/reference/ddberr"
)

func TestCanonicalNumber(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"0", "0", ""},
		{"-0", "0", ""},
		{"+5", "5", ""},
		{"00012", "12", ""},
		{"1.500", "1.5", ""},
		{"1e2", "100", ""},
		{"1E+2", "100", ""},
		{"-1.25e-3", "-0.00125", ""},
		{".5", "0.5", ""},
		{"5.", "5", ""},
		{"0.000", "0", ""},
		{"12345678901234567890123456789012345678", "12345678901234567890123456789012345678", ""},
		{"1234567890123456789012345678901234567800000", "1234567890123456789012345678901234567800000", ""},
		{"9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + strings.Repeat("0", 88), ""},
		{"1E-130", "0." + strings.Repeat("0", 129) + "1", ""},
		{"123456789012345678901234567890123456789", "", msgDigits},
		{"1E+126", "", msgOverflow},
		{"-1E+126", "", msgOverflow},
		{"1E-131", "", msgUnderflow},
		{"", "", msgNotNumeric},
		{"abc", "", msgNotNumeric + ": abc"},
		{"1e", "", msgNotNumeric + ": 1e"},
		{" 1", "", msgNotNumeric + ":  1"},
		{"Infinity", "", msgNotNumeric + ": Infinity"},
		{"NaN", "", msgNotNumeric + ": NaN"},
		{"0x10", "", msgNotNumeric + ": 0x10"},
		{".", "", msgNotNumeric + ": ."},
		{"--1", "", msgNotNumeric + ": --1"},
	}
	for _, tt := range tests {
		got, err := CanonicalNumber(tt.in)
		if tt.err != "" {
			var de *ddberr.Error
			if err == nil || !asErr(err, &de) || de.Message != tt.err || de.Type != ddberr.Validation {
				t.Errorf("CanonicalNumber(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CanonicalNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func asErr(err error, de **ddberr.Error) bool {
	e, ok := err.(*ddberr.Error)
	*de = e
	return ok
}

// genNumber draws decimal text with up to 38 significant digits and a
// modest exponent, so sums stay in range.
func genNumber(t *rapid.T, label string) string {
	digits := rapid.StringMatching(`[1-9][0-9]{0,20}`).Draw(t, label+"-digits")
	exp := rapid.IntRange(-20, 20).Draw(t, label+"-exp")
	sign := rapid.SampledFrom([]string{"", "-"}).Draw(t, label+"-sign")
	return sign + digits + "e" + big.NewInt(int64(exp)).String()
}

func ratOf(t *rapid.T, s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("model cannot parse %q", s)
	}
	return r
}

// Addition and subtraction are exact (checked against math/big rationals)
// whenever the result fits in 38 digits, and rejected otherwise — never
// silently rounded.
func TestAddNumbersModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genNumber(t, "a"), genNumber(t, "b")
		sub := rapid.Bool().Draw(t, "sub")
		ca, _ := CanonicalNumber(a)
		cb, _ := CanonicalNumber(b)
		got, err := AddNumbers(ca, cb, sub)
		want := new(big.Rat)
		if sub {
			want.Sub(ratOf(t, a), ratOf(t, b))
		} else {
			want.Add(ratOf(t, a), ratOf(t, b))
		}
		if err != nil {
			// Only allowed when the exact result needs more than 38 digits.
			if sigDigits(want) <= MaxDigits {
				t.Fatalf("%s %v %s: unexpected error %v (exact %s)", a, sub, b, err, want.FloatString(60))
			}
			return
		}
		if ratOf(t, got).Cmp(want) != 0 {
			t.Fatalf("%s %v %s = %s, want %s", a, sub, b, got, want.FloatString(40))
		}
		if c, _ := CanonicalNumber(got); c != got {
			t.Fatalf("result %s is not canonical (%s)", got, c)
		}
	})
}

// sigDigits counts the significant digits of an exact decimal rational.
func sigDigits(r *big.Rat) int {
	if r.Sign() == 0 {
		return 1
	}
	s := strings.TrimLeft(r.FloatString(200), "-")
	s = strings.Replace(s, ".", "", 1)
	s = strings.TrimLeft(s, "0")
	s = strings.TrimRight(s, "0")
	return len(s)
}

// Comparison agrees with the rational model, and canonical text round-trips.
func TestCompareNumbersModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genNumber(t, "a"), genNumber(t, "b")
		ca, _ := CanonicalNumber(a)
		cb, _ := CanonicalNumber(b)
		if got, want := CompareNumbers(ca, cb), ratOf(t, a).Cmp(ratOf(t, b)); got != want {
			t.Fatalf("CompareNumbers(%s, %s) = %d, want %d", a, b, got, want)
		}
		if ratOf(t, ca).Cmp(ratOf(t, a)) != 0 {
			t.Fatalf("canonical %s of %s changed the value", ca, a)
		}
	})
}
