package auth

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// ReadCredentials reads access keys and their secrets, one pair per line
// ("ACCESS_KEY_ID SECRET" or "ACCESS_KEY_ID:SECRET"); blank lines and lines
// starting with '#' are skipped.
func ReadCredentials(r io.Reader) (map[string]string, error) {
	creds := map[string]string{}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		var key, secret string
		if f := strings.Fields(s); len(f) == 2 {
			key, secret = f[0], f[1]
		} else if k, v, ok := strings.Cut(s, ":"); ok && len(f) == 1 {
			key, secret = k, v
		}
		if key == "" || secret == "" {
			return nil, fmt.Errorf("auth: credentials line %d: want \"ACCESS_KEY_ID SECRET\"", line)
		}
		if _, dup := creds[key]; dup {
			return nil, fmt.Errorf("auth: credentials line %d: access key %q listed twice", line, key)
		}
		creds[key] = secret
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("auth: read credentials: %w", err)
	}
	if len(creds) == 0 {
		return nil, fmt.Errorf("auth: no credentials")
	}
	return creds, nil
}

// LoadCredentials reads a credentials file (see ReadCredentials).
func LoadCredentials(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	defer f.Close()
	return ReadCredentials(f)
}
