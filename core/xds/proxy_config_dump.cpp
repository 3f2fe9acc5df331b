// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/xds/proxy_config_dump.h"

#include "core/common/text.h"

#include <algorithm>
#include <string_view>
#include <tuple>

namespace meshcraft::core::xds {

namespace {

using Rows = std::vector<std::vector<std::string>>;

std::size_t displayWidth(std::string_view text)
{
    // Go counts runes: skip UTF-8 continuation bytes.
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

class Tabwriter
{
public:
    Tabwriter(const Rows &rows, std::size_t padding) : m_rows(rows), m_padding(padding) {}

    std::string run()
    {
        format(0, m_rows.size());
        return m_out;
    }

private:
    void writeLines(std::size_t from, std::size_t to)
    {
        for (std::size_t i = from; i < to; ++i) {
            const auto &row = m_rows[i];
            for (std::size_t j = 0; j < row.size(); ++j) {
                m_out += row[j];
                if (j < m_widths.size() && j + 1 < row.size()) {
                    m_out.append(m_widths[j] - displayWidth(row[j]), ' ');
                }
            }
            m_out += '\n';
        }
    }

    // Go's tabwriter.format: a column block is a run of rows that have a cell in the column.
    void format(std::size_t line0, std::size_t line1)
    {
        const std::size_t column = m_widths.size();
        for (std::size_t current = line0; current < line1; ++current) {
            if (column + 1 >= m_rows[current].size()) {
                continue;
            }
            writeLines(line0, current);
            line0 = current;
            std::size_t width = 0;
            for (; current < line1; ++current) {
                const auto &row = m_rows[current];
                if (column + 1 >= row.size()) {
                    break;
                }
                width = std::max(width, displayWidth(row[column]) + m_padding);
            }
            m_widths.push_back(width);
            format(line0, current);
            m_widths.pop_back();
            line0 = current;
            if (current >= line1) {
                return;
            }
        }
        writeLines(line0, line1);
    }

    const Rows &m_rows;
    std::size_t m_padding;
    std::vector<std::size_t> m_widths;
    std::string m_out;
};

std::string addressText(const Listener &listener)
{
    return listener.address.ip == 0 ? std::string("0.0.0.0") : formatIpv4(listener.address.ip);
}

bool isBlackHole(const TcpProxy &proxy)
{
    if (proxy.cluster == "BlackHoleCluster") {
        return true;
    }
    return std::any_of(proxy.weightedClusters.begin(), proxy.weightedClusters.end(),
                       [](const WeightedCluster &c) { return c.name == "BlackHoleCluster"; });
}

std::string listenerType(const Listener &listener)
{
    const bool tcp = std::any_of(listener.filterChains.begin(), listener.filterChains.end(),
                                 [](const FilterChain &c) { return !isBlackHole(c.tcpProxy); });
    return tcp ? "TCP" : "UNKNOWN";
}

/// A row of the listener table before sorting.
struct ListenerRow
{
    std::string address;
    std::uint16_t port = 0;
    std::string type;
    std::vector<std::pair<std::string, std::string>> matches; ///< (match, destination)
};

std::vector<ListenerRow> listenerRows(const ProxySnapshot &snapshot)
{
    std::vector<ListenerRow> rows;
    for (const Listener &listener : snapshot.listeners) {
        ListenerRow row{addressText(listener), listener.address.port, listenerType(listener), {}};
        for (const FilterChain &chain : listener.filterChains) {
            row.matches.emplace_back(chainMatch(chain.match), chainDestination(chain));
        }
        rows.push_back(std::move(row));
    }
    // The bootstrap's static listeners: readiness and Prometheus.
    rows.push_back({"0.0.0.0", 15021, "HTTP", {{"ALL", "Inline Route: /healthz/ready*"}}});
    rows.push_back({"0.0.0.0", 15090, "HTTP", {{"ALL", "Inline Route: /stats/prometheus*"}}});
    std::stable_sort(rows.begin(), rows.end(), [](const ListenerRow &a, const ListenerRow &b) {
        return std::tie(a.port, a.address, a.type) < std::tie(b.port, b.address, b.type);
    });
    return rows;
}

/// model.ParseSubsetKey: "outbound|6379|redis|host" -> direction, port, subset, host.
struct ClusterKey
{
    std::string direction;
    std::string subset;
    std::string host;
    int port = 0;
    bool parsed = false;
};

ClusterKey parseClusterKey(const std::string &name)
{
    const auto parts = common::split(name, '|');
    if (parts.size() < 4) {
        return {"", "", name, 0, false};
    }
    int port = 0;
    for (const char c : parts[1]) {
        if (c < '0' || c > '9') {
            port = 0;
            break;
        }
        port = port * 10 + (c - '0');
    }
    return {parts[0], parts[2], parts[3], port, true};
}

} // namespace

std::string tabwriterFormat(const Rows &rows, int padding)
{
    return Tabwriter(rows, static_cast<std::size_t>(std::max(0, padding))).run();
}

std::string chainMatch(const FilterChainMatch &match)
{
    const std::string port =
        match.destinationPort ? ':' + std::to_string(*match.destinationPort) : std::string();
    if (!match.prefixRanges.empty()) {
        std::vector<std::string> ranges;
        for (const CidrRange &range : match.prefixRanges) {
            ranges.push_back(range.toString());
        }
        return "Addr: " + common::join(ranges, ",") + port;
    }
    if (!port.empty()) {
        return "Addr: *" + port;
    }
    return "ALL";
}

std::string chainDestination(const FilterChain &chain)
{
    const TcpProxy &proxy = chain.tcpProxy;
    if (isBlackHole(proxy)) {
        return "Non-HTTP/Non-TCP";
    }
    // With weighted clusters tcp_proxy's `cluster` field is empty, and istioctl prints that.
    const std::string cluster = proxy.weightedClusters.empty() ? proxy.cluster : std::string();
    if (cluster.find("Cluster") != std::string::npos) {
        return cluster;
    }
    return "Cluster: " + cluster;
}

std::string listenersTable(const ProxySnapshot &snapshot, bool verbose)
{
    Rows rows;
    rows.push_back(verbose ? std::vector<std::string>{"ADDRESSES", "PORT", "MATCH", "DESTINATION"}
                           : std::vector<std::string>{"ADDRESSES", "PORT", "TYPE"});
    for (ListenerRow &row : listenerRows(snapshot)) {
        const std::string port = std::to_string(row.port);
        if (!verbose) {
            rows.push_back({row.address, port, row.type});
            continue;
        }
        std::stable_sort(row.matches.begin(), row.matches.end(),
                         [](const auto &a, const auto &b) { return a.second > b.second; });
        for (const auto &[match, destination] : row.matches) {
            rows.push_back({row.address, port, match, destination});
        }
    }
    return tabwriterFormat(rows, 1);
}

std::string clustersTable(const ProxySnapshot &snapshot)
{
    struct Row
    {
        ClusterKey key;
        std::string type;
        std::string rule;
    };
    std::vector<Row> clusters;
    for (const Cluster &cluster : snapshot.clusters) {
        clusters.push_back({parseClusterKey(cluster.name), discoveryTypeName(cluster.type),
                            cluster.destinationRule});
    }
    // The bootstrap's static clusters.
    for (const char *name : {"agent", "prometheus_stats", "sds-grpc", "xds-grpc"}) {
        clusters.push_back({parseClusterKey(name), "STATIC", ""});
    }
    std::stable_sort(clusters.begin(), clusters.end(), [](const Row &a, const Row &b) {
        return std::tie(a.key.host, a.key.subset, a.key.port, a.key.direction) <
               std::tie(b.key.host, b.key.subset, b.key.port, b.key.direction);
    });
    Rows rows;
    rows.push_back({"SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE", "DESTINATION RULE"});
    for (const Row &row : clusters) {
        if (!row.key.parsed) {
            rows.push_back({row.key.host, "-", "-", "-", row.type, row.rule});
            continue;
        }
        rows.push_back({row.key.host, std::to_string(row.key.port),
                        row.key.subset.empty() ? "-" : row.key.subset, row.key.direction, row.type,
                        row.rule});
    }
    return tabwriterFormat(rows, 5);
}

std::string routesTable(const ProxySnapshot &, bool verbose)
{
    Rows rows;
    if (!verbose) {
        rows.push_back({"NAME", "VIRTUAL HOSTS"});
        rows.push_back({"", "1"});
        rows.push_back({"", "1"});
        return tabwriterFormat(rows, 5);
    }
    rows.push_back({"NAME", "VHOST NAME", "DOMAINS", "MATCH", "VIRTUAL SERVICE"});
    rows.push_back({"", "backend", "*", "/stats/prometheus*", ""});
    rows.push_back({"", "backend", "*", "/healthz/ready*", ""});
    return tabwriterFormat(rows, 5);
}

} // namespace meshcraft::core::xds
