package main

import (
	"fmt"
	"math"
	"math/rand"
	"strconv"
	"strings"
)

// documentWriter writes random JSON text (not values): random whitespace, escapes in both hex cases, surrogate
// escapes paired and lone, raw and invalid UTF-8, duplicate and colliding keys, and numbers in many notations,
// so that the cases reach the decoder's corners and not only the encoder's.
type documentWriter struct {
	random *rand.Rand
	out    strings.Builder
	// allowInvalidUTF8 is set for some documents only, so that most of them take the valid-UTF-8 path.
	allowInvalidUTF8 bool
}

func randomBodyCases(random *rand.Rand, count int) []bodyCase {
	cases := make([]bodyCase, 0, count)
	for i := 0; i < count; i++ {
		writer := &documentWriter{random: random, allowInvalidUTF8: random.Intn(8) == 0}
		writer.space()
		if random.Intn(5) == 0 {
			writer.value(3)
		} else {
			writer.object(1 + random.Intn(4))
		}
		writer.space()
		cases = append(cases, makeBodyCase(fmt.Sprintf("random document %d", i), []byte(writer.out.String())))
	}
	return cases
}

func (w *documentWriter) pick(choices []string) string { return choices[w.random.Intn(len(choices))] }

func (w *documentWriter) space() {
	if w.random.Intn(3) == 0 {
		w.out.WriteString(w.pick([]string{" ", "\t", "\n", "\r\n", "  ", " \n\t "}))
	}
}

func (w *documentWriter) value(depth int) {
	if depth <= 0 {
		w.scalar()
		return
	}
	switch w.random.Intn(6) {
	case 0:
		w.object(depth - 1)
	case 1:
		w.array(depth - 1)
	default:
		w.scalar()
	}
}

func (w *documentWriter) object(depth int) {
	w.out.WriteByte('{')
	for i, n := 0, w.random.Intn(7); i < n; i++ {
		if i > 0 {
			w.out.WriteByte(',')
		}
		w.space()
		w.key()
		w.space()
		w.out.WriteByte(':')
		w.space()
		w.value(depth)
		w.space()
	}
	w.out.WriteByte('}')
}

func (w *documentWriter) array(depth int) {
	w.out.WriteByte('[')
	for i, n := 0, w.random.Intn(6); i < n; i++ {
		if i > 0 {
			w.out.WriteByte(',')
		}
		w.space()
		w.value(depth)
		w.space()
	}
	w.out.WriteByte(']')
}

// key draws mostly from a small pool so that objects get duplicate keys, keys that collide once decoded
// (escaped and raw forms, lone surrogates and U+FFFD) and keys whose UTF-8 and UTF-16 orders differ.
func (w *documentWriter) key() {
	if w.random.Intn(4) == 0 {
		w.str()
		return
	}
	pool := []string{`"a"`, `"b"`, `"\u0061"`, `"A"`, `"10"`, `"9"`, `"1a"`, `""`, `"é"`, `"\u00e9"`, `"😀"`, `"\ud83d\ude00"`,
		`"\ue000"`, `"\uffff"`, `"\ufffd"`, `"\ud800"`, `"\udc00"`, `"<"`, `"\b"`, `"__proto__"`, `"constructor"`, `"中"`}
	if w.allowInvalidUTF8 {
		pool = append(pool, "\"\xff\"", "\"\xc3\"")
	}
	w.out.WriteString(w.pick(pool))
}

func (w *documentWriter) scalar() {
	switch w.random.Intn(10) {
	case 0:
		w.out.WriteString(w.pick([]string{"true", "false", "null"}))
	case 1, 2, 3:
		w.number()
	default:
		w.str()
	}
}

func (w *documentWriter) number() {
	switch w.random.Intn(8) {
	case 0:
		w.out.WriteString(w.pick([]string{"0", "-0", "-0.0", "0e0", "1e400", "-1e400", "1e-400", "1E+2", "5e-324", "1e21", "1e-7"}))
	case 1:
		w.out.WriteString(strconv.FormatInt(w.random.Int63()>>uint(w.random.Intn(63)), 10))
	case 2:
		w.out.WriteString("-" + strconv.FormatUint(w.random.Uint64(), 10))
	default:
		value := math.Ldexp(w.random.Float64(), w.random.Intn(160)-80)
		if w.random.Intn(2) == 0 {
			value = -value
		}
		format := w.pick([]string{"g", "e", "E", "f"})
		precision := -1
		if w.random.Intn(3) == 0 {
			precision = w.random.Intn(20)
		}
		w.out.WriteString(strconv.FormatFloat(value, format[0], precision, 64))
	}
}

func (w *documentWriter) str() {
	w.out.WriteByte('"')
	for n := w.random.Intn(12); n > 0; n-- {
		w.stringPiece()
	}
	w.out.WriteByte('"')
}

func (w *documentWriter) stringPiece() {
	switch w.random.Intn(12) {
	case 0:
		w.out.WriteString(w.pick([]string{`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`}))
	case 1:
		// any BMP code unit, surrogates included, as an escape in either hex case
		escape := fmt.Sprintf(`\u%04x`, w.random.Intn(0x10000))
		if w.random.Intn(2) == 0 {
			escape = strings.ToUpper(escape[:2]) + strings.ToUpper(escape[2:])
			escape = `\u` + escape[2:]
		}
		w.out.WriteString(escape)
	case 2:
		w.out.WriteString(w.pick([]string{`\ud83d\ude00`, `\uD834\uDD1E`, `\ud800`, `\udfff`, `\udc00\ud800`, `\ud83d\\ude00`, `\ud83d\u0041`}))
	case 3:
		w.out.WriteString(w.pick([]string{"é", "你好", "😀", "👨‍👩‍👧", "\u2028", "\u2029", "\ue000", "\uffff", "\ufffd", "\u007f", "\u0085", "𝄞", "ไทย"}))
	case 4:
		w.out.WriteString(w.pick([]string{"<", ">", "&", "<b>", "a&b", "</script>"}))
	case 5:
		w.out.WriteString(fmt.Sprintf(`\u%04x`, w.random.Intn(0x20)))
	case 6:
		if w.allowInvalidUTF8 {
			w.out.WriteString(w.pick([]string{"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf0\x9f\x98", "\x80", "\xc3", "\xf4\x90\x80\x80", "\xe9"}))
			return
		}
		w.out.WriteString("z")
	default:
		w.out.WriteString(w.pick([]string{"a", "hello", "klink", " ", "0", "Ünïcödé", "text with spaces", "k=v"}))
	}
}
