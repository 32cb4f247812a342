package content

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// decodeStrict decodes YAML into v, rejecting unknown keys, and reports each
// error at its line.
func decodeStrict(data []byte, v any, r reporter) bool {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(v)
	if err == nil {
		return true
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, msg := range te.Errors {
			line, text := splitYAMLError(msg)
			r.at(line, "%s", text)
		}
		return false
	}
	line, text := splitYAMLError(err.Error())
	r.at(line, "invalid YAML: %s", text)
	return false
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

func splitYAMLError(msg string) (int, string) {
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, m[2]
	}
	return 0, msg
}

// yamlLines maps keys and list items of a YAML mapping to line numbers, so
// validation errors found after decoding can point at the right line.
type yamlLines struct{ root *yaml.Node }

func parseLines(data []byte) yamlLines {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return yamlLines{}
	}
	return yamlLines{root: doc.Content[0]}
}

// key returns the value node of a top-level key, or nil.
func (y yamlLines) key(name string) *yaml.Node {
	if y.root == nil || y.root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(y.root.Content); i += 2 {
		if y.root.Content[i].Value == name {
			return y.root.Content[i+1]
		}
	}
	return nil
}

// line returns the line of a top-level key's value, or 1.
func (y yamlLines) line(name string) int {
	if n := y.key(name); n != nil {
		return n.Line
	}
	return 1
}

// item returns the line of the i-th element of a top-level list.
func (y yamlLines) item(name string, i int) int {
	n := y.key(name)
	if n == nil {
		return 1
	}
	if n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i].Line
	}
	return n.Line
}
