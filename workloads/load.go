package workloads

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// builtin holds the workload files shipped with ddbkit.
//
//go:embed workloada workloadb workloadc workloadd workloade workloadf ddb-*
var builtin embed.FS

// Names lists the built-in workloads.
func Names() []string {
	entries, err := fs.ReadDir(builtin, ".")
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// Load returns the properties of a built-in workload or of a property file.
// nameOrPath may be a built-in name ("workloada", its short form "a" or "A",
// "ddb-query") or the path of a YCSB property file; an existing file wins
// over a built-in of the same name.
func Load(nameOrPath string) (Properties, error) {
	if f, err := os.Open(nameOrPath); err == nil {
		defer f.Close()
		p, err := ParseProperties(f)
		if err != nil {
			return nil, fmt.Errorf("workloads: %s: %w", nameOrPath, err)
		}
		return p, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("workloads: open %s: %w", nameOrPath, err)
	}
	name := strings.ToLower(nameOrPath)
	if len(name) == 1 && name[0] >= 'a' && name[0] <= 'f' {
		name = "workload" + name
	}
	f, err := builtin.Open(name)
	if err != nil {
		return nil, fmt.Errorf("workloads: %q is neither a file nor a built-in workload (%s)",
			nameOrPath, strings.Join(Names(), ", "))
	}
	defer f.Close()
	p, err := ParseProperties(f)
	if err != nil {
		return nil, fmt.Errorf("workloads: built-in %s: %w", name, err)
	}
	return p, nil
}

// Source returns the text of a built-in workload.
func Source(name string) ([]byte, error) {
	b, err := builtin.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("workloads: built-in %s: %w", name, err)
	}
	return b, nil
}
