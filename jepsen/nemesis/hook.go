package nemesis

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"sync"
)

// HookNemesis runs the user's shell commands to start and stop a fault on
// a system ddbkit cannot reach into (any external endpoint). The commands
// run with sh -c and see DDBKIT_FAULT (the fault's name, "hook"),
// DDBKIT_SEED and DDBKIT_FAULT_INDEX (0, 1, ...) in their environment.
type HookNemesis struct {
	StartCmd, StopCmd string
	Seed              int64
	Log               *slog.Logger

	mu     sync.Mutex
	active bool
	n      int
}

// Faults is ["hook"] when a start command is set.
func (h *HookNemesis) Faults() []string {
	if h.StartCmd == "" {
		return nil
	}
	return []string{Hook}
}

// Start runs the start command.
func (h *HookNemesis) Start(ctx context.Context, f Fault) (string, error) {
	h.mu.Lock()
	i := h.n
	h.n++
	h.active = true
	h.mu.Unlock()
	if err := h.run(ctx, h.StartCmd, f, i); err != nil {
		return "", err
	}
	return "start-cmd #" + strconv.Itoa(i), nil
}

// Stop runs the stop command.
func (h *HookNemesis) Stop(ctx context.Context, f Fault) error {
	h.mu.Lock()
	h.active = false
	i := h.n - 1
	h.mu.Unlock()
	return h.run(ctx, h.StopCmd, f, i)
}

// Heal runs the stop command if a fault is active.
func (h *HookNemesis) Heal(ctx context.Context) error {
	h.mu.Lock()
	active := h.active
	h.mu.Unlock()
	if !active {
		return nil
	}
	return h.Stop(ctx, Fault{Name: Hook})
}

// WaitHealthy trusts the stop command; the run's final reads retry until
// the endpoint answers.
func (h *HookNemesis) WaitHealthy(context.Context) error { return nil }

func (h *HookNemesis) run(ctx context.Context, cmd string, f Fault, i int) error {
	if cmd == "" {
		return nil
	}
	c := exec.CommandContext(ctx, "sh", "-c", cmd)
	c.Env = append(os.Environ(),
		"DDBKIT_FAULT="+f.Name,
		"DDBKIT_SEED="+strconv.FormatInt(h.Seed, 10),
		"DDBKIT_FAULT_INDEX="+strconv.Itoa(i),
	)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	err := c.Run()
	if h.Log != nil {
		h.Log.Info("nemesis: hook", "cmd", cmd, "output", out.String(), "err", err)
	}
	if err != nil {
		return fmt.Errorf("nemesis: hook %q: %w: %s", cmd, err, out.Bytes())
	}
	return nil
}
