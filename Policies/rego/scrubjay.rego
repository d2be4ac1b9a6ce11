# Judges the facts `scrubjay facts` prints with a Scrubjay policy file as data, for teams that
# run their policies in OPA or conftest (docs/POLICIES.md, "Facts for OPA and conftest"):
#
#   scrubjay facts shared.zip -o facts.json
#   conftest test facts.json --policy Policies/rego --data Policies/gdpr-eea.yml
#
# It covers the residency requirements (ingest host, storage region, site and asset hosts);
# `scrubjay verify --policy` remains the reference for every requirement and for exceptions.
package main

import rego.v1

# A host pattern as Scrubjay reads it: a name, `*.example.com` (any subdomain), or `*`.
host_matches(host, pattern) if pattern == "*"

host_matches(host, pattern) if lower(host) == lower(pattern)

host_matches(host, pattern) if {
	startswith(pattern, "*.")
	endswith(lower(host), lower(substring(pattern, 1, -1)))
}

allowed(host, patterns) if {
	some p in patterns
	host_matches(host, p)
}

# A region is allowed when the policy names it or one of its built-in groups (the facts list them).
region_allowed(patterns) if {
	some p in patterns
	p == input.storageRegion
}

region_allowed(patterns) if {
	some p in patterns
	p in input.storageRegionGroups
}

deny contains msg if {
	data.require.ingest_host
	not input.ingestHost
	msg := "the ingest host is unknown (made without --ingest-host, which pack and redact take)"
}

deny contains msg if {
	not allowed(input.ingestHost, data.require.ingest_host.allow)
	msg := sprintf("the ingest host %s is not allowed", [input.ingestHost])
}

deny contains msg if {
	data.require.storage_region
	not input.storageRegion
	msg := "the storage region is unknown"
}

deny contains msg if {
	input.storageRegion
	not region_allowed(data.require.storage_region.allow)
	msg := sprintf("the storage region %s is not allowed", [input.storageRegion])
}

warn contains msg if {
	some host in input.siteHosts
	not allowed(host, data.require.site_hosts.allow)
	msg := sprintf("site host %s is not allowed", [host])
}

warn contains msg if {
	some host in input.assetHosts
	not allowed(host, data.require.asset_hosts.allow)
	msg := sprintf("asset host %s is not allowed", [host])
}
