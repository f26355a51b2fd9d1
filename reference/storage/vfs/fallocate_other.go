//go:build !linux

package vfs

import (
	"errors"
	"os"
)

// fallocate is not supported outside Linux: segments are plain files.
func fallocate(*os.File, int64) error { return errors.New("vfs: fallocate not supported") }
