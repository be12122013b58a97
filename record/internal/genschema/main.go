// Command genschema writes the record JSON Schemas to a folder
// (`go generate ./record` writes configs/schema/).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/record/schema"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genschema DIR")
		os.Exit(2)
	}
	for name, s := range record.Schemas() {
		b, err := schema.Marshal(s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "genschema:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(filepath.Join(os.Args[1], name), b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "genschema:", err)
			os.Exit(1)
		}
	}
}
