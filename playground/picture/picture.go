// Package picture lets a playground program show a picture under its
// output: a line that starts with Prefix is drawn as the image (SVG or PNG)
// whose base64 encoding is the rest of the line, the Go playground's
// convention. A program prints one:
//
//	fmt.Println(picture.Line([]byte(engine.Timeline(h))))
package picture

import "encoding/base64"

// Prefix starts an output line that the playground shows as an image.
const Prefix = "IMAGE:"

// Line returns the output line that shows data, an SVG document or a PNG
// file, as a picture.
func Line(data []byte) string {
	return Prefix + base64.StdEncoding.EncodeToString(data)
}
