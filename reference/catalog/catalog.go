package catalog

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"sync"
	"time"

	"github.com/ddbkit/ddbkit/reference/ddberr"
	"github.com/ddbkit/ddbkit/reference/partition"
)

// ReplicaFactory creates the replica that will serve partition p of table t
// (and may set p.State when the data is held in this process).
type ReplicaFactory func(t *Table, p *Partition) (partition.Replica, error)

// LocalReplicas is the ReplicaFactory of a single-node, in-memory engine.
func LocalReplicas(t *Table, p *Partition) (partition.Replica, error) {
	p.State = partition.NewState(t.Schema)
	return partition.NewLocal(p.State, nil), nil
}

// Options configure a Catalog.
type Options struct {
	// Partitions is the number of partitions a new table starts with
	// (default 4).
	Partitions int
	// Replicas creates partition replicas (default LocalReplicas).
	Replicas ReplicaFactory
	// Now is the clock (default time.Now).
	Now func() time.Time
	// MaxTables limits the number of tables (default 2500, DynamoDB's default
	// per-region quota).
	MaxTables int
	// OnChange, when set, is called under the catalog lock after a table is
	// created, updated or deleted (kind "create", "update", "delete"); an
	// error undoes nothing and is returned to the caller. Durable engines log
	// the change here.
	OnChange func(kind string, t *Table) error
}

// Catalog is the set of tables of one engine.
type Catalog struct {
	opts   Options
	mu     sync.RWMutex
	tables map[string]*Table
}

// New returns an empty catalog.
func New(o Options) *Catalog {
	if o.Partitions < 1 {
		o.Partitions = 4
	}
	if o.Replicas == nil {
		o.Replicas = LocalReplicas
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxTables < 1 {
		o.MaxTables = 2500
	}
	return &Catalog{opts: o, tables: make(map[string]*Table)}
}

// Now returns the catalog clock's time.
func (c *Catalog) Now() time.Time { return c.opts.Now() }

// Get returns the named table or ResourceNotFoundException.
func (c *Catalog) Get(name string) (*Table, error) {
	c.mu.RLock()
	t := c.tables[name]
	c.mu.RUnlock()
	if t == nil || t.Status == StatusDeleting {
		return nil, notFound(name)
	}
	return t, nil
}

func notFound(name string) error {
	return ddberr.Newf(ddberr.ResourceNotFound, "Requested resource not found: Table: %s not found", name)
}

// Create adds a table built by the caller (name, schema, attributes,
// billing), creating its partitions and their replicas.
func (c *Catalog) Create(t *Table) (*Table, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.tables[t.Name]; ok {
		return nil, ddberr.Newf(ddberr.ResourceInUse, "Table already exists: %s", t.Name)
	}
	if !t.System && c.userTables() >= c.opts.MaxTables {
		return nil, ddberr.Newf(ddberr.LimitExceeded, "Subscriber limit exceeded: Only %d tables can be created per region", c.opts.MaxTables)
	}
	if t.ID == "" {
		t.ID = newID()
	}
	if t.Created.IsZero() {
		t.Created = c.opts.Now()
	}
	t.Status = StatusActive
	if len(t.Partitions) == 0 { // a restored table keeps its partition map
		for i, r := range SplitRanges(c.opts.Partitions) {
			t.Partitions = append(t.Partitions, &Partition{ID: i, Lo: r[0], Hi: r[1]})
		}
	}
	for _, p := range t.Partitions {
		rep, err := c.opts.Replicas(t, p)
		if err != nil {
			return nil, err
		}
		p.Replica = rep
	}
	c.tables[t.Name] = t
	if err := c.changed("create", t); err != nil {
		return nil, err
	}
	return t, nil
}

// Delete removes the named table and returns it.
func (c *Catalog) Delete(name string) (*Table, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.tables[name]
	if t == nil {
		return nil, notFound(name)
	}
	if t.DeletionProtection {
		return nil, ddberr.Newf(ddberr.Validation, "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	delete(c.tables, name)
	if err := c.changed("delete", t); err != nil {
		return nil, err
	}
	return t, nil
}

// Update runs fn on a copy of the named table under the catalog's write
// lock and installs the copy.
func (c *Catalog) Update(name string, fn func(t *Table) error) (*Table, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.tables[name]
	if t == nil {
		return nil, notFound(name)
	}
	// Metadata is copy-on-write: readers holding the old *Table never see
	// a half-made change; partitions are shared.
	cp := *t
	if err := fn(&cp); err != nil {
		return nil, err
	}
	c.tables[name] = &cp
	if err := c.changed("update", &cp); err != nil {
		return nil, err
	}
	return &cp, nil
}

// Names returns the names of all tables but system tables, sorted.
func (c *Catalog) Names() []string {
	c.mu.RLock()
	names := make([]string, 0, len(c.tables))
	for n, t := range c.tables {
		if t.System {
			continue
		}
		names = append(names, n)
	}
	c.mu.RUnlock()
	sort.Strings(names)
	return names
}

// Tables returns all tables sorted by name.
func (c *Catalog) Tables() []*Table {
	c.mu.RLock()
	out := make([]*Table, 0, len(c.tables))
	for _, t := range c.tables {
		out = append(out, t)
	}
	c.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (c *Catalog) userTables() int {
	n := 0
	for _, t := range c.tables {
		if !t.System {
			n++
		}
	}
	return n
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func (c *Catalog) changed(kind string, t *Table) error {
	if c.opts.OnChange == nil {
		return nil
	}
	return c.opts.OnChange(kind, t)
}
