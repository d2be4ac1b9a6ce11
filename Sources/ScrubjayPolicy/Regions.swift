/// Storage regions: built-in region groups a policy may name, and regions derived from a
/// storage endpoint or a well-known ingest host (docs/POLICIES.md, "Regions").
public enum Regions {
    /// Built-in groups of cloud regions (AWS, Google Cloud, Azure), by where the data centre
    /// is. A policy's `region_groups` may add groups or replace one of these.
    public static let builtinGroups: [String: [String]] = [
        // The European Economic Area: the EU member states, Iceland, Liechtenstein and Norway.
        // Not London (eu-west-2, europe-west2, uksouth) nor Zurich (eu-central-2,
        // europe-west6, switzerlandnorth): those are adequacy countries, groups `uk` and `ch`.
        "eea": [
            "eu-central-1", "eu-west-1", "eu-west-3", "eu-north-1", "eu-south-1", "eu-south-2",
            "europe-west1", "europe-west3", "europe-west4", "europe-west8", "europe-west9", "europe-west10",
            "europe-west12", "europe-north1", "europe-north2", "europe-central2", "europe-southwest1",
            "westeurope", "northeurope", "germanywestcentral", "germanynorth", "francecentral", "francesouth",
            "swedencentral", "swedensouth", "norwayeast", "norwaywest", "italynorth", "polandcentral",
            "spaincentral", "austriaeast", "belgiumcentral", "denmarkeast",
        ],
        "us": [
            "us-east-1", "us-east-2", "us-west-1", "us-west-2", "us-gov-east-1", "us-gov-west-1",
            "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2", "us-west3", "us-west4",
            "eastus", "eastus2", "westus", "westus2", "westus3", "centralus", "northcentralus", "southcentralus",
            "westcentralus", "usgovvirginia", "usgovarizona", "usgovtexas",
        ],
        "uk": ["eu-west-2", "europe-west2", "uksouth", "ukwest"],
        "ch": ["eu-central-2", "europe-west6", "switzerlandnorth", "switzerlandwest"],
    ]

    /// Ingest hosts whose storage region the vendor documents: PostHog Cloud US (AWS
    /// us-east-1) and EU (AWS eu-central-1, Frankfurt); Sentry's EU region (Frankfurt).
    static let knownIngestRegions: [(host: String, region: String)] = [
        ("us.i.posthog.com", "us-east-1"), ("us.posthog.com", "us-east-1"), ("app.posthog.com", "us-east-1"),
        ("us-assets.i.posthog.com", "us-east-1"),
        ("eu.i.posthog.com", "eu-central-1"), ("eu.posthog.com", "eu-central-1"), ("eu-assets.i.posthog.com", "eu-central-1"),
        ("*.ingest.de.sentry.io", "europe-west3"), ("ingest.de.sentry.io", "europe-west3"),
    ]

    /// The region a storage endpoint names: AWS S3 endpoints (`s3.<region>.amazonaws.com`,
    /// `s3-<region>.amazonaws.com`, `<bucket>.s3.<region>.amazonaws.com`, dual-stack and FIPS
    /// forms). Nil for anything else (a MinIO host says nothing about its region).
    public static func region(ofStorageEndpoint endpoint: String) -> String? {
        guard let host = Hosts.host(of: endpoint) else { return nil }
        let labels = host.split(separator: ".").map(String.init)
        guard labels.count >= 3, labels.suffix(2) == ["amazonaws", "com"] else { return nil }
        let inner = labels.dropLast(2)
        for (i, label) in inner.enumerated() {
            if label.hasPrefix("s3-") && !label.hasPrefix("s3-accesspoint") && !label.hasPrefix("s3-fips") {
                return String(label.dropFirst(3))
            }
            if label == "s3" || label == "s3-fips" || label == "s3-accesspoint" {
                var rest = Array(inner.dropFirst(i + 1))
                if rest.first == "dualstack" { rest.removeFirst() }
                if let region = rest.first, region.contains("-") { return region }
                if rest.isEmpty { return "us-east-1" } // the legacy global endpoint s3.amazonaws.com
            }
        }
        return nil
    }

    /// The region a well-known ingest host stores in, or nil.
    public static func region(ofIngestHost host: String) -> String? {
        guard let h = Hosts.host(of: host) else { return nil }
        return knownIngestRegions.first { Hosts.matches(h, pattern: $0.host) }?.region
    }
}
