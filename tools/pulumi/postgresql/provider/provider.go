// Package provider maps the upstream Terraform PostgreSQL provider
// (github.com/cyrilgdn/terraform-provider-postgresql) to Pulumi, using the
// same resource tokens as the published @pulumi/postgresql SDK
// ("postgresql:index/<camelName>:<PascalName>"), so that the npm SDK can drive
// this locally built plugin.
package provider

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	tfbridgetokens "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-providers/terraform-provider-postgresql/postgresql"
)

const (
	pkgName = "postgresql"
	modName = "index"
)

// Version is reported to the engine. Keep it equal to the @pulumi/postgresql
// npm version the project pins; override with
// -ldflags "-X tenantctl/tools/pulumi/postgresql/provider.Version=...".
var Version = "3.18.1"

func resourceToken(camel, pascal string) tokens.Type {
	return tokens.Type(pkgName + ":" + modName + "/" + camel + ":" + pascal)
}

// Provider returns the bridged provider description.
func Provider() tfbridge.ProviderInfo {
	prov := tfbridge.ProviderInfo{
		P:           shimv2.NewProvider(postgresql.Provider()),
		Name:        pkgName,
		Version:     Version,
		Description: "A Pulumi package for creating and managing postgresql cloud resources.",
		Keywords:    []string{"pulumi", "postgresql"},
		License:     "Apache-2.0",
		GitHubOrg:   "cyrilgdn",
		Config: map[string]*tfbridge.SchemaInfo{
			"sslmode": {
				Default: &tfbridge.DefaultInfo{EnvVars: []string{"PGSSLMODE"}},
			},
			"connect_timeout": {
				Default: &tfbridge.DefaultInfo{EnvVars: []string{"PGCONNECT_TIMEOUT"}, Value: 180},
			},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			"postgresql_grant_role": {
				Tok:    resourceToken("grantRole", "GrantRole"),
				Fields: map[string]*tfbridge.SchemaInfo{"grant_role": {CSharpName: "GrantRoleName"}},
			},
			"postgresql_grant": {
				Tok:                 resourceToken("grant", "Grant"),
				DeleteBeforeReplace: true,
			},
		},
	}

	// The SDK exposes both the historical DefaultPrivileg and DefaultPrivileges.
	prov.RenameResourceWithAlias("postgresql_default_privileges",
		resourceToken("defaultPrivileg", "DefaultPrivileg"),
		resourceToken("defaultPrivileges", "DefaultPrivileges"),
		modName, modName, nil)

	prov.MustComputeTokens(tfbridgetokens.SingleModule("postgresql_", modName,
		tfbridgetokens.MakeStandard(pkgName)))
	prov.SetAutonaming(255, "-")
	return prov
}
