package vfs

import (
	"os"
	"syscall"
)

// fallocate reserves size bytes of f (mode 0: the file size grows to size).
func fallocate(f *os.File, size int64) error {
	return syscall.Fallocate(int(f.Fd()), 0, 0, size)
}
