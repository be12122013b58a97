package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/earshothq/earshot/enrich/lang"
)

func init() { addCommand(newVersionCmd) }

// version is set by release builds (-ldflags "-X main.version=v1.2.3");
// other builds report the module version and commit Go stamped into them.
var version = ""

// buildVersion is what `earshot version` reports.
type buildVersion struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Time     string `json:"commit_time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
	// Lingua says whether lingua-go's models (the long tail of languages)
	// are in this binary: builds with -tags lingua.
	Lingua bool `json:"lingua_models"`
}

func readBuildVersion(info *debug.BuildInfo, ok bool) buildVersion {
	v := buildVersion{Version: version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH, Lingua: lang.LinguaBuilt}
	if !ok {
		if v.Version == "" {
			v.Version = "unknown"
		}
		return v
	}
	if v.Version == "" {
		v.Version = info.Main.Version // a module version, or a pseudo-version from the commit
	}
	if v.Version == "" || v.Version == "(devel)" {
		v.Version = "devel"
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func (v buildVersion) String() string {
	s := "earshot " + v.Version + "\n"
	switch {
	case v.Commit == "":
		s += "  commit:   unknown (built without VCS information, e.g. by `go run`; `go build` or `go install` in a clone stamps it)\n"
	case v.Modified:
		s += fmt.Sprintf("  commit:   %s (with uncommitted changes)\n", v.Commit)
	default:
		s += fmt.Sprintf("  commit:   %s\n", v.Commit)
	}
	if v.Time != "" {
		s += "  date:     " + v.Time + "\n"
	}
	s += fmt.Sprintf("  go:       %s %s\n", v.Go, v.Platform)
	models := "compact n-gram model (lean build; -tags lingua adds lingua-go's long tail)"
	if v.Lingua {
		models = "compact n-gram model + lingua-go (built with -tags lingua)"
	}
	return s + "  language: " + models + "\n"
}

func newVersionCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit it was built from and the build's options",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v := readBuildVersion(debug.ReadBuildInfo())
			if asJSON {
				enc := json.NewEncoder(app.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			}
			_, err := fmt.Fprint(app.Stdout, v)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
