package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"path"

	"github.com/ddbkit/ddbkit/reference/storage/vfs"
)

const incarnationFile = "incarnation"

// bumpIncarnation reads the data directory's incarnation counter, adds one
// and stores it durably, so that every Open of the same directory gets a
// distinct number (a node's request ids must not repeat across restarts,
// even when its random source is seeded the same).
func bumpIncarnation(fsys vfs.FS, dir string, sync bool) (uint64, error) {
	name := path.Join(dir, incarnationFile)
	var n uint64
	data, err := fsys.ReadFile(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return 0, fmt.Errorf("storage: read incarnation: %w", err)
	case len(data) == 12 && crc32.Checksum(data[:8], crcTable) == binary.LittleEndian.Uint32(data[8:]):
		n = binary.LittleEndian.Uint64(data)
	default:
		return 0, fmt.Errorf("storage: incarnation file is corrupt")
	}
	n++
	buf := binary.LittleEndian.AppendUint64(nil, n)
	buf = binary.LittleEndian.AppendUint32(buf, crc32.Checksum(buf, crcTable))
	tmp := name + ".tmp"
	f, err := fsys.Create(tmp)
	if err != nil {
		return 0, fmt.Errorf("storage: write incarnation: %w", err)
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return 0, fmt.Errorf("storage: write incarnation: %w", err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return 0, fmt.Errorf("storage: sync incarnation: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("storage: close incarnation: %w", err)
	}
	if err := fsys.Rename(tmp, name); err != nil {
		return 0, fmt.Errorf("storage: install incarnation: %w", err)
	}
	if err := fsys.SyncDir(dir); err != nil {
		return 0, fmt.Errorf("storage: sync data dir: %w", err)
	}
	return n, nil
}
