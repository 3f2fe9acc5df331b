// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/world.h"

#include "core/cloud/memorystore.h"
#include "core/cloud/redis_process.h"
#include "core/common/text.h"
#include "core/config/helm_release.h"
#include "core/config/helm_values.h"
#include "core/config/mesh_config.h"
#include "core/config/store.h"
#include "core/config/validator.h"
#include "core/mesh/address_map.h"
#include "core/mesh/cluster_dns.h"
#include "core/mesh/topology.h"
#include "core/probe/probe_runner.h"
#include "core/probe/trace_collector.h"
#include "core/relay/engine.h"
#include "core/relay/events.h"
#include "core/workload/cart_service.h"
#include "core/xds/control_plane.h"
#include "core/xds/proxy_config_dump.h"
#include "core/xds/snapshot.h"

#include <algorithm>
#include <arpa/inet.h>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <set>
#include <sys/socket.h>
#include <unistd.h>

namespace meshcraft::core::shell {

namespace {

constexpr std::uint16_t RedisPort = 6379;

std::string podKey(const mesh::PodView &pod)
{
    return pod.nameSpace + "/" + pod.name;
}

// An in-cluster Redis is a pod whose application image is a Redis image (redis:alpine).
bool runsRedis(const mesh::PodView &pod)
{
    return common::startsWith(pod.image, "redis") || pod.image.find("/redis:") != std::string::npos;
}

// Online Boutique's cart service, recognised by its image, runs the cart workload.
bool runsCart(const mesh::PodView &pod)
{
    return pod.image.find("cartservice") != std::string::npos;
}

std::string envValue(const mesh::PodView &pod, std::string_view name)
{
    for (const config::EnvVar &var : pod.env) {
        if (var.name == name) {
            return var.value;
        }
    }
    return {};
}

// The keys of a Redis keyspace, read with a plain RESP exchange (for the state dump).
std::vector<std::string> redisKeys(std::uint16_t loopbackPort)
{
    std::vector<std::string> keys;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return keys;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(loopbackPort);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string reply;
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0) {
        const std::string request = "*2\r\n$4\r\nKEYS\r\n$1\r\n*\r\n";
        if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(request.size())) {
            // Read until the whole array has arrived (bounded by a short poll timeout).
            char buffer[4096];
            pollfd waiter{fd, POLLIN, 0};
            while (::poll(&waiter, 1, 500) > 0) {
                const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
                if (got <= 0) {
                    break;
                }
                reply.append(buffer, static_cast<std::size_t>(got));
                // Complete when every announced bulk string is present.
                std::size_t pos = reply.find("\r\n");
                if (pos == std::string::npos || reply[0] != '*') {
                    continue;
                }
                const long count = std::strtol(reply.c_str() + 1, nullptr, 10);
                std::vector<std::string> parsed;
                std::size_t cursor = pos + 2;
                bool complete = true;
                for (long i = 0; i < count; ++i) {
                    const std::size_t end = reply.find("\r\n", cursor);
                    if (end == std::string::npos || reply[cursor] != '$') {
                        complete = false;
                        break;
                    }
                    const auto length = static_cast<std::size_t>(
                        std::strtol(reply.c_str() + cursor + 1, nullptr, 10));
                    if (reply.size() < end + 2 + length + 2) {
                        complete = false;
                        break;
                    }
                    parsed.push_back(reply.substr(end + 2, length));
                    cursor = end + 2 + length + 2;
                }
                if (complete) {
                    keys = std::move(parsed);
                    break;
                }
            }
        }
    }
    ::close(fd);
    std::sort(keys.begin(), keys.end());
    return keys;
}

// Keys for the state dump. The cart workload's own keys are left out: how many carts exist at a
// given moment depends on its timing, and the dump must be the same on every run.
std::string keyList(const std::vector<std::string> &keys)
{
    std::string out;
    for (const std::string &key : keys) {
        if (!common::startsWith(key, workload::CartKeyPrefix)) {
            out += " " + key;
        }
    }
    return out;
}

} // namespace

class World::Impl : public xds::SnapshotSink,
                    public config::StoreObserver,
                    public cloud::MemorystoreObserver
{
public:
    explicit Impl(WorldSpec worldSpec) : spec(std::move(worldSpec)) {}

    ~Impl() override { shutdown(); }

    common::Result<void> start();
    void shutdown();

    // Interface
    void onSnapshots(const xds::SnapshotSet &snapshots) override;
    void onStoreChanged(const config::StoreChange &change) override;
    void onInstanceChanged(cloud::InstanceChange change, const cloud::Instance &instance) override;

    // Relay and cart threads report here; the observer list is guarded for them.
    class EventRelay : public relay::ConnectionObserver, public workload::CartServiceObserver
    {
    public:
        explicit EventRelay(Impl &owner, std::string pod = {})
            : m_owner(owner), m_pod(std::move(pod))
        {
        }
        void onConnectionEvents(const std::vector<relay::ConnectionEvent> &events) override
        {
            m_owner.forEachObserver([&](WorldObserver &o) { o.onConnectionEvents(events); });
        }
        void onCartStats(const workload::CartStats &stats) override
        {
            {
                std::lock_guard lock(m_owner.cartMutex);
                m_owner.lastCartStats[m_pod] = stats;
            }
            m_owner.forEachObserver([&](WorldObserver &o) { o.onCartStats(m_pod, stats); });
        }

    private:
        Impl &m_owner;
        std::string m_pod;
    };

    template <typename Fn> void forEachObserver(Fn &&fn)
    {
        std::vector<WorldObserver *> copy;
        {
            std::lock_guard lock(observerMutex);
            copy = observers;
        }
        for (WorldObserver *observer : copy) {
            fn(*observer);
        }
    }

    void syncProxies(const xds::SnapshotSet &snapshots);
    void syncNetwork();
    void syncWorkloads();
    std::shared_ptr<const xds::ProxySnapshot>
    withOverrides(std::shared_ptr<const xds::ProxySnapshot> snapshot) const;
    xds::Resolver resolverFor(const std::string &nameSpace) const;

    WorldSpec spec;
    config::Store store;
    config::Validator validator;
    std::unique_ptr<config::HelmRelease> helm;
    std::unique_ptr<mesh::Topology> topology;
    std::unique_ptr<mesh::ClusterDns> dns;
    std::shared_ptr<net::AddressMap> addressMap = std::make_shared<net::AddressMap>();
    std::unique_ptr<relay::Engine> engine;
    std::unique_ptr<xds::ControlPlane> controlPlane;
    std::unique_ptr<cloud::Memorystore> memorystore;
    std::shared_ptr<probe::TraceCollector> traces = std::make_shared<probe::TraceCollector>();
    std::unique_ptr<probe::ProbeRunner> probes;
    std::shared_ptr<EventRelay> connectionRelay;

    struct RunningProxy
    {
        xds::Ipv4 podIp = 0;
        relay::ProxyKind kind = relay::ProxyKind::Sidecar;
    };
    std::map<std::string, RunningProxy> proxies; // by proxy id
    std::set<xds::Ipv4> knownHosts;              // pod IPs in the address map
    std::map<net::Address, net::Address> serviceBackends;
    std::map<std::string, std::unique_ptr<cloud::RedisProcess>> podServers; // by pod key
    std::map<std::string, net::Address> podServerAddresses;
    struct Cart
    {
        std::unique_ptr<workload::CartService> service;
        std::string redisAddr;
    };
    std::map<std::string, Cart> carts; // by pod key

    mutable std::mutex cartMutex;
    std::map<std::string, workload::CartStats> lastCartStats;
    std::mutex observerMutex;
    std::vector<WorldObserver *> observers;
    bool started = false;
};

xds::Resolver World::Impl::resolverFor(const std::string &nameSpace) const
{
    return dns->resolver(nameSpace);
}

common::Result<void> World::Impl::start()
{
    if (!spec.clock) {
        spec.clock = [] { return std::chrono::system_clock::now(); };
    }
    // A redis-server binary is needed for every instance and in-cluster Redis: fail early.
    if (auto binary = cloud::findRedisServer(); !binary) {
        return tl::unexpected(binary.error());
    }

    store.setValidator(&validator);
    store.createSystemNamespaces();
    // Observers run in registration order: the topology settles pods and addresses first, then
    // the control plane compiles, then the world syncs the network and workloads.
    topology = std::make_unique<mesh::Topology>(store);
    dns = std::make_unique<mesh::ClusterDns>(*topology);

    relay::EngineOptions engineOptions;
    engineOptions.addressMap = addressMap;
    engineOptions.resolver = resolverFor("default");
    engine = std::make_unique<relay::Engine>(std::move(engineOptions));
    engine->addObserver(traces);
    connectionRelay = std::make_shared<EventRelay>(*this);
    engine->addObserver(connectionRelay);

    xds::ControlPlaneOptions planeOptions;
    planeOptions.clock = spec.clock;
    controlPlane = std::make_unique<xds::ControlPlane>(store, *topology, this, planeOptions);
    store.addObserver(this);

    cloud::MemorystoreConfig cloudConfig;
    cloudConfig.project = spec.cloud.project;
    cloudConfig.projectNumber = spec.cloud.projectNumber;
    cloudConfig.account = spec.cloud.account;
    cloudConfig.clock = spec.clock;
    cloudConfig.defaultReservedRanges = spec.cloud.reservedIpRanges;
    memorystore = std::make_unique<cloud::Memorystore>(std::move(cloudConfig));
    memorystore->addObserver(this);

    probes = std::make_unique<probe::ProbeRunner>(addressMap, traces);

    // The cluster as the workshop left it: Istio installed with its values, then the shop.
    const auto &chart = config::HelmChart::istio130();
    if (!chart) {
        return tl::unexpected(chart.error());
    }
    helm = std::make_unique<config::HelmRelease>(store, *chart, spec.istio.release);
    config::HelmValuesInput values;
    for (const WorldSpec::ValuesFile &file : spec.istio.valuesFiles) {
        values.files.push_back(config::HelmValuesFile{file.name, file.text});
    }
    values.set = spec.istio.set;
    if (auto installed = helm->install(values); !installed) {
        return tl::unexpected(installed.error());
    }
    for (const WorldSpec::Objects &objects : spec.objects) {
        std::string text = objects.text;
        if (objects.inject) {
            if (!spec.injector) {
                return common::fail("world.no-injector",
                                    objects.name + " asks for kube-inject, but no injector is set");
            }
            auto injected = spec.injector(text, objects.name, helm->computedValues());
            if (!injected) {
                return tl::unexpected(injected.error());
            }
            text = std::move(*injected);
        }
        config::ApplyOptions options;
        options.source = objects.name;
        const config::ApplyResult applied =
            store.applyText(text, objects.name, config::ApplyMode::Batch, options);
        if (!applied.ok()) {
            std::string message = "the lab's world file " + objects.name + " does not apply:";
            for (const std::string &line : applied.outputLines()) {
                message += "\n" + line;
            }
            message += common::formatDiagnostics(applied.parseDiagnostics);
            return common::fail("world.bad-objects", message);
        }
    }
    started = true;
    return {};
}

void World::Impl::shutdown()
{
    if (!started && !engine) {
        return;
    }
    started = false;
    for (auto &[key, cart] : carts) {
        cart.service->stop();
    }
    carts.clear();
    probes.reset();
    if (memorystore) {
        memorystore->removeObserver(this);
    }
    store.removeObserver(this);
    if (controlPlane) {
        controlPlane->setSink(nullptr);
    }
    if (engine) {
        engine->stop();
    }
    controlPlane.reset();
    memorystore.reset();
    podServers.clear();
    engine.reset();
}

std::shared_ptr<const xds::ProxySnapshot>
World::Impl::withOverrides(std::shared_ptr<const xds::ProxySnapshot> snapshot) const
{
    if (!snapshot || (!spec.connectTimeout && !spec.drainDuration)) {
        return snapshot;
    }
    auto copy = std::make_shared<xds::ProxySnapshot>(*snapshot);
    if (spec.connectTimeout) {
        copy->settings.connectTimeout = *spec.connectTimeout;
    }
    if (spec.drainDuration) {
        copy->settings.drainDuration = *spec.drainDuration;
    }
    return copy;
}

void World::Impl::onSnapshots(const xds::SnapshotSet &snapshots)
{
    syncProxies(snapshots);
    forEachObserver([&](WorldObserver &o) { o.onConfigPushed(snapshots); });
}

// Every proxy in the set gets a relay proxy (added once, then swapped); gone ones are removed.
void World::Impl::syncProxies(const xds::SnapshotSet &snapshots)
{
    std::set<std::string> present;
    for (const auto &snapshot : snapshots.snapshots) {
        if (!snapshot) {
            continue;
        }
        const std::string &id = snapshot->proxyId;
        const auto dot = id.rfind('.');
        const mesh::PodView *pod = dot == std::string::npos
                                       ? nullptr
                                       : topology->pod(std::string_view(id).substr(dot + 1),
                                                       std::string_view(id).substr(0, dot));
        if (!pod || pod->ip == 0) {
            continue;
        }
        present.insert(id);
        auto effective = withOverrides(snapshot);
        const auto running = proxies.find(id);
        if (running != proxies.end() && running->second.podIp == pod->ip) {
            engine->updateSnapshot(id, std::move(effective));
            continue;
        }
        if (running != proxies.end()) {
            engine->removeProxy(id);
        }
        relay::ProxyConfig config;
        config.id = id;
        config.kind = pod->isGateway ? relay::ProxyKind::Gateway : relay::ProxyKind::Sidecar;
        config.podIp = pod->ip;
        if (engine->addProxy(config, std::move(effective))) {
            proxies[id] = RunningProxy{pod->ip, config.kind};
        }
    }
    for (auto it = proxies.begin(); it != proxies.end();) {
        if (present.contains(it->first)) {
            ++it;
            continue;
        }
        engine->removeProxy(it->first);
        it = proxies.erase(it);
    }
}

void World::Impl::onStoreChanged(const config::StoreChange &change)
{
    // The topology's own writes (addresses, pods) notify while it reconciles; the outer change
    // set reaches us once it has settled, so sync only then.
    if (!topology->isReconciling()) {
        dns->refresh();
        syncNetwork();
        syncWorkloads();
    }
    forEachObserver([&](WorldObserver &o) { o.onStoreChanged(change); });
}

// The pod network as kube-proxy and the kubelet would make it: every pod IP is a host, each
// Service's ClusterIP port goes to its first ready endpoint, and Redis pods serve for real.
void World::Impl::syncNetwork()
{
    std::set<xds::Ipv4> hosts;
    std::set<std::string> redisPods;
    for (const mesh::PodView &pod : topology->pods()) {
        if (pod.ip == 0) {
            continue;
        }
        hosts.insert(pod.ip);
        if (!knownHosts.contains(pod.ip)) {
            addressMap->addHost(pod.ip);
        }
        if (!runsRedis(pod)) {
            continue;
        }
        const std::string key = podKey(pod);
        redisPods.insert(key);
        const net::Address address{pod.ip, RedisPort};
        auto server = podServers.find(key);
        if (server == podServers.end()) {
            auto launched = cloud::RedisProcess::start(cloud::RedisLaunchOptions{});
            if (!launched) {
                continue; // the pod's port refuses, as a crashed container's would
            }
            server = podServers.emplace(key, std::move(*launched)).first;
        }
        if (podServerAddresses[key] != address) {
            addressMap->setEndpoint(address, server->second->port());
            podServerAddresses[key] = address;
        }
    }
    for (auto it = podServers.begin(); it != podServers.end();) {
        if (redisPods.contains(it->first)) {
            ++it;
            continue;
        }
        addressMap->remove(podServerAddresses[it->first]);
        podServerAddresses.erase(it->first);
        it = podServers.erase(it);
    }
    for (const xds::Ipv4 gone : knownHosts) {
        if (!hosts.contains(gone)) {
            addressMap->removeHost(gone);
        }
    }
    knownHosts = std::move(hosts);

    std::map<net::Address, net::Address> backends;
    for (const mesh::ServiceView &service : topology->services()) {
        if (service.clusterIP == 0) {
            continue;
        }
        for (const config::ServicePortSpec &port : service.ports) {
            const auto endpoints = topology->endpoints(service, port);
            if (endpoints.empty() || !endpoints.front().pod) {
                continue;
            }
            backends[net::Address{service.clusterIP, static_cast<std::uint16_t>(port.port)}] =
                net::Address{endpoints.front().pod->ip, endpoints.front().port};
        }
    }
    for (const auto &[service, backend] : serviceBackends) {
        if (!backends.contains(service)) {
            addressMap->removeServiceBackend(service);
        }
    }
    for (const auto &[service, backend] : backends) {
        const auto previous = serviceBackends.find(service);
        if (previous == serviceBackends.end() || previous->second != backend) {
            addressMap->setServiceBackend(service, backend);
        }
    }
    serviceBackends = std::move(backends);
}

// One cart workload per cartservice pod, pointed at the pod's REDIS_ADDR.
void World::Impl::syncWorkloads()
{
    std::set<std::string> cartPods;
    for (const mesh::PodView &pod : topology->pods()) {
        if (pod.ip == 0 || !runsCart(pod)) {
            continue;
        }
        const std::string key = podKey(pod);
        cartPods.insert(key);
        const std::string redisAddr = envValue(pod, "REDIS_ADDR");
        auto existing = carts.find(key);
        if (existing != carts.end()) {
            if (existing->second.redisAddr != redisAddr) {
                existing->second.service->setTarget(redisAddr);
                existing->second.redisAddr = redisAddr;
            }
            continue;
        }
        workload::CartServiceOptions options;
        if (spec.cartInterval) {
            options.interval = *spec.cartInterval;
        }
        auto service = std::make_unique<workload::CartService>(
            addressMap, pod.ip, resolverFor(pod.nameSpace), redisAddr, options);
        service->setObserver(std::make_shared<EventRelay>(*this, pod.name));
        service->start();
        carts[key] = Cart{std::move(service), redisAddr};
    }
    for (auto it = carts.begin(); it != carts.end();) {
        if (cartPods.contains(it->first)) {
            ++it;
            continue;
        }
        it->second.service->stop();
        {
            std::lock_guard lock(cartMutex);
            lastCartStats.erase(it->first.substr(it->first.find('/') + 1));
        }
        it = carts.erase(it);
    }
}

void World::Impl::onInstanceChanged(cloud::InstanceChange change, const cloud::Instance &instance)
{
    switch (change) {
    case cloud::InstanceChange::Ready:
        addressMap->addHost(instance.hostIp);
        addressMap->setEndpoint(net::Address{instance.hostIp, RedisPort}, instance.loopbackPort);
        break;
    case cloud::InstanceChange::Deleted:
        addressMap->removeHost(instance.hostIp);
        break;
    case cloud::InstanceChange::Created:
        break;
    }
    forEachObserver([&](WorldObserver &o) { o.onInstanceChanged(change, instance); });
}

World::World() : d(nullptr) {}

World::~World() = default;

common::Result<std::unique_ptr<World>> World::create(WorldSpec spec)
{
    std::unique_ptr<World> world(new World());
    world->d = std::make_unique<Impl>(std::move(spec));
    if (auto started = world->d->start(); !started) {
        return tl::unexpected(started.error());
    }
    return world;
}

const WorldSpec &World::spec() const
{
    return d->spec;
}
config::Store &World::store()
{
    return d->store;
}
const config::Validator &World::validator() const
{
    return d->validator;
}
config::HelmRelease &World::helm()
{
    return *d->helm;
}
mesh::Topology &World::topology()
{
    return *d->topology;
}
const mesh::ClusterDns &World::dns() const
{
    return *d->dns;
}
xds::ControlPlane &World::controlPlane()
{
    return *d->controlPlane;
}
relay::Engine &World::relay()
{
    return *d->engine;
}
std::shared_ptr<net::AddressMap> World::addressMap()
{
    return d->addressMap;
}
cloud::Memorystore &World::memorystore()
{
    return *d->memorystore;
}
probe::ProbeRunner &World::probes()
{
    return *d->probes;
}
std::shared_ptr<probe::TraceCollector> World::traces()
{
    return d->traces;
}

std::optional<probe::PodContext> World::podContext(const std::string &nameSpace,
                                                   const std::string &pod) const
{
    const mesh::PodView *view = d->topology->pod(nameSpace, pod);
    if (!view || view->ip == 0) {
        return std::nullopt;
    }
    probe::PodContext context;
    context.podIp = view->ip;
    context.resolver = d->resolverFor(nameSpace);
    return context;
}

std::map<std::string, workload::CartStats> World::cartStats() const
{
    std::lock_guard lock(d->cartMutex);
    return d->lastCartStats;
}

std::chrono::system_clock::time_point World::now() const
{
    return d->spec.clock();
}

void World::addObserver(WorldObserver *observer)
{
    std::lock_guard lock(d->observerMutex);
    d->observers.push_back(observer);
}

void World::removeObserver(WorldObserver *observer)
{
    std::lock_guard lock(d->observerMutex);
    std::erase(d->observers, observer);
}

std::string World::dumpState() const
{
    std::string out = "# store\n";
    for (const config::KindInfo &info : config::knownKinds()) {
        for (const config::StoredObject *object : d->store.list(info.kind)) {
            out += "--- " + object->key().toString() + "\n";
            out += config::toYaml(config::comparableContent(object->resource));
        }
    }
    out += "# mesh\n";
    const config::MeshConfigResult mesh = config::meshConfigFromStore(d->store);
    out += std::string("outboundTrafficPolicy: ") +
           config::outboundModeName(mesh.config.outboundTrafficPolicy) + "\n";
    out += "# proxies\n";
    std::vector<std::shared_ptr<const xds::ProxySnapshot>> snapshots =
        d->controlPlane->current().snapshots;
    std::sort(snapshots.begin(), snapshots.end(),
              [](const auto &a, const auto &b) { return a->proxyId < b->proxyId; });
    for (const auto &snapshot : snapshots) {
        out += "## " + snapshot->proxyId + " listeners\n" + xds::listenersTable(*snapshot);
        out += "## " + snapshot->proxyId + " clusters\n" + xds::clustersTable(*snapshot);
    }
    out += "# cloud\n";
    for (const std::string &service : d->memorystore->enabledServices()) {
        out += "service " + service + " enabled\n";
    }
    for (const cloud::Instance &instance : d->memorystore->allInstances()) {
        out += cloud::renderDescribe(instance).out;
        out += "keys:" + keyList(redisKeys(instance.loopbackPort)) + "\n";
    }
    out += "# in-cluster redis\n";
    for (const auto &[key, server] : d->podServers) {
        out += key + " keys:" + keyList(redisKeys(server->port())) + "\n";
    }
    return out;
}

} // namespace meshcraft::core::shell
