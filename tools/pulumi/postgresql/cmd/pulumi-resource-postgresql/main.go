// pulumi-resource-postgresql: the Pulumi resource plugin for PostgreSQL,
// built locally from Go modules (see tools/README.md).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"tenantctl/tools/pulumi/postgresql/provider"
)

// schema-embed.json is not in the repository: tools/ensure-pulumi.sh generates
// it with pulumi-tfgen-postgresql and maps it in with `go build -overlay`.
// The placeholder committed here is empty, which the bridge treats as "no
// schema" (the resources still work; only GetSchema returns nothing).
//
//go:embed schema-embed.json
var pulumiSchema []byte

func main() {
	tfbridge.Main("postgresql", provider.Version, provider.Provider(), pulumiSchema)
}
