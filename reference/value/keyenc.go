package value

import (
	"encoding/binary"
	"hash/fnv"
	"strings"
)

// Order-preserving key encoding. Encoded keys compare with bytes.Compare in
// the order DynamoDB sorts key values:
//
//	S  UTF-8 bytes, unsigned           -> escaped bytes, terminator
//	B  unsigned bytes                  -> escaped bytes, terminator
//	N  numerically                     -> sign class, exponent, digits
//
// Escaping maps 0x00 to 0x00 0xFF and terminates with 0x00 0x01, so a prefix
// sorts before its extensions and encodings can be concatenated: the
// B-tree key of an item is hash(pk) ++ enc(pk) ++ enc(sk).

// AppendKey appends the order-preserving encoding of a key value (S, N or B).
func AppendKey(b []byte, v Value) []byte {
	switch v.T {
	case S:
		return appendEscaped(b, v.Str)
	case B:
		return appendEscaped(b, string(v.Bin))
	case N:
		return appendNumberKey(b, v.Str)
	}
	panic("value: AppendKey of non-key type " + v.T.String())
}

func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			b = append(b, 0, 0xFF)
		} else {
			b = append(b, s[i])
		}
	}
	return append(b, 0, 1)
}

// appendNumberKey encodes canonical number text. Layout: a class byte
// (1 negative, 2 zero, 3 positive), then for non-zero numbers the adjusted
// exponent biased into two bytes and the significant digits as ASCII, ended by
// 0x00; for negative numbers exponent and digits are complemented and the
// terminator is 0xFF so that larger magnitudes sort first.
func appendNumberKey(b []byte, s string) []byte {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return append(b, 2)
	}
	// adjusted exponent: position of the first significant digit.
	var exp int
	if t := strings.TrimLeft(intPart, "0"); t != "" {
		exp = len(t) - 1
	} else {
		exp = -(len(frac) - len(strings.TrimLeft(frac, "0"))) - 1
	}
	digits = strings.TrimRight(digits, "0")
	e := uint16(exp + 0x8000)
	if neg {
		b = append(b, 1)
		b = binary.BigEndian.AppendUint16(b, ^e)
		for i := 0; i < len(digits); i++ {
			b = append(b, ^digits[i])
		}
		return append(b, 0xFF)
	}
	b = append(b, 3)
	b = binary.BigEndian.AppendUint16(b, e)
	b = append(b, digits...)
	return append(b, 0)
}

// Hash returns the stable 64-bit hash of a partition key value that decides
// which partition owns it (FNV-1a over the type tag and the value's bytes;
// numbers hash by canonical text, so 1 and 1.0 land together).
func Hash(v Value) uint64 {
	h := fnv.New64a()
	h.Write([]byte{byte(v.T)})
	switch v.T {
	case S, N:
		h.Write([]byte(v.Str))
	case B:
		h.Write(v.Bin)
	}
	return Mix64(h.Sum64())
}

// Mix64 is a finalizer (from SplitMix64) that spreads FNV's weak high bits, so
// hash ranges split evenly. The placement ring uses it for its tokens too.
func Mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
