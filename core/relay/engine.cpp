// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/relay/engine.h"

#include "core/mesh/address_map.h"
#include "core/mesh/proxy_protocol.h"
#include "core/relay/access_log.h"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <queue>
#include <set>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>

// The loop is plain epoll, edge-triggered on connection sockets: each socket is registered once
// for in, out and peer-close, and never modified again, so a forwarded chunk costs one read and
// one write. A read goes into one shared scratch buffer and is written straight on; only what
// the peer cannot take yet is copied into a per-direction buffer, and reading that direction
// stops until it drains (backpressure). Idle connections therefore hold no buffers at all.

namespace meshcraft::core::relay {

namespace {

using Millis = std::int64_t;

constexpr std::uint32_t ConnectionEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
constexpr int MaxEventsPerWait = 256;
constexpr int MaxAcceptsPerEvent = 64;
constexpr Millis AcceptRetryDelay = 100;

Millis steadyMillis()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

net::Address toNet(xds::SocketAddress a)
{
    return {a.ip, a.port};
}

xds::SocketAddress toXds(net::Address a)
{
    return {a.ip, a.port};
}

bool wouldBlock(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK;
}

void setNoDelay(int fd)
{
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/// Makes the next close() send RST instead of FIN.
void setResetOnClose(int fd)
{
    const linger hard{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
}

std::uint16_t localPort(int fd)
{
    sockaddr_in local{};
    socklen_t length = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&local), &length) != 0) {
        return 0;
    }
    return ntohs(local.sin_port);
}

struct ListenSocket
{
    int fd = -1;
    std::uint16_t port = 0;
    int error = 0;
};

ListenSocket openListenSocket(std::uint32_t hostIp, std::uint16_t port)
{
    ListenSocket result;
    result.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (result.fd < 0) {
        result.error = errno;
        return result;
    }
    const int one = 1;
    ::setsockopt(result.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setNoDelay(result.fd); // accepted sockets inherit it on Linux: one syscall less per accept
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(hostIp);
    if (::bind(result.fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0 ||
        ::listen(result.fd, SOMAXCONN) != 0) {
        result.error = errno;
        ::close(result.fd);
        result.fd = -1;
        return result;
    }
    result.port = localPort(result.fd);
    return result;
}

common::Error relayError(std::string code, std::string message)
{
    return {std::move(code), std::move(message), std::nullopt};
}

class IoHandler
{
public:
    virtual ~IoHandler() = default;
    virtual void onIo(std::uint32_t events) = 0;
};

enum class Role { Outbound, Inbound, Gateway, Tunnel };
enum class Stage { Header, Connecting, Established, Closed };

struct Proxy;
struct Connection;

} // namespace

class EngineCore
{
public:
    explicit EngineCore(EngineOptions options);
    ~EngineCore();

    bool post(std::function<void()> task);
    bool isOnLoopThread() const { return std::this_thread::get_id() == m_loopThread.load(); }
    template <typename Fn> auto runSync(Fn &&fn) -> decltype(fn());
    void stop();

    // Everything below runs on the loop thread.
    struct Acceptor;
    struct Side;
    struct Flow;

    common::Result<ProxyPorts> addProxy(const ProxyConfig &config,
                                        std::shared_ptr<const xds::ProxySnapshot> snapshot);
    void removeProxy(const std::string &id);
    void updateSnapshot(const std::string &id, std::shared_ptr<const xds::ProxySnapshot> snapshot);
    std::optional<ProxyPorts> proxyPorts(const std::string &id) const;
    common::Result<std::uint16_t> openTunnel(const std::string &proxyId,
                                             xds::SocketAddress destination,
                                             const std::string &listenHost,
                                             std::uint16_t listenPort);
    void closeTunnel(std::uint16_t port);
    ProxyStats stats(const std::string &id) const;
    std::vector<std::string> accessLog(const std::string &id) const;
    void addObserver(std::shared_ptr<ConnectionObserver> observer);
    void removeObserver(const ConnectionObserver *observer);
    std::size_t bufferedBytes() const { return m_bufferedBytes; }
    std::size_t connectionCount() const { return m_connections.size(); }

    void onAccept(Acceptor &acceptor);
    void onSide(Connection &c, Side &side, std::uint32_t events);

private:
    void run(std::stop_token stopToken);
    int nextTimeout() const;
    void runTasks();
    void runTimers();
    void flushEvents();
    void shutdownAll();

    Acceptor *openAcceptor(Proxy &proxy, Role role, std::uint32_t hostIp, std::uint16_t port,
                           int &error);
    void closeAcceptor(Acceptor *acceptor);
    void syncGatewayListeners(Proxy &proxy);

    Connection &newConnection(Proxy &proxy, Role role, int fd);
    void readHeader(Connection &c);
    void decide(Connection &c);
    void connectUpstream(Connection &c, const net::Route &route);
    void checkConnect(Connection &c);
    void sendEarly(Connection &c);
    void onConnected(Connection &c);
    void process(Connection &c);
    bool transfer(Connection &c, Side &src, Side &dst, Flow &flow, bool toUpstream);
    void resetAndClose(Connection &c, Side &toReset, const char *detail);
    void closeConnection(Connection &c, const char *detail);
    void onTimer(Connection &c);
    void schedule(Connection &c);

    void flowAppend(Flow &flow, const std::uint8_t *data, std::size_t size);
    void flowPrepend(Flow &flow, const std::vector<std::uint8_t> &data);
    void flowRelease(Flow &flow);

    ListenerStats &listenerStats(Proxy &proxy, const std::string &name);
    ClusterStats &clusterStats(Proxy &proxy, const std::string &name);
    HopDecision decisionOf(const Connection &c) const;
    ConnectionEvent eventOf(const Connection &c, ConnectionEvent::Kind kind) const;
    void emit(ConnectionEvent event);
    std::chrono::system_clock::time_point wallNow() const;

    EngineOptions m_options;
    int m_epoll = -1;
    int m_wake = -1;
    IoHandler *m_wakeTag = nullptr; // epoll data for the eventfd: never dereferenced

    std::mutex m_mutex;
    std::vector<std::function<void()>> m_tasks;
    bool m_wakePending = false;
    bool m_closed = false;
    std::atomic<bool> m_hasTasks{false}; ///< set by post(), read by the accept loop
    std::atomic<std::thread::id> m_loopThread;
    std::jthread m_thread;

    // Loop-confined state.
    std::unordered_map<std::string, std::unique_ptr<Proxy>> m_proxies;
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> m_connections;
    std::vector<std::unique_ptr<Connection>> m_graveyard;
    std::unordered_set<Acceptor *> m_liveAcceptors;
    std::vector<std::unique_ptr<Acceptor>> m_deadAcceptors;
    std::map<std::uint16_t, std::unique_ptr<Acceptor>> m_tunnels;

    struct TimerEntry
    {
        Millis deadline;
        std::uint64_t connectionId;
        bool operator>(const TimerEntry &other) const { return deadline > other.deadline; }
    };
    std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> m_timers;
    struct Deferred
    {
        Millis at;
        std::function<void()> fn;
    };
    std::vector<Deferred> m_deferred;

    std::unique_ptr<std::uint8_t[]> m_scratch;
    std::size_t m_chunk = 0;
    std::size_t m_bufferedBytes = 0;
    Millis m_now = 0;
    Millis m_startSteady = 0;
    std::chrono::system_clock::time_point m_startWall;
    std::uint64_t m_nextId = 1;

    std::vector<std::shared_ptr<ConnectionObserver>> m_observers;
    std::vector<ConnectionEvent> m_events;
    std::vector<std::uint64_t> m_dirty;
    Millis m_nextBytesFlush = 0;
};

struct EngineCore::Acceptor final : IoHandler
{
    EngineCore *impl = nullptr;
    Proxy *proxy = nullptr;
    Role role = Role::Outbound;
    int fd = -1;
    std::uint16_t port = 0;        ///< the real loopback port
    std::uint16_t virtualPort = 0; ///< gateway: the listener's port
    xds::SocketAddress tunnelDestination;

    bool closed = false; ///< its fd number may already belong to a new socket

    void onIo(std::uint32_t) override
    {
        if (!closed) {
            impl->onAccept(*this);
        }
    }
};

struct EngineCore::Side final : IoHandler
{
    Connection *conn = nullptr;
    EngineCore *impl = nullptr;
    int fd = -1;
    bool readable = false; ///< an edge said data or EOF may be there and we have not drained it
    bool writable = false;
    bool peerClosed = false; ///< saw RDHUP/HUP: keep reading until read() returns 0
    bool eof = false;
    bool shutWr = false;
    bool error = false;

    void onIo(std::uint32_t events) override;
};

struct EngineCore::Flow
{
    std::unique_ptr<std::uint8_t[]> data;
    std::size_t offset = 0;
    std::size_t size = 0;
    std::size_t capacity = 0;
};

namespace {

struct Proxy
{
    ProxyConfig config;
    std::shared_ptr<const xds::ProxySnapshot> snapshot;
    /// Built with each push, so a connection's match does not scan every listener.
    std::unique_ptr<const xds::SnapshotIndex> index;
    EngineCore::Acceptor *outbound = nullptr;
    EngineCore::Acceptor *inbound = nullptr;
    std::map<std::uint16_t, std::unique_ptr<EngineCore::Acceptor>> owned;
    std::map<std::uint16_t, EngineCore::Acceptor *> gateway; ///< virtual port -> acceptor
    std::unordered_map<std::string, ListenerStats> listenerStats;
    std::unordered_map<std::string, ClusterStats> clusterStats;
    std::uint64_t downstreamCxTotal = 0;
    std::uint64_t downstreamCxActive = 0;
    std::uint64_t proxyProtoErrors = 0;
    std::deque<std::string> accessLog;
    std::unordered_set<Connection *> connections;
    std::uint64_t pick = 0;
};

struct Connection
{
    std::uint64_t id = 0;
    std::uint64_t parentId = 0;
    std::uint64_t traceId = 0;
    Proxy *proxy = nullptr;
    Role role = Role::Outbound;
    Stage stage = Stage::Header;
    EngineCore::Side down;
    EngineCore::Side up;
    EngineCore::Flow toUp;
    EngineCore::Flow toDown;
    std::vector<std::uint8_t> header; ///< a PROXY header that came in pieces

    xds::SocketAddress source;
    xds::SocketAddress originalDestination;
    std::shared_ptr<const xds::ProxySnapshot> snapshot; ///< keeps the pointers below alive
    const xds::Listener *listener = nullptr;
    const xds::FilterChain *chain = nullptr;
    const xds::Cluster *cluster = nullptr;
    ListenerStats *listenerStats = nullptr;
    ClusterStats *clusterStats = nullptr;
    bool hasEndpoint = false;
    xds::SocketAddress endpoint;
    std::string endpointHostname;
    const char *upstreamKind = "";
    bool upstreamCounted = false;
    std::uint16_t upstreamLocalPort = 0;

    std::uint64_t bytesReceived = 0; ///< from downstream
    std::uint64_t bytesSent = 0;     ///< to downstream
    Millis start = 0;
    std::chrono::system_clock::time_point startWall;
    Millis lastActivity = 0;
    Millis idleTimeout = 0;
    Millis headerDeadline = 0;
    Millis connectDeadline = 0;
    Millis drainDeadline = 0;
    Millis scheduled = 0;
    ResponseFlags flags = 0;
    bool dirty = false;
};

} // namespace

void EngineCore::Side::onIo(std::uint32_t events)
{
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        readable = true;
    }
    if (events & (EPOLLRDHUP | EPOLLHUP)) {
        peerClosed = true;
    }
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
        writable = true;
    }
    if (events & EPOLLERR) {
        error = true;
    }
    impl->onSide(*conn, *this, events);
}

// --- construction, the loop, cross-thread entry -----------------------------------------------

EngineCore::EngineCore(EngineOptions options) : m_options(std::move(options))
{
    m_chunk = std::max<std::size_t>(m_options.readChunkSize, 4096);
    m_scratch = std::make_unique<std::uint8_t[]>(m_chunk);
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &ev);
    m_startSteady = steadyMillis();
    m_startWall = std::chrono::system_clock::now();
    m_now = m_startSteady;
    m_thread = std::jthread([this](std::stop_token token) { run(std::move(token)); });
}

EngineCore::~EngineCore()
{
    stop();
    ::close(m_wake);
    ::close(m_epoll);
}

bool EngineCore::post(std::function<void()> task)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_closed) {
            return false;
        }
        m_tasks.push_back(std::move(task));
        m_hasTasks.store(true, std::memory_order_release);
        if (m_wakePending) {
            return true;
        }
        m_wakePending = true;
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(m_wake, &one, sizeof one);
    return true;
}

template <typename Fn> auto EngineCore::runSync(Fn &&fn) -> decltype(fn())
{
    using T = decltype(fn());
    if (isOnLoopThread()) {
        return fn();
    }
    std::promise<T> promise;
    auto future = promise.get_future();
    const bool posted = post([&] {
        if constexpr (std::is_void_v<T>) {
            fn();
            promise.set_value();
        } else {
            promise.set_value(fn());
        }
    });
    if (!posted) {
        if constexpr (std::is_void_v<T>) {
            return;
        } else {
            return T{};
        }
    }
    return future.get();
}

void EngineCore::stop()
{
    if (m_thread.joinable()) {
        m_thread.request_stop();
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto n = ::write(m_wake, &one, sizeof one);
        m_thread.join();
    }
}

void EngineCore::run(std::stop_token stopToken)
{
    m_loopThread.store(std::this_thread::get_id());
    epoll_event events[MaxEventsPerWait];
    while (!stopToken.stop_requested()) {
        const int n = ::epoll_wait(m_epoll, events, MaxEventsPerWait, nextTimeout());
        m_now = steadyMillis();
        // Consume the wake-up before taking the tasks, so a post racing with us re-arms it.
        for (int i = 0; i < n; ++i) {
            if (events[i].data.ptr == m_wakeTag) {
                std::uint64_t count = 0;
                [[maybe_unused]] const auto r = ::read(m_wake, &count, sizeof count);
                break;
            }
        }
        // Tasks first: a snapshot posted before a client connected must decide that connection.
        runTasks();
        for (int i = 0; i < n; ++i) {
            auto *handler = static_cast<IoHandler *>(events[i].data.ptr);
            if (handler != m_wakeTag) {
                handler->onIo(events[i].events);
            }
        }
        runTimers();
        flushEvents();
        m_graveyard.clear();
        m_deadAcceptors.clear();
    }
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
    }
    m_now = steadyMillis();
    runTasks();
    shutdownAll();
    m_nextBytesFlush = 0;
    flushEvents();
    m_graveyard.clear();
    m_deadAcceptors.clear();
}

int EngineCore::nextTimeout() const
{
    Millis next = -1;
    if (!m_timers.empty()) {
        next = m_timers.top().deadline;
    }
    for (const auto &deferred : m_deferred) {
        next = next < 0 ? deferred.at : std::min(next, deferred.at);
    }
    if (!m_dirty.empty()) {
        next = next < 0 ? m_nextBytesFlush : std::min(next, m_nextBytesFlush);
    }
    if (next < 0) {
        return -1;
    }
    const Millis wait = next - steadyMillis();
    return wait <= 0 ? 0 : static_cast<int>(std::min<Millis>(wait + 1, 1 << 30));
}

void EngineCore::runTasks()
{
    std::vector<std::function<void()>> tasks;
    {
        std::lock_guard lock(m_mutex);
        tasks.swap(m_tasks);
        m_wakePending = false;
        m_hasTasks.store(false, std::memory_order_relaxed);
    }
    for (auto &task : tasks) {
        // The loop boundary: a throwing task must not take the relay down.
        try {
            task();
        } catch (...) {
        }
    }
}

void EngineCore::runTimers()
{
    while (!m_timers.empty() && m_timers.top().deadline <= m_now) {
        const TimerEntry entry = m_timers.top();
        m_timers.pop();
        const auto it = m_connections.find(entry.connectionId);
        if (it == m_connections.end() || it->second->scheduled != entry.deadline) {
            continue; // closed, or superseded by an earlier entry
        }
        it->second->scheduled = 0;
        onTimer(*it->second);
    }
    // Stale entries of closed connections pile up under churn; rebuild now and then.
    if (m_timers.size() > 2 * m_connections.size() + 4096) {
        std::vector<TimerEntry> live;
        while (!m_timers.empty()) {
            const auto entry = m_timers.top();
            m_timers.pop();
            const auto it = m_connections.find(entry.connectionId);
            if (it != m_connections.end() && it->second->scheduled == entry.deadline) {
                live.push_back(entry);
            }
        }
        m_timers = decltype(m_timers)(std::greater<>(), std::move(live));
    }
    if (!m_deferred.empty()) {
        std::vector<Deferred> due;
        std::erase_if(m_deferred, [&](Deferred &d) {
            if (d.at > m_now) {
                return false;
            }
            due.push_back(std::move(d));
            return true;
        });
        for (auto &d : due) {
            d.fn();
        }
    }
}

void EngineCore::flushEvents()
{
    if (!m_dirty.empty() && m_now >= m_nextBytesFlush) {
        for (const auto id : m_dirty) {
            const auto it = m_connections.find(id);
            if (it != m_connections.end() && it->second->stage != Stage::Closed) {
                it->second->dirty = false;
                if (!m_observers.empty()) {
                    emit(eventOf(*it->second, ConnectionEvent::Kind::Bytes));
                }
            }
        }
        m_dirty.clear();
        m_nextBytesFlush = m_now + m_options.bytesEventInterval.count();
    }
    if (m_events.empty()) {
        return;
    }
    std::vector<ConnectionEvent> batch;
    batch.swap(m_events);
    const auto observers = m_observers; // an observer may add or remove observers
    for (const auto &observer : observers) {
        try {
            observer->onConnectionEvents(batch);
        } catch (...) {
        }
    }
}

void EngineCore::shutdownAll()
{
    for (auto &[port, tunnel] : m_tunnels) {
        ::close(tunnel->fd);
    }
    m_tunnels.clear();
    std::vector<std::string> ids;
    for (const auto &[id, proxy] : m_proxies) {
        ids.push_back(id);
    }
    for (const auto &id : ids) {
        removeProxy(id);
    }
    // Connections whose proxy was already gone (none expected) are closed too.
    std::vector<Connection *> rest;
    for (auto &[id, c] : m_connections) {
        rest.push_back(c.get());
    }
    for (auto *c : rest) {
        closeConnection(*c, "shutdown");
    }
}

std::chrono::system_clock::time_point EngineCore::wallNow() const
{
    return m_startWall + std::chrono::milliseconds(m_now - m_startSteady);
}

// --- proxies, listeners, tunnels ---------------------------------------------------------------

EngineCore::Acceptor *EngineCore::openAcceptor(Proxy &proxy, Role role, std::uint32_t hostIp,
                                               std::uint16_t port, int &error)
{
    const ListenSocket socket = openListenSocket(hostIp, port);
    if (socket.fd < 0) {
        error = socket.error;
        return nullptr;
    }
    auto acceptor = std::make_unique<Acceptor>();
    acceptor->impl = this;
    acceptor->proxy = &proxy;
    acceptor->role = role;
    acceptor->fd = socket.fd;
    acceptor->port = socket.port;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = static_cast<IoHandler *>(acceptor.get());
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, socket.fd, &ev);
    Acceptor *raw = acceptor.get();
    m_liveAcceptors.insert(raw);
    if (role == Role::Tunnel) {
        m_tunnels[socket.port] = std::move(acceptor);
    } else {
        proxy.owned[socket.port] = std::move(acceptor);
    }
    return raw;
}

void EngineCore::closeAcceptor(Acceptor *acceptor)
{
    ::close(acceptor->fd);
    acceptor->closed = true;
    m_liveAcceptors.erase(acceptor);
    auto &owner = acceptor->role == Role::Tunnel ? m_tunnels : acceptor->proxy->owned;
    const auto it = owner.find(acceptor->port);
    if (it != owner.end()) {
        m_deadAcceptors.push_back(std::move(it->second)); // events of this tick may still name it
        owner.erase(it);
    }
}

common::Result<ProxyPorts> EngineCore::addProxy(const ProxyConfig &config,
                                                std::shared_ptr<const xds::ProxySnapshot> snap)
{
    if (m_proxies.contains(config.id)) {
        return tl::unexpected(
            relayError("relay.duplicate-proxy", "proxy " + config.id + " is already running"));
    }
    auto proxy = std::make_unique<Proxy>();
    proxy->config = config;
    proxy->snapshot = std::move(snap);
    if (proxy->snapshot) {
        proxy->index = std::make_unique<const xds::SnapshotIndex>(*proxy->snapshot);
    }
    Proxy &p = *proxy;
    m_proxies[config.id] = std::move(proxy);
    auto &map = *m_options.addressMap;
    if (config.kind == ProxyKind::Sidecar) {
        int error = 0;
        p.outbound = openAcceptor(p, Role::Outbound, INADDR_LOOPBACK, 0, error);
        p.inbound =
            p.outbound ? openAcceptor(p, Role::Inbound, INADDR_LOOPBACK, 0, error) : nullptr;
        if (!p.outbound || !p.inbound) {
            removeProxy(config.id);
            return tl::unexpected(relayError("relay.listen-failed", std::string("cannot listen: ") +
                                                                        std::strerror(error)));
        }
        map.setOutboundCapture(config.podIp, p.outbound->port);
        map.setInboundCapture(config.podIp, p.inbound->port);
    } else {
        map.addHost(config.podIp);
        syncGatewayListeners(p);
    }
    return *proxyPorts(config.id);
}

void EngineCore::syncGatewayListeners(Proxy &proxy)
{
    std::set<std::uint16_t> wanted;
    if (proxy.snapshot) {
        for (const auto &listener : proxy.snapshot->listeners) {
            if (listener.direction == xds::TrafficDirection::Outbound && !listener.useOriginalDst &&
                !listener.filterChains.empty()) {
                wanted.insert(listener.address.port);
            }
        }
    }
    auto &map = *m_options.addressMap;
    for (auto it = proxy.gateway.begin(); it != proxy.gateway.end();) {
        if (wanted.contains(it->first)) {
            ++it;
            continue;
        }
        // No chain, no listener: the gateway pod refuses this port from now on.
        map.remove({proxy.config.podIp, it->first});
        closeAcceptor(it->second);
        it = proxy.gateway.erase(it);
    }
    for (const auto port : wanted) {
        if (proxy.gateway.contains(port)) {
            continue;
        }
        int error = 0;
        Acceptor *acceptor = openAcceptor(proxy, Role::Gateway, INADDR_LOOPBACK, 0, error);
        if (!acceptor) {
            continue; // out of descriptors: the port refuses, as a missing listener would
        }
        acceptor->virtualPort = port;
        proxy.gateway[port] = acceptor;
        map.setProxyListener({proxy.config.podIp, port}, acceptor->port);
    }
}

void EngineCore::removeProxy(const std::string &id)
{
    const auto it = m_proxies.find(id);
    if (it == m_proxies.end()) {
        return;
    }
    Proxy &p = *it->second;
    auto &map = *m_options.addressMap;
    if (p.config.kind == ProxyKind::Sidecar) {
        map.clearCaptures(p.config.podIp);
    }
    for (const auto &[port, acceptor] : p.gateway) {
        map.remove({p.config.podIp, port});
    }
    p.gateway.clear();
    std::vector<Acceptor *> acceptors;
    for (auto &[port, acceptor] : p.owned) {
        acceptors.push_back(acceptor.get());
    }
    for (auto &[port, tunnel] : m_tunnels) {
        if (tunnel->proxy == &p) {
            acceptors.push_back(tunnel.get());
        }
    }
    for (auto *acceptor : acceptors) {
        closeAcceptor(acceptor);
    }
    const std::vector<Connection *> connections(p.connections.begin(), p.connections.end());
    for (auto *c : connections) {
        closeConnection(*c, "proxy removed");
    }
    m_proxies.erase(it);
}

void EngineCore::updateSnapshot(const std::string &id,
                                std::shared_ptr<const xds::ProxySnapshot> snapshot)
{
    const auto it = m_proxies.find(id);
    if (it == m_proxies.end() || !snapshot) {
        return;
    }
    Proxy &p = *it->second;
    p.index = std::make_unique<const xds::SnapshotIndex>(*snapshot);
    p.snapshot = std::move(snapshot);
    if (p.config.kind == ProxyKind::Gateway) {
        syncGatewayListeners(p);
    }
    // D3: a connection keeps flowing; only a removed or changed chain drains it.
    const auto &next = *p.snapshot;
    for (Connection *c : p.connections) {
        if (!c->chain || c->drainDeadline != 0 || c->stage == Stage::Closed) {
            continue;
        }
        const xds::FilterChain *same = nullptr;
        if (const auto *listener = next.findListener(c->listener->name)) {
            for (const auto &chain : listener->filterChains) {
                if (xds::sameBehaviour(chain, *c->chain)) {
                    same = &chain;
                    break;
                }
            }
        }
        if (!same) {
            c->drainDeadline = m_now + next.settings.drainDuration.count();
            schedule(*c);
        }
    }
}

std::optional<ProxyPorts> EngineCore::proxyPorts(const std::string &id) const
{
    const auto it = m_proxies.find(id);
    if (it == m_proxies.end()) {
        return std::nullopt;
    }
    const Proxy &p = *it->second;
    ProxyPorts ports;
    ports.outbound = p.outbound ? p.outbound->port : 0;
    ports.inbound = p.inbound ? p.inbound->port : 0;
    for (const auto &[port, acceptor] : p.gateway) {
        ports.gateway[port] = acceptor->port;
    }
    return ports;
}

common::Result<std::uint16_t> EngineCore::openTunnel(const std::string &proxyId,
                                                     xds::SocketAddress destination,
                                                     const std::string &listenHost,
                                                     std::uint16_t listenPort)
{
    const auto host = xds::parseIpv4(listenHost == "localhost" ? "127.0.0.1" : listenHost);
    if (!host || (*host >> 24) != 127) {
        return tl::unexpected(relayError("relay.tunnel-not-loopback",
                                         "tunnel listens on loopback only; " + listenHost +
                                             " is not a 127.x.x.x address"));
    }
    const auto it = m_proxies.find(proxyId);
    if (it == m_proxies.end() || it->second->config.kind != ProxyKind::Sidecar) {
        return tl::unexpected(relayError("relay.no-sidecar", "no sidecar proxy named " + proxyId));
    }
    int error = 0;
    Acceptor *acceptor = openAcceptor(*it->second, Role::Tunnel, *host, listenPort, error);
    if (!acceptor) {
        return tl::unexpected(relayError(
            "relay.listen-failed", "cannot listen on " + listenHost + ':' +
                                       std::to_string(listenPort) + ": " + std::strerror(error)));
    }
    acceptor->tunnelDestination = destination;
    return acceptor->port;
}

void EngineCore::closeTunnel(std::uint16_t port)
{
    const auto it = m_tunnels.find(port);
    if (it != m_tunnels.end()) {
        closeAcceptor(it->second.get());
    }
}

ProxyStats EngineCore::stats(const std::string &id) const
{
    ProxyStats out;
    const auto it = m_proxies.find(id);
    if (it == m_proxies.end()) {
        return out;
    }
    const Proxy &p = *it->second;
    out.listeners.insert(p.listenerStats.begin(), p.listenerStats.end());
    out.clusters.insert(p.clusterStats.begin(), p.clusterStats.end());
    out.downstreamCxTotal = p.downstreamCxTotal;
    out.downstreamCxActive = p.downstreamCxActive;
    out.downstreamCxProxyProtoError = p.proxyProtoErrors;
    out.snapshotVersion = p.snapshot ? p.snapshot->version : 0;
    return out;
}

std::vector<std::string> EngineCore::accessLog(const std::string &id) const
{
    const auto it = m_proxies.find(id);
    if (it == m_proxies.end()) {
        return {};
    }
    return {it->second->accessLog.begin(), it->second->accessLog.end()};
}

void EngineCore::addObserver(std::shared_ptr<ConnectionObserver> observer)
{
    if (observer) {
        m_observers.push_back(std::move(observer));
    }
}

void EngineCore::removeObserver(const ConnectionObserver *observer)
{
    std::erase_if(m_observers, [observer](const auto &o) { return o.get() == observer; });
}

ListenerStats &EngineCore::listenerStats(Proxy &proxy, const std::string &name)
{
    return proxy.listenerStats[name]; // node-based: the reference stays valid
}

ClusterStats &EngineCore::clusterStats(Proxy &proxy, const std::string &name)
{
    return proxy.clusterStats[name];
}

// --- connections ----------------------------------------------------------------------------

Connection &EngineCore::newConnection(Proxy &proxy, Role role, int fd)
{
    auto owned = std::make_unique<Connection>();
    Connection &c = *owned;
    c.id = m_nextId++;
    c.traceId = c.id;
    c.proxy = &proxy;
    c.role = role;
    c.down.conn = &c;
    c.down.impl = this;
    c.down.fd = fd;
    c.down.writable = true;
    c.up.conn = &c;
    c.up.impl = this;
    c.start = m_now;
    c.startWall = wallNow();
    c.lastActivity = m_now;
    m_connections.emplace(c.id, std::move(owned));
    proxy.connections.insert(&c);
    ++proxy.downstreamCxTotal;
    ++proxy.downstreamCxActive;
    epoll_event ev{};
    ev.events = ConnectionEvents;
    ev.data.ptr = static_cast<IoHandler *>(&c.down);
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    return c;
}

void EngineCore::onAccept(Acceptor &acceptor)
{
    for (int i = 0; i < MaxAcceptsPerEvent; ++i) {
        // A connection that arrives while we accept may have been opened after a post (a
        // snapshot push): run the tasks first. The listener is level-triggered, so the rest of
        // the backlog comes back on the next tick.
        if (i > 0 && m_hasTasks.load(std::memory_order_acquire)) {
            return;
        }
        sockaddr_in peer{};
        socklen_t length = sizeof peer;
        const int fd = ::accept4(acceptor.fd, reinterpret_cast<sockaddr *>(&peer), &length,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            const int error = errno;
            if (error == EINTR || error == ECONNABORTED) {
                continue;
            }
            if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
                // Out of descriptors: stop listening for a moment instead of spinning.
                epoll_event ev{};
                ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, acceptor.fd, &ev);
                Acceptor *paused = &acceptor;
                m_deferred.push_back({m_now + AcceptRetryDelay, [this, paused] {
                                          if (!m_liveAcceptors.contains(paused)) {
                                              return;
                                          }
                                          epoll_event resume{};
                                          resume.events = EPOLLIN;
                                          resume.data.ptr = static_cast<IoHandler *>(paused);
                                          ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, paused->fd, &resume);
                                      }});
            }
            return;
        }
        Connection &c = newConnection(*acceptor.proxy, acceptor.role, fd);
        if (acceptor.role == Role::Tunnel) {
            // iptables REDIRECT: the socket is the pod's connection, the destination is fixed.
            c.source = {acceptor.proxy->config.podIp, ntohs(peer.sin_port)};
            c.originalDestination = acceptor.tunnelDestination;
            if (!m_observers.empty()) {
                emit(eventOf(c, ConnectionEvent::Kind::Opened));
            }
            decide(c);
            continue;
        }
        c.stage = Stage::Header;
        c.headerDeadline = m_now + m_options.proxyHeaderTimeout.count();
        schedule(c);
        c.down.readable = true; // the header usually arrives with the handshake: try at once
        readHeader(c);
    }
}

void EngineCore::onSide(Connection &c, Side &side, std::uint32_t events)
{
    switch (c.stage) {
    case Stage::Closed:
        return;
    case Stage::Header:
        if (&side == &c.down) {
            readHeader(c);
        }
        return;
    case Stage::Connecting:
        if (&side == &c.up) {
            if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
                checkConnect(c);
            }
        } else if (side.error) {
            resetAndClose(c, c.up, "downstream reset");
        }
        return;
    case Stage::Established:
        process(c);
        return;
    }
}

void EngineCore::readHeader(Connection &c)
{
    Proxy &p = *c.proxy;
    while (c.down.readable) {
        const auto n = ::recv(c.down.fd, m_scratch.get(), m_chunk, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (wouldBlock(errno)) {
                c.down.readable = false;
                return;
            }
            closeConnection(c, "downstream reset");
            return;
        }
        if (n == 0) {
            if (!c.header.empty()) {
                ++p.proxyProtoErrors;
            }
            closeConnection(c, c.header.empty() ? "downstream closed" : "proxy protocol error");
            return;
        }
        const auto got = static_cast<std::size_t>(n);
        if (got < m_chunk && !c.down.peerClosed) {
            c.down.readable = false;
        }
        std::span<const std::uint8_t> data(m_scratch.get(), got);
        if (!c.header.empty()) {
            c.header.insert(c.header.end(), data.begin(), data.end());
            data = c.header;
        }
        const net::DecodeResult decoded = net::decodeProxyV2(data);
        if (decoded.status == net::DecodeStatus::Invalid) {
            ++p.proxyProtoErrors;
            closeConnection(c, "proxy protocol error");
            return;
        }
        if (decoded.status == net::DecodeStatus::NeedMore) {
            if (c.header.empty()) {
                c.header.assign(data.begin(), data.end());
            }
            continue;
        }
        if (decoded.header.command == net::ProxyHeader::Command::Local) {
            closeConnection(c, "proxy protocol LOCAL"); // a health check: nothing to relay
            return;
        }
        if (data.size() > decoded.consumed) {
            // Payload that came with the header: it waits for the upstream, and counts as received.
            flowAppend(c.toUp, data.data() + decoded.consumed, data.size() - decoded.consumed);
            c.bytesReceived += data.size() - decoded.consumed;
        }
        c.header.clear();
        c.header.shrink_to_fit();
        c.source = toXds(decoded.header.source);
        c.originalDestination = toXds(decoded.header.destination);
        c.headerDeadline = 0;
        if (decoded.header.connectionId) {
            c.parentId = *decoded.header.connectionId;
            const auto parent = m_connections.find(c.parentId);
            c.traceId = parent != m_connections.end() ? parent->second->traceId : c.parentId;
        }
        if (!m_observers.empty()) {
            emit(eventOf(c, ConnectionEvent::Kind::Opened));
        }
        decide(c);
        return;
    }
}

void EngineCore::decide(Connection &c)
{
    Proxy &p = *c.proxy;
    c.snapshot = p.snapshot;
    const auto direction =
        c.role == Role::Inbound ? xds::TrafficDirection::Inbound : xds::TrafficDirection::Outbound;
    const std::uint64_t pick = p.pick++;
    const xds::Match match =
        p.index ? xds::matchConnection(*p.index, direction, c.originalDestination, pick)
                : xds::Match{};
    c.listener = match.listener;
    c.chain = match.chain;
    c.cluster = match.cluster;
    if (c.listener) {
        c.listenerStats = &listenerStats(p, c.listener->name);
        c.listenerStats->downstreamCxRxBytesTotal += c.bytesReceived;
        ++c.listenerStats->downstreamCxTotal;
        ++c.listenerStats->downstreamCxActive;
    }
    if (c.cluster) {
        c.clusterStats = &clusterStats(p, c.cluster->name);
    }
    switch (match.status) {
    case xds::MatchStatus::NoListener:
    case xds::MatchStatus::NoFilterChain:
        if (c.listenerStats) {
            ++c.listenerStats->noFilterChainMatch;
        }
        c.flags |= static_cast<ResponseFlags>(ResponseFlag::NoRouteFound);
        if (!m_observers.empty()) {
            emit(eventOf(c, ConnectionEvent::Kind::Decision));
        }
        closeConnection(c, "no filter chain match");
        return;
    case xds::MatchStatus::NoCluster:
        c.flags |= static_cast<ResponseFlags>(ResponseFlag::NoClusterFound);
        if (!m_observers.empty()) {
            emit(eventOf(c, ConnectionEvent::Kind::Decision));
        }
        closeConnection(c, "cluster not found");
        return;
    case xds::MatchStatus::Matched:
        break;
    }
    const xds::EndpointChoice choice =
        xds::selectEndpoint(*c.cluster, c.originalDestination, m_options.resolver, pick);
    c.endpointHostname = choice.hostname;
    if (choice.status != xds::EndpointStatus::Selected) {
        // BlackHoleCluster and friends: accepted, then closed at once (istio-behaviour 2.3).
        ++c.clusterStats->upstreamCxNoneHealthy;
        c.flags |= static_cast<ResponseFlags>(ResponseFlag::NoHealthyUpstream);
        if (!m_observers.empty()) {
            emit(eventOf(c, ConnectionEvent::Kind::Decision));
        }
        closeConnection(c, choice.status == xds::EndpointStatus::Unresolved
                               ? "upstream host not resolved"
                               : "no healthy upstream");
        return;
    }
    c.hasEndpoint = true;
    c.endpoint = choice.address;
    // A sidecar reaching its own pod's app is exempt from the inbound redirect (UID 1337).
    const bool ownPod = c.endpoint.ip == p.config.podIp;
    const net::Route route = m_options.addressMap->resolve(toNet(c.endpoint), ownPod);
    switch (route.kind) {
    case net::Route::Kind::Endpoint:
        c.upstreamKind = "endpoint";
        break;
    case net::Route::Kind::ProxyListener:
        c.upstreamKind = "proxy";
        break;
    case net::Route::Kind::Refused:
        c.upstreamKind = "refused";
        break;
    case net::Route::Kind::Unroutable:
        c.upstreamKind = "unroutable";
        break;
    }
    if (!m_observers.empty()) {
        emit(eventOf(c, ConnectionEvent::Kind::Decision));
    }
    ++c.clusterStats->upstreamCxTotal;
    if (route.kind == net::Route::Kind::Refused) {
        ++c.clusterStats->upstreamCxConnectFail;
        c.flags |=
            ResponseFlag::UpstreamConnectionFailure | ResponseFlag::UpstreamRetryLimitExceeded;
        closeConnection(c, "upstream connection refused");
        return;
    }
    ++c.clusterStats->upstreamCxActive;
    c.upstreamCounted = true;
    c.stage = Stage::Connecting;
    const auto timeout = c.cluster->connectTimeout.value_or(c.snapshot->settings.connectTimeout);
    c.connectDeadline = m_now + timeout.count();
    schedule(c);
    if (route.kind == net::Route::Kind::Unroutable) {
        return; // a lost SYN: only the connect timeout ends it
    }
    connectUpstream(c, route);
}

void EngineCore::connectUpstream(Connection &c, const net::Route &route)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ++c.clusterStats->upstreamCxConnectFail;
        c.flags |=
            ResponseFlag::UpstreamConnectionFailure | ResponseFlag::UpstreamRetryLimitExceeded;
        closeConnection(c, "upstream socket failed");
        return;
    }
    setNoDelay(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(route.loopbackPort);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int rc = ::connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr);
    const int error = rc == 0 ? 0 : errno;
    c.up.fd = fd;
    if (rc != 0 && error != EINPROGRESS) {
        ++c.clusterStats->upstreamCxConnectFail;
        c.flags |=
            ResponseFlag::UpstreamConnectionFailure | ResponseFlag::UpstreamRetryLimitExceeded;
        closeConnection(c, "upstream connection failed");
        return;
    }
    epoll_event ev{};
    ev.events = ConnectionEvents;
    ev.data.ptr = static_cast<IoHandler *>(&c.up);
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    // The local port names this hop in PROXY headers, access logs and events; when none of
    // them wants it, spare the syscall (it matters with one connection per request).
    const bool logged = c.snapshot->settings.accessLog && c.chain->tcpProxy.accessLog;
    if (route.kind == net::Route::Kind::ProxyListener || logged || !m_observers.empty()) {
        c.upstreamLocalPort = localPort(fd);
    }
    if (route.kind == net::Route::Kind::ProxyListener) {
        // The hop into another proxy is captured too: it starts with its own PROXY header, which
        // also carries this connection's id so the next hop can be stitched to it.
        const net::ProxyHeader header{net::ProxyHeader::Command::Proxy,
                                      {c.proxy->config.podIp, c.upstreamLocalPort},
                                      route.destination,
                                      c.id};
        flowPrepend(c.toUp, net::encodeProxyV2(header));
    }
    if (rc == 0) {
        onConnected(c);
        return;
    }
    sendEarly(c);
}

void EngineCore::sendEarly(Connection &c)
{
    // On loopback the handshake has usually completed by the time connect() says EINPROGRESS.
    // Sending what we hold right away (as HAProxy does) saves a loop round trip and the SO_ERROR
    // check per connection; a socket still connecting answers EAGAIN and we wait for EPOLLOUT.
    if (c.toUp.size == 0 && c.role == Role::Tunnel) {
        // A tunnel connection was decided at accept: its first bytes have not been read yet.
        const auto n = ::recv(c.down.fd, m_scratch.get(), m_chunk, 0);
        if (n > 0) {
            const auto got = static_cast<std::size_t>(n);
            flowAppend(c.toUp, m_scratch.get(), got);
            c.bytesReceived += got;
            c.listenerStats->downstreamCxRxBytesTotal += got;
            c.down.readable = got == m_chunk;
        } else if (n < 0 && wouldBlock(errno)) {
            c.down.readable = false;
        }
    }
    if (c.toUp.size == 0) {
        return;
    }
    const auto n = ::send(c.up.fd, c.toUp.data.get() + c.toUp.offset, c.toUp.size, MSG_NOSIGNAL);
    if (n < 0) {
        if (wouldBlock(errno) || errno == EINTR) {
            return; // still connecting
        }
        ++c.clusterStats->upstreamCxConnectFail;
        c.flags |=
            ResponseFlag::UpstreamConnectionFailure | ResponseFlag::UpstreamRetryLimitExceeded;
        closeConnection(c, "upstream connection failed");
        return;
    }
    const auto written = static_cast<std::size_t>(n);
    c.clusterStats->upstreamCxTxBytesTotal += written;
    c.toUp.offset += written;
    c.toUp.size -= written;
    if (c.toUp.size == 0) {
        flowRelease(c.toUp);
    }
    onConnected(c); // bytes went out: the connection is established
}

void EngineCore::checkConnect(Connection &c)
{
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(c.up.fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error == 0 && !c.up.error) {
        onConnected(c);
        return;
    }
    ++c.clusterStats->upstreamCxConnectFail;
    c.flags |= ResponseFlag::UpstreamConnectionFailure | ResponseFlag::UpstreamRetryLimitExceeded;
    closeConnection(c, "upstream connection failed");
}

void EngineCore::onConnected(Connection &c)
{
    c.stage = Stage::Established;
    c.up.writable = true;
    c.up.error = false;
    c.connectDeadline = 0;
    c.lastActivity = m_now;
    const auto idle = c.chain->tcpProxy.idleTimeout.value_or(c.snapshot->settings.idleTimeout);
    c.idleTimeout = idle.count();
    schedule(c);
    if (!m_observers.empty()) {
        emit(eventOf(c, ConnectionEvent::Kind::UpstreamConnected));
    }
    process(c);
}

void EngineCore::process(Connection &c)
{
    if (!transfer(c, c.down, c.up, c.toUp, true)) {
        return;
    }
    if (!transfer(c, c.up, c.down, c.toDown, false)) {
        return;
    }
    if (c.down.eof && c.up.eof && c.up.shutWr && c.down.shutWr && c.toUp.size == 0 &&
        c.toDown.size == 0) {
        closeConnection(c, c.up.eof ? "closed" : "downstream closed");
    }
}

bool EngineCore::transfer(Connection &c, Side &src, Side &dst, Flow &flow, bool toUpstream)
{
    auto countWritten = [&](std::size_t n) {
        if (toUpstream) {
            c.clusterStats->upstreamCxTxBytesTotal += n;
        } else {
            c.bytesSent += n;
            c.listenerStats->downstreamCxTxBytesTotal += n;
        }
    };
    auto writeFailed = [&](int error) {
        // The receiver is gone (reset or fully closed): pass a reset back to the sender.
        (void)error;
        resetAndClose(c, src, toUpstream ? "upstream reset" : "downstream reset");
        return false;
    };
    for (;;) {
        if (flow.size > 0) {
            if (!dst.writable) {
                return true;
            }
            const auto n = ::send(dst.fd, flow.data.get() + flow.offset, flow.size, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                if (wouldBlock(errno)) {
                    dst.writable = false;
                    return true;
                }
                return writeFailed(errno);
            }
            const auto written = static_cast<std::size_t>(n);
            countWritten(written);
            flow.offset += written;
            flow.size -= written;
            if (flow.size > 0) {
                dst.writable = false;
                return true;
            }
            flowRelease(flow);
        }
        if (src.eof) {
            if (!dst.shutWr) {
                ::shutdown(dst.fd, SHUT_WR); // half-close passed on, this direction only
                dst.shutWr = true;
            }
            return true;
        }
        if (!src.readable) {
            return true;
        }
        const auto n = ::recv(src.fd, m_scratch.get(), m_chunk, 0);
        if (n > 0) {
            const auto got = static_cast<std::size_t>(n);
            if (toUpstream) {
                c.bytesReceived += got;
                c.listenerStats->downstreamCxRxBytesTotal += got;
            } else {
                c.clusterStats->upstreamCxRxBytesTotal += got;
            }
            c.lastActivity = m_now;
            if (!c.dirty && !m_observers.empty()) {
                c.dirty = true;
                m_dirty.push_back(c.id);
            }
            if (got < m_chunk && !src.peerClosed) {
                src.readable = false; // a short read drained the socket; the next edge wakes us
            }
            std::size_t written = 0;
            if (dst.writable) {
                const auto m = ::send(dst.fd, m_scratch.get(), got, MSG_NOSIGNAL);
                if (m < 0 && !wouldBlock(errno) && errno != EINTR) {
                    return writeFailed(errno);
                }
                written = m > 0 ? static_cast<std::size_t>(m) : 0;
                countWritten(written);
            }
            if (written < got) {
                flowAppend(flow, m_scratch.get() + written, got - written);
                dst.writable = false;
                return true; // backpressure: read this side again once dst drains
            }
            continue;
        }
        if (n == 0) {
            src.eof = true;
            src.readable = false;
            continue;
        }
        if (errno == EINTR) {
            continue;
        }
        if (wouldBlock(errno)) {
            src.readable = false;
            return true;
        }
        resetAndClose(c, dst, toUpstream ? "downstream reset" : "upstream reset");
        return false;
    }
}

void EngineCore::resetAndClose(Connection &c, Side &toReset, const char *detail)
{
    if (toReset.fd >= 0) {
        setResetOnClose(toReset.fd);
    }
    closeConnection(c, detail);
}

void EngineCore::closeConnection(Connection &c, const char *detail)
{
    if (c.stage == Stage::Closed) {
        return;
    }
    c.stage = Stage::Closed;
    if (c.down.fd >= 0) {
        ::close(c.down.fd);
        c.down.fd = -1;
    }
    if (c.up.fd >= 0) {
        ::close(c.up.fd);
        c.up.fd = -1;
    }
    flowRelease(c.toUp);
    flowRelease(c.toDown);
    Proxy &p = *c.proxy;
    --p.downstreamCxActive;
    if (c.listenerStats) {
        --c.listenerStats->downstreamCxActive;
        ++c.listenerStats->downstreamCxDestroy;
    }
    if (c.upstreamCounted) {
        --c.clusterStats->upstreamCxActive;
        ++c.clusterStats->upstreamCxDestroy;
    }
    std::string line;
    if (c.chain && c.snapshot->settings.accessLog && c.chain->tcpProxy.accessLog) {
        AccessLogEntry entry;
        entry.startTime = c.startWall;
        entry.flags = c.flags;
        entry.bytesReceived = c.bytesReceived;
        entry.bytesSent = c.bytesSent;
        entry.duration = std::chrono::milliseconds(m_now - c.start);
        if (c.hasEndpoint) {
            entry.upstreamHost = c.endpoint;
        }
        entry.upstreamCluster = c.cluster ? c.cluster->name : std::string();
        if (c.upstreamLocalPort != 0) {
            entry.upstreamLocal = xds::SocketAddress{p.config.podIp, c.upstreamLocalPort};
        }
        entry.downstreamLocal = c.originalDestination;
        entry.downstreamRemote = c.source;
        line = formatAccessLog(entry);
        p.accessLog.push_back(line);
        while (p.accessLog.size() > m_options.accessLogCapacity) {
            p.accessLog.pop_front();
        }
    }
    if (!m_observers.empty()) {
        ConnectionEvent event = eventOf(c, ConnectionEvent::Kind::Closed);
        event.flags = c.flags;
        event.duration = std::chrono::milliseconds(m_now - c.start);
        event.detail = detail;
        event.accessLogLine = std::move(line);
        emit(std::move(event));
    }
    p.connections.erase(&c);
    const auto it = m_connections.find(c.id);
    if (it != m_connections.end()) {
        m_graveyard.push_back(std::move(it->second)); // pending events may still point at it
        m_connections.erase(it);
    }
}

void EngineCore::schedule(Connection &c)
{
    Millis next = 0;
    auto consider = [&next](Millis deadline) {
        if (deadline != 0 && (next == 0 || deadline < next)) {
            next = deadline;
        }
    };
    if (c.stage == Stage::Header) {
        consider(c.headerDeadline);
    }
    if (c.stage == Stage::Connecting) {
        consider(c.connectDeadline);
    }
    if (c.stage == Stage::Established && c.idleTimeout > 0) {
        consider(c.lastActivity + c.idleTimeout);
    }
    consider(c.drainDeadline);
    if (next != 0 && (c.scheduled == 0 || next < c.scheduled)) {
        c.scheduled = next;
        m_timers.push({next, c.id});
    }
}

void EngineCore::onTimer(Connection &c)
{
    if (c.stage == Stage::Header && c.headerDeadline != 0 && c.headerDeadline <= m_now) {
        closeConnection(c, "proxy protocol timeout");
        return;
    }
    if (c.stage == Stage::Connecting && c.connectDeadline != 0 && c.connectDeadline <= m_now) {
        ++c.clusterStats->upstreamCxConnectFail;
        ++c.clusterStats->upstreamCxConnectTimeout;
        c.flags |=
            ResponseFlag::UpstreamConnectionFailure | ResponseFlag::UpstreamRetryLimitExceeded;
        closeConnection(c, "upstream connect timeout");
        return;
    }
    if (c.drainDeadline != 0 && c.drainDeadline <= m_now) {
        closeConnection(c, "drained");
        return;
    }
    if (c.stage == Stage::Established && c.idleTimeout > 0 &&
        c.lastActivity + c.idleTimeout <= m_now) {
        closeConnection(c, "idle timeout");
        return;
    }
    schedule(c);
}

void EngineCore::flowAppend(Flow &flow, const std::uint8_t *data, std::size_t size)
{
    if (flow.offset + flow.size + size > flow.capacity) {
        const std::size_t capacity = flow.size + size;
        auto bigger = std::make_unique<std::uint8_t[]>(capacity);
        if (flow.size > 0) {
            std::memcpy(bigger.get(), flow.data.get() + flow.offset, flow.size);
        }
        m_bufferedBytes += capacity;
        m_bufferedBytes -= flow.capacity;
        flow.data = std::move(bigger);
        flow.capacity = capacity;
        flow.offset = 0;
    }
    std::memcpy(flow.data.get() + flow.offset + flow.size, data, size);
    flow.size += size;
}

void EngineCore::flowPrepend(Flow &flow, const std::vector<std::uint8_t> &data)
{
    const std::size_t capacity = flow.size + data.size();
    auto joined = std::make_unique<std::uint8_t[]>(capacity);
    std::memcpy(joined.get(), data.data(), data.size());
    if (flow.size > 0) {
        std::memcpy(joined.get() + data.size(), flow.data.get() + flow.offset, flow.size);
    }
    m_bufferedBytes += capacity;
    m_bufferedBytes -= flow.capacity;
    flow.data = std::move(joined);
    flow.capacity = capacity;
    flow.offset = 0;
    flow.size = capacity;
}

void EngineCore::flowRelease(Flow &flow)
{
    m_bufferedBytes -= flow.capacity;
    flow.data.reset();
    flow.capacity = 0;
    flow.offset = 0;
    flow.size = 0;
}

// --- events -----------------------------------------------------------------------------------

HopDecision EngineCore::decisionOf(const Connection &c) const
{
    HopDecision d;
    if (c.listener) {
        d.listener = c.listener->name;
        d.listenerProvenance = c.listener->provenance;
    }
    if (c.chain) {
        d.chain = c.chain->name;
        d.chainProvenance = c.chain->provenance;
    }
    if (c.cluster) {
        d.cluster = c.cluster->name;
        d.clusterProvenance = c.cluster->provenance;
    }
    if (c.hasEndpoint) {
        d.endpoint = c.endpoint;
    }
    d.endpointHostname = c.endpointHostname;
    d.upstreamKind = c.upstreamKind;
    return d;
}

ConnectionEvent EngineCore::eventOf(const Connection &c, ConnectionEvent::Kind kind) const
{
    ConnectionEvent event;
    event.kind = kind;
    event.connectionId = c.id;
    event.parentId = c.parentId;
    event.traceId = c.traceId;
    event.proxyId = c.proxy->config.id;
    event.downstream = c.source;
    event.originalDestination = c.originalDestination;
    event.bytesReceived = c.bytesReceived;
    event.bytesSent = c.bytesSent;
    if (kind == ConnectionEvent::Kind::Decision || kind == ConnectionEvent::Kind::Closed) {
        event.decision = decisionOf(c);
    }
    if (c.upstreamLocalPort != 0) {
        event.upstreamLocal = {c.proxy->config.podIp, c.upstreamLocalPort};
    }
    return event;
}

void EngineCore::emit(ConnectionEvent event)
{
    m_events.push_back(std::move(event));
}

class Engine::Impl final : public EngineCore
{
public:
    using EngineCore::EngineCore;
};

// --- Engine: thread-safe wrappers -------------------------------------------------------------

Engine::Engine(EngineOptions options) : d(std::make_unique<Impl>(std::move(options))) {}

Engine::~Engine() = default;

void Engine::post(std::function<void()> task)
{
    d->post(std::move(task));
}

bool Engine::isOnLoopThread() const
{
    return d->isOnLoopThread();
}

void Engine::flush()
{
    d->runSync([] {});
}

common::Result<ProxyPorts> Engine::addProxy(const ProxyConfig &config,
                                            std::shared_ptr<const xds::ProxySnapshot> snapshot)
{
    auto result = d->runSync([&]() -> std::optional<common::Result<ProxyPorts>> {
        return d->addProxy(config, std::move(snapshot));
    });
    if (!result) {
        return tl::unexpected(relayError("relay.stopped", "the relay engine is stopped"));
    }
    return std::move(*result);
}

void Engine::removeProxy(const std::string &proxyId)
{
    d->runSync([&] { d->removeProxy(proxyId); });
}

void Engine::updateSnapshot(const std::string &proxyId,
                            std::shared_ptr<const xds::ProxySnapshot> snapshot)
{
    Impl *impl = d.get();
    d->post([impl, proxyId, snapshot = std::move(snapshot)]() mutable {
        impl->updateSnapshot(proxyId, std::move(snapshot));
    });
}

std::optional<ProxyPorts> Engine::proxyPorts(const std::string &proxyId) const
{
    return d->runSync([&] { return d->proxyPorts(proxyId); });
}

common::Result<std::uint16_t> Engine::openTunnel(const std::string &proxyId,
                                                 xds::SocketAddress destination,
                                                 const std::string &listenHost,
                                                 std::uint16_t listenPort)
{
    auto result = d->runSync([&]() -> std::optional<common::Result<std::uint16_t>> {
        return d->openTunnel(proxyId, destination, listenHost, listenPort);
    });
    if (!result) {
        return tl::unexpected(relayError("relay.stopped", "the relay engine is stopped"));
    }
    return std::move(*result);
}

void Engine::closeTunnel(std::uint16_t port)
{
    d->runSync([&] { d->closeTunnel(port); });
}

ProxyStats Engine::stats(const std::string &proxyId) const
{
    return d->runSync([&] { return d->stats(proxyId); });
}

std::vector<std::string> Engine::accessLog(const std::string &proxyId) const
{
    return d->runSync([&] { return d->accessLog(proxyId); });
}

void Engine::addObserver(std::shared_ptr<ConnectionObserver> observer)
{
    d->runSync([&] { d->addObserver(std::move(observer)); });
}

void Engine::removeObserver(const ConnectionObserver *observer)
{
    d->runSync([&] { d->removeObserver(observer); });
}

void Engine::stop()
{
    d->stop();
}

std::size_t Engine::bufferedBytesForTest() const
{
    return d->runSync([&] { return d->bufferedBytes(); });
}

std::size_t Engine::connectionCountForTest() const
{
    return d->runSync([&] { return d->connectionCount(); });
}

} // namespace meshcraft::core::relay
