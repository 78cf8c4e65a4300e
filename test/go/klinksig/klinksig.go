// Package klinksig signs requests the way klink.cloud's webhook sender does:
// x-signature = hex(HMAC-SHA256(secret, method + url + NormalizedQuery + NormalizedBody)).
// It uses only the standard library, so its output is the reference the TypeScript code is tested against.
package klinksig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// NormalizeQuery parses rawQuery with url.ParseQuery and writes `key=[v1 v2]` pairs, keys and values sorted,
// joined by '&'. Segments ParseQuery rejects (a ';', a bad %-escape) are dropped, as ParseQuery drops them.
func NormalizeQuery(rawQuery string) string {
	values, _ := url.ParseQuery(rawQuery)
	keys := make([]string, 0, len(values))
	for key := range values {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	pairs := make([]string, 0, len(keys))
	for _, key := range keys {
		list := values[key]
		sort.Strings(list)
		pairs = append(pairs, fmt.Sprintf("%s=%v", key, list))
	}
	return strings.Join(pairs, "&")
}

// ErrBodyNotJSON is returned for a non-empty body that json.Unmarshal rejects as a syntax error.
var ErrBodyNotJSON = errors.New("body is not JSON")

// NormalizeBody decodes body into interface{} and encodes it again with json.Marshal.
// An empty body gives an empty result. A number out of float64 range makes Unmarshal return an
// *json.UnmarshalTypeError after it decoded everything else, with nil in that place; the sender signs
// that (null), so the error is reported in typeError and not treated as a failure.
func NormalizeBody(body []byte) (normalized []byte, typeError error, err error) {
	if len(body) == 0 {
		return []byte{}, nil, nil
	}
	var value interface{}
	if unmarshalErr := json.Unmarshal(body, &value); unmarshalErr != nil {
		var typeErr *json.UnmarshalTypeError
		if !errors.As(unmarshalErr, &typeErr) {
			return nil, nil, fmt.Errorf("%w: %v", ErrBodyNotJSON, unmarshalErr)
		}
		typeError = unmarshalErr
	}
	normalized, err = json.Marshal(value)
	return normalized, typeError, err
}

// Message is the signed byte string: method + url + NormalizeQuery(rawQuery) + normalizedBody.
func Message(method, requestURL, rawQuery string, normalizedBody []byte) []byte {
	message := []byte(method + requestURL + NormalizeQuery(rawQuery))
	return append(message, normalizedBody...)
}

// Sign returns the hex x-signature for a request.
func Sign(secret, method, requestURL, rawQuery string, body []byte) (string, error) {
	normalizedBody, _, err := NormalizeBody(body)
	if err != nil {
		return "", err
	}
	return HexHMAC(secret, Message(method, requestURL, rawQuery, normalizedBody)), nil
}

// Go122Form rewrites Marshal output the way Go 1.22+ writes it: U+0008 and U+000C as \b and \f instead of
// \u0008 and \u000c (the only change to this output since Go 1.19, per the Go 1.22 release notes). It walks
// escapes so that an escaped backslash followed by "u0008" is left alone.
func Go122Form(marshaled []byte) []byte {
	out := make([]byte, 0, len(marshaled))
	for i := 0; i < len(marshaled); i++ {
		c := marshaled[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+5 < len(marshaled) && marshaled[i+1] == 'u' {
			switch string(marshaled[i+2 : i+6]) {
			case "0008":
				out = append(out, '\\', 'b')
				i += 5
				continue
			case "000c":
				out = append(out, '\\', 'f')
				i += 5
				continue
			}
		}
		out = append(out, c, marshaled[i+1])
		i++
	}
	return out
}

// HexHMAC is hex(HMAC-SHA256(secret, message)).
func HexHMAC(secret string, message []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(message)
	return hex.EncodeToString(mac.Sum(nil))
}
