package driver

import (
	"bytes"
	"hash/crc32"
	"net/http"
	"strconv"
)

// crcResponse buffers a test response so that it can carry DynamoDB's
// X-Amz-Crc32 header, which the SDK checks.
type crcResponse struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func crcWriter(w http.ResponseWriter) http.ResponseWriter {
	return &crcResponse{ResponseWriter: w, status: http.StatusOK}
}

func (c *crcResponse) WriteHeader(status int)      { c.status = status }
func (c *crcResponse) Write(b []byte) (int, error) { return c.buf.Write(b) }

func (c *crcResponse) flush() {
	h := c.ResponseWriter.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(c.buf.Bytes())), 10))
	h.Set("Content-Length", strconv.Itoa(c.buf.Len()))
	c.ResponseWriter.WriteHeader(c.status)
	c.ResponseWriter.Write(c.buf.Bytes())
}
