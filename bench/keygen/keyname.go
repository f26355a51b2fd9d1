package keygen

import "strconv"

// FNV-1a 64-bit constants, as in YCSB's Utils.fnvhash64.
const (
	fnvOffsetBasis64 = uint64(0xCBF29CE484222325)
	fnvPrime64       = uint64(1099511628211)
)

// FNVHash64 is YCSB's Utils.fnvhash64: FNV-1a over the 8 little-endian
// octets of v (arithmetic shift, as Java's >>), then Math.abs (which leaves
// Long.MIN_VALUE negative).
func FNVHash64(v int64) int64 {
	h := fnvOffsetBasis64
	for i := 0; i < 8; i++ {
		octet := uint64(v & 0xff)
		v >>= 8
		h ^= octet
		h *= fnvPrime64
	}
	return javaAbs(int64(h))
}

// javaAbs is Java's Math.abs(long): abs(MinInt64) == MinInt64.
func javaAbs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// KeyName is CoreWorkload.buildKeyName: "user" followed by the record
// number (hashed unless ordered) left-padded with zeros to zeroPadding
// digits.
func KeyName(keynum int64, zeroPadding int, ordered bool) string {
	if !ordered {
		keynum = FNVHash64(keynum)
	}
	return string(AppendKeyName(make([]byte, 0, 24), keynum, zeroPadding, true))
}

// AppendKeyName appends KeyName(keynum, zeroPadding, ordered) to b without
// allocating.
func AppendKeyName(b []byte, keynum int64, zeroPadding int, ordered bool) []byte {
	if !ordered {
		keynum = FNVHash64(keynum)
	}
	var digits [24]byte
	d := strconv.AppendInt(digits[:0], keynum, 10)
	b = append(b, "user"...)
	for fill := zeroPadding - len(d); fill > 0; fill-- {
		b = append(b, '0')
	}
	return append(b, d...)
}
