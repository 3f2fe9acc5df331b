// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/result.h"
#include "core/relay/events.h"
#include "core/relay/stats.h"
#include "core/xds/match.h"
#include "core/xds/snapshot.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meshcraft::core::net {
class AddressMap;
}

namespace meshcraft::core::relay {

enum class ProxyKind { Sidecar, Gateway };

struct ProxyConfig
{
    std::string id; ///< the proxy id snapshots are addressed to, e.g. "busybox.default"
    ProxyKind kind = ProxyKind::Sidecar;
    std::uint32_t podIp = 0; ///< the pod's virtual IP
};

/// The real 127.0.0.1 ports of one proxy's listeners (all kernel-assigned).
struct ProxyPorts
{
    std::uint16_t outbound = 0; ///< sidecar: captured outbound traffic (the 15001 role)
    std::uint16_t inbound = 0;  ///< sidecar: captured inbound traffic (the 15006 role)
    /// gateway: virtual listener port -> loopback port, one per port that has a filter chain
    std::map<std::uint16_t, std::uint16_t> gateway;
};

struct EngineOptions
{
    /// Where virtual addresses are served. The engine also registers its proxies' listeners in
    /// it (captures for sidecars, per-port listeners for gateways). Required.
    std::shared_ptr<net::AddressMap> addressMap;
    /// Resolves STRICT_DNS / LOGICAL_DNS hostnames (the cluster DNS). Called on the relay thread;
    /// must be quick and thread-safe. Empty: nothing resolves.
    xds::Resolver resolver;
    /// Bytes read per read() call. Also the most a direction buffers when its writer is behind,
    /// so one connection holds at most twice this while a peer is slow, and nothing when idle.
    std::size_t readChunkSize = 64 * 1024;
    /// How long an accepted connection may take to send its PROXY v2 header.
    std::chrono::milliseconds proxyHeaderTimeout{15'000};
    /// Access-log lines kept per proxy for accessLog().
    std::size_t accessLogCapacity = 1000;
    /// At most this often a Bytes event is sent for a connection that moved bytes (D17).
    std::chrono::milliseconds bytesEventInterval{33};
};

/// The data plane: every sidecar and the egress gateway as real loopback TCP relays, deciding
/// per connection from the proxy's xds::ProxySnapshot what Envoy would decide.
///
/// Threading: one event loop (epoll) on its own thread owns all relay state. post() is the only
/// way in; the other methods are thread-safe wrappers around it. Methods that return a value wait
/// for the loop (or run inline when called on it); updateSnapshot() does not wait.
/// No exception escapes; failures come back as Result errors or connection outcomes.
class Engine
{
public:
    explicit Engine(EngineOptions options);
    /// Stops and joins (see stop()).
    ~Engine();
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    /// Runs `task` on the relay thread. Ignored after stop().
    void post(std::function<void()> task);
    bool isOnLoopThread() const;
    /// Returns once everything posted before it has run (e.g. after updateSnapshot()).
    void flush();

    /// Opens the proxy's loopback listeners and registers them in the address map.
    /// Sidecar: an outbound and an inbound listener; gateway: one per port of `snapshot`'s
    /// listeners that has a filter chain. `snapshot` may be null until the first push.
    common::Result<ProxyPorts> addProxy(const ProxyConfig &config,
                                        std::shared_ptr<const xds::ProxySnapshot> snapshot);
    /// Closes the proxy's listeners and connections and forgets it in the address map.
    void removeProxy(const std::string &proxyId);
    /// Swaps the proxy's snapshot atomically. New connections use it at once; an established
    /// connection whose filter chain is unchanged is untouched, one whose chain was removed or
    /// changed keeps flowing and is closed after the new snapshot's drainDuration (D3).
    void updateSnapshot(const std::string &proxyId,
                        std::shared_ptr<const xds::ProxySnapshot> snapshot);
    std::optional<ProxyPorts> proxyPorts(const std::string &proxyId) const;

    /// The host-side entry point (`meshcraft tunnel`): listens on a loopback address and hands
    /// each accepted socket straight to `proxyId`'s sidecar as a downstream connection whose
    /// original destination is `destination`, as iptables REDIRECT would. No extra hop.
    /// `listenHost` must be a 127.x.x.x address (D28); port 0 picks a free one.
    /// Returns the bound port.
    common::Result<std::uint16_t> openTunnel(const std::string &proxyId,
                                             xds::SocketAddress destination,
                                             const std::string &listenHost = "127.0.0.1",
                                             std::uint16_t listenPort = 0);
    void closeTunnel(std::uint16_t port);

    /// A copy of the proxy's counters; empty for an unknown proxy.
    ProxyStats stats(const std::string &proxyId) const;
    /// The proxy's last access-log lines, oldest first.
    std::vector<std::string> accessLog(const std::string &proxyId) const;

    /// Observers are called on the relay thread with each tick's events.
    void addObserver(std::shared_ptr<ConnectionObserver> observer);
    void removeObserver(const ConnectionObserver *observer);

    /// Stops accepting, closes every connection (observers see them closed), exits the loop and
    /// joins the thread. Idempotent.
    void stop();

    /// Bytes held in relay buffers across all connections (backpressure tests).
    std::size_t bufferedBytesForTest() const;
    /// Connections the loop currently owns.
    std::size_t connectionCountForTest() const;

private:
    class Impl;
    std::unique_ptr<Impl> d;
};

} // namespace meshcraft::core::relay
