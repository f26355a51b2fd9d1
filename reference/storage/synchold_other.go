//go:build !linux

package storage

import "github.com/ddbkit/ddbkit/reference/storage/vfs"

// syncHoldingP is f.Sync where raw system calls are not wired up.
func syncHoldingP(f vfs.File) error { return f.Sync() }
