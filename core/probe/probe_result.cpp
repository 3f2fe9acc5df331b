// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/probe/probe_result.h"

namespace meshcraft::core::probe {

const char *outcomeName(ProbeOutcome outcome)
{
    switch (outcome) {
    case ProbeOutcome::Usage:
        return "usage";
    case ProbeOutcome::BadAddress:
        return "bad-address";
    case ProbeOutcome::Refused:
        return "refused";
    case ProbeOutcome::TimedOut:
        return "timed-out";
    case ProbeOutcome::ConnectFailed:
        return "connect-failed";
    case ProbeOutcome::Connected:
        return "connected";
    case ProbeOutcome::ClosedByPeer:
        return "closed-by-peer";
    case ProbeOutcome::Reply:
        return "reply";
    case ProbeOutcome::ErrorReply:
        return "error-reply";
    case ProbeOutcome::ServerClosed:
        return "server-closed";
    case ProbeOutcome::ConnectionReset:
        return "connection-reset";
    case ProbeOutcome::TransportError:
        return "transport-error";
    case ProbeOutcome::Interrupted:
        return "interrupted";
    }
    return "unknown";
}

std::string TraceHop::flagsText() const
{
    return relay::formatResponseFlags(flags);
}

std::string TraceHop::toString() const
{
    std::string line = proxyId + ' ';
    line += decision.listener.empty() ? std::string("(no listener)") : decision.listener;
    if (!decision.chain.empty()) {
        line += '/' + decision.chain;
    }
    if (!decision.cluster.empty()) {
        line += " -> " + decision.cluster;
    }
    if (decision.endpoint.port != 0) {
        line += " -> " + decision.endpoint.toString();
    }
    line += " flags " + (closed ? flagsText() : std::string("(open)"));
    const xds::Provenance &why = !decision.chainProvenance.kind.empty()
                                     ? decision.chainProvenance
                                     : decision.listenerProvenance;
    if (!why.kind.empty()) {
        line += " (" + why.toString() + ')';
    }
    return line;
}

const TraceHop *Trace::hopOf(const std::string &proxyId) const
{
    for (const auto &hop : hops) {
        if (hop.proxyId == proxyId) {
            return &hop;
        }
    }
    return nullptr;
}

std::vector<std::string> Trace::toLines() const
{
    std::vector<std::string> lines;
    lines.reserve(hops.size());
    for (const auto &hop : hops) {
        lines.push_back(hop.toString());
    }
    return lines;
}

std::string ProbeResult::text() const
{
    std::string out;
    for (const auto &chunk : transcript) {
        out += chunk.text;
    }
    return out;
}

std::string ProbeResult::text(OutputStream stream) const
{
    std::string out;
    for (const auto &chunk : transcript) {
        if (chunk.stream == stream) {
            out += chunk.text;
        }
    }
    return out;
}

std::vector<std::string> ProbeResult::lines() const
{
    std::vector<std::string> out;
    const std::string all = text();
    std::size_t start = 0;
    while (start < all.size()) {
        const auto end = all.find('\n', start);
        if (end == std::string::npos) {
            out.push_back(all.substr(start));
            break;
        }
        out.push_back(all.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

} // namespace meshcraft::core::probe
