// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/probe/probe_result.h"
#include "core/relay/events.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace meshcraft::core::probe {

/// Stitches the relay's connection events into per-flow traces, for probes (and the lab's checks)
/// to query and wait on.
///
/// Register one on the engine for the session's lifetime:
///     auto traces = std::make_shared<TraceCollector>();
///     engine.addObserver(traces);
/// A probe takes mark() before it connects, then findFlow() / waitForFlow() with the capture's
/// `source` (the pod IP:port the first proxy sees as its downstream), then trace() /
/// waitForComplete() with the returned trace id.
///
/// Thread-safe: events arrive on the relay thread, queries come from any thread. Memory is
/// bounded: the oldest traces are forgotten past `maxTraces`, and a trace keeps at most
/// `MaxHopsPerTrace` hops.
class TraceCollector final : public relay::ConnectionObserver
{
public:
    static constexpr std::size_t MaxHopsPerTrace = 16;

    explicit TraceCollector(std::size_t maxTraces = 512);

    // Interface
    void onConnectionEvents(const std::vector<relay::ConnectionEvent> &events) override;

    /// A position in the event stream: flows first seen after it are "new" for findFlow().
    std::uint64_t mark() const;
    /// The trace id of the flow whose first hop has `downstream` as its client and that was
    /// opened after `since`; nullopt if none (yet).
    std::optional<std::uint64_t> findFlow(xds::SocketAddress downstream, std::uint64_t since) const;
    /// findFlow(), waiting up to `timeout` for the first hop's Opened event.
    std::optional<std::uint64_t> waitForFlow(xds::SocketAddress downstream, std::uint64_t since,
                                             std::chrono::milliseconds timeout) const;
    /// A copy of the trace as it stands; nullopt for an unknown (or forgotten) id.
    std::optional<Trace> trace(std::uint64_t traceId) const;
    /// Waits up to `timeout` for the trace to be complete, then returns it as it stands
    /// (check Trace::complete). An unknown id gives an empty trace.
    Trace waitForComplete(std::uint64_t traceId, std::chrono::milliseconds timeout) const;
    /// The most recent traces that started at `firstProxyId` (newest last), at most `limit`.
    std::vector<Trace> recent(const std::string &firstProxyId, std::size_t limit) const;

    std::size_t traceCountForTest() const;

private:
    struct Entry
    {
        Trace trace;
        std::uint64_t openedSeq = 0;
    };
    using FlowKey = std::pair<xds::Ipv4, std::uint16_t>;

    void apply(const relay::ConnectionEvent &event);
    TraceHop *hopFor(Entry &entry, const relay::ConnectionEvent &event);
    void evict();
    static bool isComplete(const Trace &trace);

    const std::size_t m_maxTraces;
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_changed;
    std::uint64_t m_seq = 0;
    std::map<std::uint64_t, Entry> m_traces;                            ///< by trace id
    std::map<FlowKey, std::pair<std::uint64_t, std::uint64_t>> m_flows; ///< -> (seq, trace id)
};

} // namespace meshcraft::core::probe
