package ansible

// Reading the arguments: the args file Ansible passes, or stdin by hand.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unicode/utf8"
)

// maxArgsBytes bounds the args file: real module arguments are a few KiB.
const maxArgsBytes = 16 << 20

func loadArgs(argv []string, stdin io.Reader) (map[string]any, error) {
	if len(argv) > 2 {
		return nil, fmt.Errorf("expected one argument, the path of the JSON arguments file, got %d", len(argv)-1)
	}
	if len(argv) == 2 {
		path := argv[1]
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("cannot read the module arguments file: %w", err)
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxArgsBytes+1))
		if err != nil {
			return nil, fmt.Errorf("cannot read the module arguments file %s: %w", path, err)
		}
		return decodeArgs(data, "the module arguments file "+filepath.Base(path))
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxArgsBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read module arguments from stdin: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New(`no module arguments: pass the path of a JSON arguments file, or {"ANSIBLE_MODULE_ARGS": {...}} on stdin`)
	}
	wrapped, err := decodeArgs(data, "the module arguments on stdin")
	if err != nil {
		return nil, err
	}
	inner, ok := wrapped["ANSIBLE_MODULE_ARGS"].(map[string]any)
	if !ok || len(wrapped) != 1 {
		return nil, errors.New(`the module arguments on stdin must be {"ANSIBLE_MODULE_ARGS": {...}}`)
	}
	return inner, nil
}

func decodeArgs(data []byte, what string) (map[string]any, error) {
	if len(data) > maxArgsBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes", what, maxArgsBytes)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s is not valid UTF-8", what)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object: %v", what, err)
	}
	if m == nil {
		return nil, fmt.Errorf("%s is not a JSON object: null", what)
	}
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		return nil, fmt.Errorf("%s holds more than one JSON value (trailing %q)", what, truncate(string(rest), 20))
	}
	return m, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
