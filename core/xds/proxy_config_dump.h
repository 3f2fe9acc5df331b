// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/xds/snapshot.h"

#include <string>
#include <vector>

namespace meshcraft::core::xds {

// What current `istioctl proxy-config listeners|clusters|routes <pod>` prints for a proxy
// (tool-outputs.md 4.3; istioctl/pkg/writer/envoy/configdump at HEAD), from its snapshot plus
// the bootstrap's static listeners, clusters and routes every istio-proxy has (health on 15021,
// Prometheus on 15090, the agent, SDS and XDS clusters).

/// Go's text/tabwriter with minwidth 0, padchar ' ' and no flags: each row's cells but the last
/// are padded to their column's widest cell plus `padding`; the last cell is written as is.
/// Columns are aligned per block of consecutive rows that have the column, as Go does.
std::string tabwriterFormat(const std::vector<std::vector<std::string>> &rows, int padding);

/// `istioctl proxy-config listeners` (verbose, the default): ADDRESSES PORT MATCH DESTINATION,
/// padding 1, sorted by port then address, each listener's chains by destination descending.
/// With `verbose` false: ADDRESSES PORT TYPE.
std::string listenersTable(const ProxySnapshot &snapshot, bool verbose = true);

/// `istioctl proxy-config clusters`: SERVICE FQDN PORT SUBSET DIRECTION TYPE DESTINATION RULE,
/// padding 5, sorted by host, subset, port, direction; clusters without `|` print `- - -`.
std::string clustersTable(const ProxySnapshot &snapshot);

/// `istioctl proxy-config routes` (verbose): NAME VHOST NAME DOMAINS MATCH VIRTUAL SERVICE.
/// The snapshot models TCP only, so only the bootstrap's static routes appear. With `verbose`
/// false: NAME VIRTUAL HOSTS.
std::string routesTable(const ProxySnapshot &snapshot, bool verbose = true);

/// The DESTINATION column for a chain: `Cluster: outbound|6379||redis.domain`, a cluster name
/// containing "Cluster" as is (PassthroughCluster), and `Non-HTTP/Non-TCP` for BlackHoleCluster
/// (istioctl skips a tcp_proxy that mentions it).
std::string chainDestination(const FilterChain &chain);
/// The MATCH column: `ALL`, `Addr: *:15001`, `Addr: 10.59.118.59/32`.
std::string chainMatch(const FilterChainMatch &match);

} // namespace meshcraft::core::xds
