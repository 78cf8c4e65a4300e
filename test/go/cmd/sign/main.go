// Command sign prints the x-signature klink.cloud would send for a request, using klinksig (standard library only).
//
//	go run ./cmd/sign -secret S -method POST -url URL -query RAWQUERY -body-file FILE
//
// With -batch FILE it reads a JSON array of {"secret","method","url","query","body"} (body in base64) and writes
// a JSON array of {"signature","normalizedBody"} (normalizedBody in base64) or {"error"}, one per request, so a
// test can check many requests with one process.
package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"klinkvectors/klinksig"
)

type batchRequest struct {
	Secret string `json:"secret"`
	Method string `json:"method"`
	URL    string `json:"url"`
	Query  string `json:"query"`
	Body   string `json:"body"`
}

type batchResult struct {
	Signature      string `json:"signature,omitempty"`
	NormalizedBody string `json:"normalizedBody,omitempty"`
	Error          string `json:"error,omitempty"`
}

func main() {
	secret := flag.String("secret", "", "signing secret")
	method := flag.String("method", "POST", "HTTP method")
	requestURL := flag.String("url", "", "URL without the query string")
	rawQuery := flag.String("query", "", "raw query string, without '?'")
	bodyFile := flag.String("body-file", "", "file holding the raw body (none: empty body)")
	batchFile := flag.String("batch", "", "JSON file of requests to sign")
	flag.Parse()

	if *batchFile != "" {
		if err := runBatch(*batchFile); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}

	var body []byte
	if *bodyFile != "" {
		var err error
		if body, err = os.ReadFile(*bodyFile); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	signature, err := klinksig.Sign(*secret, *method, *requestURL, *rawQuery, body)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(signature)
}

func runBatch(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var requests []batchRequest
	if err := json.Unmarshal(data, &requests); err != nil {
		return err
	}
	results := make([]batchResult, len(requests))
	for i, request := range requests {
		body, err := base64.StdEncoding.DecodeString(request.Body)
		if err != nil {
			return fmt.Errorf("request %d: %v", i, err)
		}
		normalized, _, err := klinksig.NormalizeBody(body)
		if err != nil {
			results[i] = batchResult{Error: err.Error()}
			continue
		}
		signature, err := klinksig.Sign(request.Secret, request.Method, request.URL, request.Query, body)
		if err != nil {
			results[i] = batchResult{Error: err.Error()}
			continue
		}
		results[i] = batchResult{Signature: signature, NormalizedBody: base64.StdEncoding.EncodeToString(normalized)}
	}
	return json.NewEncoder(os.Stdout).Encode(results)
}
