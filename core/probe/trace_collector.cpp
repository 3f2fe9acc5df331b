// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/probe/trace_collector.h"

#include <algorithm>

namespace meshcraft::core::probe {

using relay::ConnectionEvent;

TraceCollector::TraceCollector(std::size_t maxTraces)
    : m_maxTraces(std::max<std::size_t>(maxTraces, 1))
{
}

void TraceCollector::onConnectionEvents(const std::vector<ConnectionEvent> &events)
{
    {
        std::lock_guard lock(m_mutex);
        for (const auto &event : events) {
            apply(event);
        }
        evict();
    }
    m_changed.notify_all();
}

TraceHop *TraceCollector::hopFor(Entry &entry, const ConnectionEvent &event)
{
    auto &hops = entry.trace.hops;
    for (auto &hop : hops) {
        if (hop.connectionId == event.connectionId) {
            return &hop;
        }
    }
    if (hops.size() >= MaxHopsPerTrace) {
        return nullptr; // a loop through proxies: keep the first hops only
    }
    TraceHop hop;
    hop.connectionId = event.connectionId;
    hop.parentId = event.parentId;
    hop.proxyId = event.proxyId;
    hop.downstream = event.downstream;
    hop.originalDestination = event.originalDestination;
    // Hops join in flow order: a child is opened after its parent connected upstream, and
    // connection ids grow, so keeping them sorted by id keeps the flow's order.
    const auto at = std::find_if(hops.begin(), hops.end(), [&](const TraceHop &h) {
        return h.connectionId > event.connectionId;
    });
    return &*hops.insert(at, std::move(hop));
}

void TraceCollector::apply(const ConnectionEvent &event)
{
    ++m_seq;
    auto it = m_traces.find(event.traceId);
    if (it == m_traces.end()) {
        if (event.kind != ConnectionEvent::Kind::Opened) {
            return; // a flow that began before we were registered, or one already forgotten
        }
        it = m_traces.emplace(event.traceId, Entry{}).first;
        it->second.trace.traceId = event.traceId;
        it->second.openedSeq = m_seq;
    }
    Entry &entry = it->second;
    TraceHop *hop = hopFor(entry, event);
    if (!hop) {
        return;
    }
    switch (event.kind) {
    case ConnectionEvent::Kind::Opened:
        if (event.parentId == 0) {
            m_flows[{event.downstream.ip, event.downstream.port}] = {m_seq, event.traceId};
        }
        break;
    case ConnectionEvent::Kind::Decision:
        hop->decided = true;
        hop->decision = event.decision;
        break;
    case ConnectionEvent::Kind::UpstreamConnected:
        hop->upstreamConnected = true;
        hop->upstreamLocal = event.upstreamLocal;
        break;
    case ConnectionEvent::Kind::Bytes:
        break;
    case ConnectionEvent::Kind::Closed:
        hop->closed = true;
        hop->flags = event.flags;
        hop->duration = event.duration;
        hop->detail = event.detail;
        hop->accessLogLine = event.accessLogLine;
        if (!hop->decided) {
            hop->decision = event.decision;
        }
        break;
    }
    hop->bytesReceived = event.bytesReceived;
    hop->bytesSent = event.bytesSent;
    entry.trace.complete = isComplete(entry.trace);
}

bool TraceCollector::isComplete(const Trace &trace)
{
    if (trace.hops.empty()) {
        return false;
    }
    for (const auto &hop : trace.hops) {
        if (!hop.closed) {
            return false;
        }
        // A hop that reached another proxy expects that proxy's hop; it may still be on its way.
        if (hop.upstreamConnected && hop.decision.upstreamKind == "proxy" &&
            trace.hops.size() < MaxHopsPerTrace) {
            const bool hasNext =
                std::any_of(trace.hops.begin(), trace.hops.end(),
                            [&](const TraceHop &h) { return h.parentId == hop.connectionId; });
            if (!hasNext) {
                return false;
            }
        }
    }
    return true;
}

void TraceCollector::evict()
{
    while (m_traces.size() > m_maxTraces) {
        const auto oldest = m_traces.begin();
        const std::uint64_t id = oldest->first;
        m_traces.erase(oldest);
        std::erase_if(m_flows, [id](const auto &flow) { return flow.second.second == id; });
    }
}

std::uint64_t TraceCollector::mark() const
{
    std::lock_guard lock(m_mutex);
    return m_seq;
}

std::optional<std::uint64_t> TraceCollector::findFlow(xds::SocketAddress downstream,
                                                      std::uint64_t since) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_flows.find({downstream.ip, downstream.port});
    if (it == m_flows.end() || it->second.first <= since) {
        return std::nullopt;
    }
    return it->second.second;
}

std::optional<std::uint64_t> TraceCollector::waitForFlow(xds::SocketAddress downstream,
                                                         std::uint64_t since,
                                                         std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(m_mutex);
    std::optional<std::uint64_t> found;
    m_changed.wait_for(lock, timeout, [&] {
        const auto it = m_flows.find({downstream.ip, downstream.port});
        if (it != m_flows.end() && it->second.first > since) {
            found = it->second.second;
        }
        return found.has_value();
    });
    return found;
}

std::optional<Trace> TraceCollector::trace(std::uint64_t traceId) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_traces.find(traceId);
    if (it == m_traces.end()) {
        return std::nullopt;
    }
    return it->second.trace;
}

Trace TraceCollector::waitForComplete(std::uint64_t traceId,
                                      std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, timeout, [&] {
        const auto it = m_traces.find(traceId);
        return it == m_traces.end() || it->second.trace.complete;
    });
    const auto it = m_traces.find(traceId);
    return it == m_traces.end() ? Trace{} : it->second.trace;
}

std::vector<Trace> TraceCollector::recent(const std::string &firstProxyId, std::size_t limit) const
{
    std::lock_guard lock(m_mutex);
    std::vector<Trace> out;
    for (auto it = m_traces.rbegin(); it != m_traces.rend() && out.size() < limit; ++it) {
        const auto &hops = it->second.trace.hops;
        if (!hops.empty() && hops.front().proxyId == firstProxyId) {
            out.push_back(it->second.trace);
        }
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::size_t TraceCollector::traceCountForTest() const
{
    std::lock_guard lock(m_mutex);
    return m_traces.size();
}

} // namespace meshcraft::core::probe
