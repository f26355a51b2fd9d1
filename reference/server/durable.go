package server

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ddbkit/ddbkit/reference/catalog"
	"github.com/ddbkit/ddbkit/reference/cmdlog"
	"github.com/ddbkit/ddbkit/reference/partition"
	"github.com/ddbkit/ddbkit/reference/value"
)

// durable is the single-node engine's persistence: one command log per data
// directory holding table changes and partition commands in apply order.
// On open the log is replayed and then compacted into a fresh log that holds
// only the current tables and items.
type durable struct {
	dir string
	cat *catalog.Catalog
	log *cmdlog.Log
}

// record is one log entry.
type record struct {
	Kind  string             `json:"k"` // create | update | delete | cmd
	Table *catalog.Table     `json:"t,omitempty"`
	Name  string             `json:"n,omitempty"`
	ID    string             `json:"id,omitempty"`
	Part  int                `json:"p,omitempty"`
	Cmd   *partition.Command `json:"c,omitempty"`
}

// partLog adapts the node log to one partition's partition.CommandLog.
type partLog struct {
	d         *durable
	table, id string
	part      int
}

func (p partLog) Enqueue(cmd *partition.Command) func(context.Context) error {
	if p.d.log == nil { // replaying
		return nil
	}
	b, err := json.Marshal(record{Kind: "cmd", Name: p.table, ID: p.id, Part: p.part, Cmd: cmd})
	if err != nil {
		return func(context.Context) error { return fmt.Errorf("server: encode command: %w", err) }
	}
	return p.d.log.Enqueue(b)
}

func openDurable(dir string, fsync bool, copts *catalog.Options) (*durable, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("server: data dir: %w", err)
	}
	d := &durable{dir: dir}
	copts.Replicas = func(t *catalog.Table, p *catalog.Partition) (partition.Replica, error) {
		p.State = partition.NewState(t.Schema)
		return partition.NewLocal(p.State, partLog{d: d, table: t.Name, id: t.ID, part: p.ID}), nil
	}
	copts.OnChange = func(kind string, t *catalog.Table) error {
		if d.log == nil {
			return nil
		}
		rec := record{Kind: kind, Table: t}
		if kind == "delete" {
			rec = record{Kind: kind, Name: t.Name, ID: t.ID}
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("server: encode table change: %w", err)
		}
		return d.log.Append(context.Background(), b)
	}
	d.cat = catalog.New(*copts)

	path := filepath.Join(dir, "engine.log")
	old, err := cmdlog.Open(path, fsync, d.replay)
	if err != nil {
		return nil, err
	}
	if err := old.Close(); err != nil {
		return nil, err
	}
	if err := d.compact(path, fsync); err != nil {
		return nil, err
	}
	if d.log, err = cmdlog.Open(path, fsync, func([]byte) error { return nil }); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *durable) replay(b []byte) error {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("decode record: %w", err)
	}
	switch r.Kind {
	case "create":
		for _, p := range r.Table.Partitions {
			p.Replica, p.State = nil, nil
		}
		_, err := d.cat.Create(r.Table)
		return err
	case "update":
		_, err := d.cat.Update(r.Table.Name, func(t *catalog.Table) error {
			parts := t.Partitions
			*t = *r.Table
			t.Partitions = parts
			return nil
		})
		return err
	case "delete":
		_, err := d.cat.Delete(r.Name)
		return err
	case "cmd":
		t, err := d.cat.Get(r.Name)
		if err != nil || t.ID != r.ID || r.Part >= len(t.Partitions) {
			return fmt.Errorf("command for unknown table %s/%s partition %d", r.Name, r.ID, r.Part)
		}
		_, err = t.Partitions[r.Part].Replica.Propose(context.Background(), r.Cmd)
		return err
	}
	return fmt.Errorf("unknown record kind %q", r.Kind)
}

// compact writes the current state as a new log and atomically replaces
// the old one.
func (d *durable) compact(path string, fsync bool) error {
	tmp := path + ".compact"
	_ = os.Remove(tmp)
	l, err := cmdlog.Open(tmp, fsync, func([]byte) error { return nil })
	if err != nil {
		return err
	}
	ctx := context.Background()
	var wait []func(context.Context) error
	add := func(r record) error {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		wait = append(wait, l.Enqueue(b))
		return nil
	}
	for _, t := range d.cat.Tables() {
		if err := add(record{Kind: "create", Table: t}); err != nil {
			l.Close()
			return err
		}
		for _, p := range t.Partitions {
			var ferr error
			p.State.Scan(nil, nil, false, func(_ []byte, item value.Item) bool {
				ferr = add(record{Kind: "cmd", Name: t.Name, ID: t.ID, Part: p.ID,
					Cmd: &partition.Command{Op: partition.OpPut, Key: t.Schema.KeyOnly(item), Item: item}})
				return ferr == nil
			})
			if ferr != nil {
				l.Close()
				return ferr
			}
			// Prepared transaction writes survive compaction: a transaction
			// decided COMMITTED whose commit has not reached this partition
			// yet must still find its prepared write after a restart.
			for _, cmd := range p.State.PreparedCommands() {
				if err := add(record{Kind: "cmd", Name: t.Name, ID: t.ID, Part: p.ID, Cmd: cmd}); err != nil {
					l.Close()
					return err
				}
			}
		}
	}
	for _, w := range wait {
		if err := w(ctx); err != nil {
			l.Close()
			return err
		}
	}
	if err := l.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("server: install compacted log: %w", err)
	}
	if df, err := os.Open(d.dir); err == nil {
		_ = df.Sync()
		df.Close()
	}
	return nil
}

func (d *durable) close() error {
	if d.log == nil {
		return nil
	}
	return d.log.Close()
}
