// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/relay/stats.h"

#include <algorithm>

namespace meshcraft::core::relay {

std::vector<std::pair<std::string, std::uint64_t>> ProxyStats::envoyStats() const
{
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (const auto &[name, s] : listeners) {
        const std::string p = "listener." + name + '.';
        out.emplace_back(p + "downstream_cx_total", s.downstreamCxTotal);
        out.emplace_back(p + "downstream_cx_active", s.downstreamCxActive);
        out.emplace_back(p + "downstream_cx_destroy", s.downstreamCxDestroy);
        out.emplace_back(p + "downstream_cx_rx_bytes_total", s.downstreamCxRxBytesTotal);
        out.emplace_back(p + "downstream_cx_tx_bytes_total", s.downstreamCxTxBytesTotal);
        out.emplace_back(p + "no_filter_chain_match", s.noFilterChainMatch);
    }
    for (const auto &[name, s] : clusters) {
        const std::string p = "cluster." + name + '.';
        out.emplace_back(p + "upstream_cx_total", s.upstreamCxTotal);
        out.emplace_back(p + "upstream_cx_active", s.upstreamCxActive);
        out.emplace_back(p + "upstream_cx_connect_fail", s.upstreamCxConnectFail);
        out.emplace_back(p + "upstream_cx_connect_timeout", s.upstreamCxConnectTimeout);
        out.emplace_back(p + "upstream_cx_none_healthy", s.upstreamCxNoneHealthy);
        out.emplace_back(p + "upstream_cx_destroy", s.upstreamCxDestroy);
        out.emplace_back(p + "upstream_cx_rx_bytes_total", s.upstreamCxRxBytesTotal);
        out.emplace_back(p + "upstream_cx_tx_bytes_total", s.upstreamCxTxBytesTotal);
    }
    out.emplace_back("server.downstream_cx_total", downstreamCxTotal);
    out.emplace_back("server.downstream_cx_active", downstreamCxActive);
    out.emplace_back("server.downstream_cx_proxy_proto_error", downstreamCxProxyProtoError);
    std::sort(out.begin(), out.end());
    return out;
}

std::uint64_t ProxyStats::value(const std::string &envoyName) const
{
    for (const auto &[name, v] : envoyStats()) {
        if (name == envoyName) {
            return v;
        }
    }
    return 0;
}

} // namespace meshcraft::core::relay
