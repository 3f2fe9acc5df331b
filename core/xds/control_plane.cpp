// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/xds/control_plane.h"

namespace meshcraft::core::xds {

namespace {

// PILOT_DEBOUNCE_AFTER: Pilot waits this long after the last change before it pushes.
constexpr std::chrono::milliseconds DebounceAfter{100};

std::string configName(const config::ObjectKey &key)
{
    std::string out(config::kindInfo(key.kind).name);
    if (!key.nameSpace.empty()) {
        out += '/' + key.nameSpace;
    }
    return out + '/' + key.name;
}

} // namespace

std::shared_ptr<const ProxySnapshot> SnapshotSet::find(std::string_view proxyId) const
{
    for (const auto &snapshot : snapshots) {
        if (snapshot->proxyId == proxyId) {
            return snapshot;
        }
    }
    return nullptr;
}

ControlPlane::ControlPlane(config::Store &store, const mesh::Topology &topology, SnapshotSink *sink,
                           ControlPlaneOptions options)
    : m_store(store), m_topology(topology), m_compiler(store, topology), m_sink(sink),
      m_options(std::move(options)), m_log(m_options.clock)
{
    m_lastPush = m_log.now();
    m_store.addObserver(this);
    push();
}

ControlPlane::~ControlPlane()
{
    m_store.removeObserver(this);
}

void ControlPlane::onStoreChanged(const config::StoreChange &change)
{
    if (m_firstPendingConfig.empty() && !change.changes.empty()) {
        m_firstPendingConfig = configName(change.changes.front().key);
    }
    m_pendingChanges += change.changes.size();
    if (m_topology.isReconciling() || m_store.revision() == m_compiledRevision) {
        return; // settled later, or already compiled by a nested notification
    }
    push();
}

void ControlPlane::push()
{
    const auto started = std::chrono::steady_clock::now();
    ++m_pushes;
    m_result = m_compiler.compile(m_pushes);
    m_compiledRevision = m_store.revision();
    m_current.version = m_pushes;
    m_current.storeRevision = m_compiledRevision;
    m_current.snapshots = m_result.snapshots;
    if (m_sink) {
        m_sink->onSnapshots(m_current);
    }
    m_lastDuration = std::chrono::steady_clock::now() - started;

    writePushLines();
    writeGatewayLines();
    m_pendingChanges = 0;
    m_firstPendingConfig.clear();
    m_lastPush = m_log.now();
}

void ControlPlane::setSink(SnapshotSink *sink)
{
    m_sink = sink;
    if (m_sink) {
        m_sink->onSnapshots(m_current);
    }
}

std::shared_ptr<const ProxySnapshot> ControlPlane::snapshot(std::string_view proxyId) const
{
    return m_current.find(proxyId);
}

void ControlPlane::writePushLines()
{
    const auto now = m_log.now();
    const std::string version = formatRfc3339Seconds(now) + '/' + std::to_string(m_pushes);
    const std::string services = std::to_string(m_result.serviceCount);
    const std::string endpoints = std::to_string(m_result.snapshots.size());
    const bool current = m_options.dialect == LogDialect::Current;
    if (m_pendingChanges > 0) {
        std::string line = "Push debounce stable[" + std::to_string(m_pushes) + "] " +
                           std::to_string(m_pendingChanges);
        if (current && m_pendingChanges == 1) {
            line += " for config " + m_firstPendingConfig;
        }
        line += ": " + formatGoDuration(DebounceAfter) + " since last change, " +
                formatGoDuration(now - m_lastPush) + " since last push, full=true";
        m_log.write(LogLevel::Info, "ads", std::move(line));
    }
    if (current) {
        m_log.write(LogLevel::Info, "ads",
                    "XDS: Pushing Services:" + services + " ConnectedEndpoints:" + endpoints +
                        " Version:" + version);
    } else {
        m_log.write(LogLevel::Info, "ads",
                    "XDS: Pushing:" + version + " Services:" + services +
                        " ConnectedEndpoints:" + endpoints);
    }
}

void ControlPlane::writeGatewayLines()
{
    const bool current = m_options.dialect == LogDialect::Current;
    for (const auto &[proxyId, omitted] : m_result.omittedListeners) {
        const ProxySnapshot *snapshot = m_result.find(proxyId);
        // With no server at all Pilot only logs at debug level; zero listeners is an error
        // when servers were there and all were dropped.
        const bool none = snapshot && snapshot->listeners.empty();
        if (omitted.empty()) {
            continue;
        }
        if (current) {
            for (const OmittedListener &entry : omitted) {
                m_log.write(LogLevel::Warn, "",
                            "gateway " + entry.gateway + ':' + std::to_string(entry.port) +
                                " listener missed network filter");
            }
            if (none) {
                const mesh::PodView *pod = nullptr;
                for (const mesh::PodView *candidate : m_topology.proxies()) {
                    if (candidate->proxyId() == proxyId) {
                        pod = candidate;
                    }
                }
                const std::string ns = pod ? pod->nameSpace : std::string();
                const std::string node = "router~" + (pod ? mesh::formatIp(pod->ip) : "") + '~' +
                                         proxyId + '~' + ns + ".svc.cluster.local";
                m_log.write(LogLevel::Warn, "", "gateway has zero listeners for node " + node);
            }
            continue;
        }
        {
            std::string message = std::to_string(omitted.size()) +
                                  (omitted.size() == 1 ? " error occurred:" : " errors occurred:");
            for (const OmittedListener &entry : omitted) {
                message += "\n\t* gateway omitting listener \"" + entry.listenerName +
                           "\" due to: " + entry.reason + ": &v2.Listener{Name:\"" +
                           entry.listenerName + "\", ...}";
            }
            message += '\n';
            m_log.write(LogLevel::Info, "", std::move(message));
        }
        if (none) {
            m_log.write(LogLevel::Error, "", "buildGatewayListeners: Have zero listeners");
        }
    }
}

} // namespace meshcraft::core::xds
