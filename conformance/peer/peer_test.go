package peer

import (
	"context"
	"errors"
	"testing"
)

func TestNotInstalled(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []Kind{Dynalite, DynamoDBLocal} {
		if Installed(k, dir) {
			t.Errorf("%s reported installed in an empty directory", k)
		}
		if _, err := Start(context.Background(), k, Options{Dir: dir}); !errors.Is(err, ErrNotInstalled) {
			t.Errorf("%s: Start in an empty directory: %v, want ErrNotInstalled", k, err)
		}
	}
	if _, err := Start(context.Background(), "cassandra", Options{Dir: dir}); err == nil || errors.Is(err, ErrNotInstalled) {
		t.Errorf("unknown kind: %v", err)
	}
}
