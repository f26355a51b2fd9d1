package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"

	"github.com/ddbkit/ddbkit/internal/target"
)

// syncBuffer is a bytes.Buffer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serve --auth FILE accepts requests signed with a listed key and refuses
// others with DynamoDB's errors; a bad file stops it before it listens.
func TestServeAuth(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "keys")
	if err := os.WriteFile(good, []byte("# test keys\nAKIDTEST s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("only-one-field\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := newServeCmd()
	cmd.SetArgs([]string{"--addr", "127.0.0.1:0", "--auth", bad})
	cmd.SetOut(&syncBuffer{})
	if err := cmd.ExecuteContext(context.Background()); err == nil || !strings.Contains(err.Error(), "--auth") {
		t.Fatalf("serve with a malformed credentials file: %v, want an --auth error", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	cmd = newServeCmd()
	cmd.SetArgs([]string{"--addr", "127.0.0.1:0", "--auth", good})
	cmd.SetOut(out)
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		url = strings.TrimSpace(out.String())
	}
	if url == "" {
		t.Fatal("serve printed no URL within 10s")
	}
	call := func(key, secret string) error {
		c, err := target.NewClient(ctx, target.Options{EndpointURL: url, AccessKeyID: key, SecretAccessKey: secret, RawValidation: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListTables(ctx, &dynamodb.ListTablesInput{})
		return err
	}
	if err := call("AKIDTEST", "s3cret"); err != nil {
		t.Fatalf("listed key: %v", err)
	}
	for _, tc := range []struct{ key, secret, code string }{
		{"AKIDTEST", "wrong", "InvalidSignatureException"},
		{"OTHER", "s3cret", "UnrecognizedClientException"},
	} {
		var api smithy.APIError
		if err := call(tc.key, tc.secret); !errors.As(err, &api) || api.ErrorCode() != tc.code {
			t.Fatalf("key %s secret %s: %v, want %s", tc.key, tc.secret, err, tc.code)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
