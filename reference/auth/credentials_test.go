package auth

import (
	"maps"
	"strings"
	"testing"
)

func TestReadCredentials(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     map[string]string
		err      string
	}{
		{"pairs", "# keys\nAKID secret\n\nother:s2\n", map[string]string{"AKID": "secret", "other": "s2"}, ""},
		{"secret with colon after a space", "AKID se:cret\n", map[string]string{"AKID": "se:cret"}, ""},
		{"one field", "AKID\n", nil, "line 1"},
		{"three fields", "a b c\n", nil, "line 1"},
		{"empty secret", "AKID:\n", nil, "line 1"},
		{"duplicate", "a x\na y\n", nil, "listed twice"},
		{"nothing", "# none\n", nil, "no credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadCredentials(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || !maps.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
