package storage

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"path"
	"strconv"
	"strings"

	"github.com/ddbkit/ddbkit/reference/storage/vfs"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

const snapDir = "snap"

func snapName(group uint64) string { return fmt.Sprintf("%016x.snap", group) }

func parseSnapName(name string) (uint64, bool) {
	hex, ok := strings.CutSuffix(name, ".snap")
	if !ok || len(hex) != 16 {
		return 0, false
	}
	g, err := strconv.ParseUint(hex, 16, 64)
	return g, err == nil
}

// writeSnapshotFile stores snap as dir/snap/<group>.snap durably: write a
// temporary file, fsync it, rename it over the old one, fsync the directory.
func writeSnapshotFile(fs vfs.FS, dir string, group uint64, snap *pb.Snapshot, sync bool) error {
	tmp, err := writeSnapshotTemp(fs, dir, group, snap, ".tmp", sync)
	if err != nil {
		return err
	}
	return installSnapshotFile(fs, dir, group, tmp)
}

// writeSnapshotTemp writes snap durably to a temporary file named for group
// with the given suffix (which must end in .tmp, so that Open deletes a
// leftover) and returns its path.
func writeSnapshotTemp(fs vfs.FS, dir string, group uint64, snap *pb.Snapshot, suffix string, sync bool) (string, error) {
	// The checksum's 4 bytes first, the snapshot marshalled after them into
	// the same buffer (snapshots are large: no second copy).
	buf, err := marshalOpts.MarshalAppend(make([]byte, 4, 4+marshalOpts.Size(snap)), snap)
	if err != nil {
		return "", fmt.Errorf("storage: marshal snapshot: %w", err)
	}
	binary.LittleEndian.PutUint32(buf, crc32.Checksum(buf[4:], crcTable))
	tmp := path.Join(dir, snapDir, snapName(group)+suffix)
	f, err := fs.Create(tmp)
	if err != nil {
		return "", fmt.Errorf("storage: create snapshot: %w", err)
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return "", fmt.Errorf("storage: write snapshot: %w", err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return "", fmt.Errorf("storage: sync snapshot: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("storage: close snapshot: %w", err)
	}
	return tmp, nil
}

// installSnapshotFile renames a written temporary snapshot over group's
// snapshot file and makes the rename durable.
func installSnapshotFile(fs vfs.FS, dir string, group uint64, tmp string) error {
	d := path.Join(dir, snapDir)
	if err := fs.Rename(tmp, path.Join(d, snapName(group))); err != nil {
		return fmt.Errorf("storage: install snapshot: %w", err)
	}
	if err := fs.SyncDir(d); err != nil {
		return fmt.Errorf("storage: sync snapshot dir: %w", err)
	}
	return nil
}

func readSnapshotFile(fs vfs.FS, name string) (*pb.Snapshot, error) {
	data, err := fs.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("storage: read snapshot: %w", err)
	}
	if len(data) < 4 || crc32.Checksum(data[4:], crcTable) != binary.LittleEndian.Uint32(data) {
		return nil, fmt.Errorf("storage: snapshot %s fails its checksum", name)
	}
	snap := &pb.Snapshot{}
	if err := proto.Unmarshal(data[4:], snap); err != nil {
		return nil, fmt.Errorf("storage: decode snapshot %s: %w", name, err)
	}
	return snap, nil
}
