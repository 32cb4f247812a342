package picture

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)
	line := Line(svg)
	data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(line, Prefix))
	if !strings.HasPrefix(line, "IMAGE:") || err != nil || string(data) != string(svg) {
		t.Errorf("Line = %q (decoding: %v)", line, err)
	}
	if strings.ContainsAny(line, "\n\r") {
		t.Error("the line breaks")
	}
}
