// gen-schema writes the Pulumi package schema of the bridged PostgreSQL
// provider (what upstream ships as schema-embed.json: schema.json plus a
// "version" field). tools/ensure-pulumi.sh runs it at build time and embeds the
// result into pulumi-resource-postgresql via `go build -overlay`.
//
// Descriptions come from the Terraform schema only (no upstream markdown docs).
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"

	"tenantctl/tools/pulumi/postgresql/provider"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen-schema OUT.json")
		os.Exit(2)
	}
	sink := diag.DefaultSink(os.Stderr, os.Stderr, diag.FormatOptions{Color: colors.Never})
	res, err := tfgen.GenerateSchemaWithOptions(tfgen.GenerateSchemaOptions{
		ProviderInfo:    provider.Provider(),
		DiagnosticsSink: sink,
		XInMemoryDocs:   true,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-schema:", err)
		os.Exit(1)
	}
	spec := res.PackageSpec
	if spec.Version == "" {
		spec.Version = provider.Version
	}
	b, err := json.MarshalIndent(spec, "", "    ")
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-schema:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[1], append(b, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen-schema:", err)
		os.Exit(1)
	}
}
