// pulumi-language-nodejs (wrapper): starts the real Node.js language host
// (sdk/v3 v3.68.0, see tools/README.md) with the project's runtime options.
//
// Language hosts of that age received the `runtime.options` of Pulumi.yaml
// (typescript, nodeargs, tsconfig) as command-line flags; the v3.248 CLI sends
// them over gRPC instead, which the old host ignores (so `typescript: false`
// would be ignored and ts-node loaded on every run). This wrapper reads
// Pulumi.yaml itself, from the directory the CLI starts the plugin in (the
// program directory) upwards, and passes the flags the old host understands.
// The real host is expected at .libexec/pulumi-language-nodejs next to this
// executable, or at $TENANTCTL_PULUMI_LANGUAGE_NODEJS_HOST.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"gopkg.in/yaml.v3"
)

// Options the v3.68 host accepts as flags; anything else (e.g. packagemanager)
// would make its flag parsing fail, so it is not passed.
var knownOptions = []string{"typescript", "nodeargs", "tsconfig"}

func main() {
	host, err := realHost()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-language-nodejs:", err)
		os.Exit(1)
	}
	args := []string{host}
	args = append(args, projectFlags()...)
	args = append(args, os.Args[1:]...)
	err = syscall.Exec(host, args, os.Environ())
	fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: exec %s: %v\n", host, err)
	os.Exit(1)
}

func realHost() (string, error) {
	if p := os.Getenv("TENANTCTL_PULUMI_LANGUAGE_NODEJS_HOST"); p != "" {
		return p, nil
	}
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	if resolved, err := filepath.EvalSymlinks(self); err == nil {
		self = resolved
	}
	p := filepath.Join(filepath.Dir(self), ".libexec", "pulumi-language-nodejs")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("real language host not found: %w", err)
	}
	return p, nil
}

// projectFlags returns -name=value flags for the known runtime options of the
// nearest Pulumi.yaml (none when there is no readable project file).
func projectFlags() []string {
	dir, err := os.Getwd()
	if err != nil {
		return nil
	}
	path, err := findProject(dir)
	if err != nil {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var proj struct {
		Runtime yaml.Node `yaml:"runtime"`
	}
	if err := yaml.Unmarshal(b, &proj); err != nil || proj.Runtime.Kind != yaml.MappingNode {
		return nil // `runtime: nodejs` (a plain string) has no options
	}
	var rt struct {
		Options map[string]interface{} `yaml:"options"`
	}
	if err := proj.Runtime.Decode(&rt); err != nil {
		return nil
	}
	var flags []string
	for _, k := range knownOptions {
		if v, ok := rt.Options[k]; ok && v != nil {
			flags = append(flags, fmt.Sprintf("-%s=%v", k, v))
		}
	}
	return append(flags, "-root="+filepath.Dir(path))
}

func findProject(dir string) (string, error) {
	for {
		for _, name := range []string{"Pulumi.yaml", "Pulumi.yml"} {
			p := filepath.Join(dir, name)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no Pulumi.yaml")
		}
		dir = parent
	}
}
