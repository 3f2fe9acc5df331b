// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/models/mesh_model.h"

#include <QCoreApplication>
#include <algorithm>

namespace meshcraft::app {

namespace events = core::lab::events;

namespace {

// Closed flows kept for their paths (the timeline and the inspector ask by trace id).
constexpr std::size_t MaxFlows = 2000;

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}

QString tr(const char *text, const char *disambiguation = nullptr, int n = -1)
{
    return QCoreApplication::translate("MeshModel", text, disambiguation, n);
}

// "10.59.118.59:6379" -> "10.59.118.59"
QString hostOf(const QString &address)
{
    const qsizetype colon = address.lastIndexOf(QLatin1Char(':'));
    return colon < 0 ? address : address.left(colon);
}

bool hasFlag(const QString &flags, const char *flag)
{
    return flags.split(QLatin1Char(',')).contains(QLatin1String(flag));
}

} // namespace

OutcomeShape shapeOf(MeshOutcome outcome)
{
    switch (outcome) {
    case MeshOutcome::None:
        return OutcomeShape::None;
    case MeshOutcome::Open:
    case MeshOutcome::Connected:
        return OutcomeShape::Circle;
    case MeshOutcome::BlackHole:
        return OutcomeShape::Octagon;
    case MeshOutcome::UpstreamFailure:
        return OutcomeShape::Triangle;
    case MeshOutcome::NoRoute:
        return OutcomeShape::Diamond;
    }
    return OutcomeShape::None;
}

QString shapeName(OutcomeShape shape)
{
    switch (shape) {
    case OutcomeShape::None:
        return QStringLiteral("none");
    case OutcomeShape::Circle:
        return QStringLiteral("circle");
    case OutcomeShape::Octagon:
        return QStringLiteral("octagon");
    case OutcomeShape::Triangle:
        return QStringLiteral("triangle");
    case OutcomeShape::Diamond:
        return QStringLiteral("diamond");
    }
    return {};
}

QString colourRoleOf(MeshOutcome outcome)
{
    switch (outcome) {
    case MeshOutcome::None:
        return QStringLiteral("idle");
    case MeshOutcome::Open:
        return QStringLiteral("active");
    case MeshOutcome::Connected:
        return QStringLiteral("ok");
    case MeshOutcome::BlackHole:
    case MeshOutcome::NoRoute:
        return QStringLiteral("blocked");
    case MeshOutcome::UpstreamFailure:
        return QStringLiteral("failed");
    }
    return {};
}

QString outcomeLabel(MeshOutcome outcome)
{
    switch (outcome) {
    case MeshOutcome::None:
        return {};
    case MeshOutcome::Open:
        return tr("open");
    case MeshOutcome::Connected:
        return tr("OK");
    case MeshOutcome::BlackHole:
        return QStringLiteral("UH");
    case MeshOutcome::UpstreamFailure:
        return QStringLiteral("UF");
    case MeshOutcome::NoRoute:
        return QStringLiteral("NR");
    }
    return {};
}

QString formatBytes(std::uint64_t bytes)
{
    if (bytes < 1000) {
        return QStringLiteral("%1 B").arg(bytes);
    }
    if (bytes < 1000 * 1000) {
        return QStringLiteral("%1 kB").arg(static_cast<double>(bytes) / 1e3, 0, 'f', 1);
    }
    return QStringLiteral("%1 MB").arg(static_cast<double>(bytes) / 1e6, 0, 'f', 1);
}

QString MeshEdge::label() const
{
    if (structural) {
        return cluster;
    }
    QStringList parts;
    if (lastOutcome != MeshOutcome::None && lastOutcome != MeshOutcome::Open) {
        parts << outcomeLabel(lastOutcome);
    }
    if (active > 0) {
        parts << tr("%n open", nullptr, active);
    }
    if (connections > 0) {
        parts << QStringLiteral("↑%1 ↓%2").arg(formatBytes(bytesOut), formatBytes(bytesIn));
    }
    if (successRate) {
        parts << tr("success %1%").arg(qRound(*successRate * 100.0));
    }
    return parts.join(QStringLiteral(" · "));
}

MeshModel::MeshModel(QObject *parent) : QObject(parent)
{
    m_clock.start();
}

const MeshNode *MeshModel::node(const QString &id) const
{
    const auto it =
        std::find_if(m_nodes.begin(), m_nodes.end(), [&](const MeshNode &n) { return n.id == id; });
    return it == m_nodes.end() ? nullptr : &*it;
}

MeshNode *MeshModel::nodeRef(const QString &id)
{
    return const_cast<MeshNode *>(std::as_const(*this).node(id));
}

const MeshNode *MeshModel::findNode(const QString &name) const
{
    if (const MeshNode *exact = node(name)) {
        return exact;
    }
    for (const MeshNode &n : m_nodes) {
        if (n.name == name || n.podName == name || n.proxyId == name ||
            (!n.instanceName.isEmpty() && n.instanceName == name)) {
            return &n;
        }
    }
    return nullptr;
}

QString MeshModel::nodeOfProxy(const QString &proxyId) const
{
    return m_proxyNodes.value(proxyId);
}

const MeshEdge *MeshModel::edge(const QString &from, const QString &to) const
{
    const auto it = std::find_if(m_edges.begin(), m_edges.end(),
                                 [&](const MeshEdge &e) { return e.from == from && e.to == to; });
    return it == m_edges.end() ? nullptr : &*it;
}

MeshEdge &MeshModel::edgeRef(const QString &from, const QString &to)
{
    if (const MeshEdge *existing = edge(from, to)) {
        return const_cast<MeshEdge &>(*existing);
    }
    MeshEdge fresh;
    fresh.from = from;
    fresh.to = to;
    m_edges.push_back(fresh);
    return m_edges.back();
}

const MeshFlow *MeshModel::flow(std::uint64_t traceId) const
{
    const auto it = m_flows.find(traceId);
    return it == m_flows.end() ? nullptr : &it->second;
}

const MeshFlow *MeshModel::lastFlowFrom(const QString &nodeId) const
{
    const auto it = m_lastFlowFrom.find(nodeId);
    return it == m_lastFlowFrom.end() ? nullptr : flow(it.value());
}

void MeshModel::setTopology(const std::shared_ptr<const core::lab::TopologySnapshot> &topology)
{
    if (!topology) {
        return;
    }
    m_topology = topology;
    std::vector<MeshNode> fresh;
    // Gateways take their Service's ports on their own node: the gateway is one thing to a
    // learner, and step 11 is about the port its Service exposes.
    QHash<QString, QString> gatewayPorts;
    for (const auto &service : topology->services) {
        QStringList ports;
        for (int port : service.ports) {
            ports << QString::number(port);
        }
        gatewayPorts.insert(fromStd(service.nameSpace) + QLatin1Char('/') + fromStd(service.name),
                            ports.join(QLatin1Char(',')));
    }
    QHash<QString, bool> workloads;
    for (const auto &pod : topology->pods) {
        MeshNode n;
        const QString ns = fromStd(pod.nameSpace);
        const QString workload = fromStd(pod.deployment.empty() ? pod.name : pod.deployment);
        n.id = ns + QLatin1Char('/') + workload;
        n.kind = pod.gateway ? MeshNodeKind::Gateway : MeshNodeKind::Workload;
        n.name = workload;
        n.nameSpace = ns;
        n.podName = fromStd(pod.name);
        n.address = fromStd(pod.ip);
        n.detail = n.address;
        n.sidecar = pod.sidecar;
        if (pod.sidecar || pod.gateway) {
            n.proxyId = n.podName + QLatin1Char('.') + ns;
            m_proxyNodes.insert(n.proxyId, n.id);
        }
        if (pod.gateway && gatewayPorts.contains(n.id)) {
            n.detail += QStringLiteral(" · ports ") + gatewayPorts.value(n.id);
        }
        workloads.insert(n.id, true);
        fresh.push_back(n);
    }
    for (const auto &service : topology->services) {
        const QString ns = fromStd(service.nameSpace);
        const QString name = fromStd(service.name);
        const MeshNode *gateway = nullptr;
        for (const MeshNode &n : fresh) {
            if (n.kind == MeshNodeKind::Gateway && n.id == ns + QLatin1Char('/') + name) {
                gateway = &n;
            }
        }
        if (gateway) {
            continue;
        }
        MeshNode n;
        n.id = QStringLiteral("svc:") + ns + QLatin1Char('/') + name;
        n.kind = MeshNodeKind::Service;
        n.name = name;
        n.nameSpace = ns;
        n.address = fromStd(service.clusterIp);
        QStringList ports;
        for (int port : service.ports) {
            ports << QString::number(port);
        }
        n.detail = n.address + QLatin1Char(':') + ports.join(QLatin1Char(','));
        fresh.push_back(n);
    }
    for (const auto &instance : topology->instances) {
        MeshNode n;
        n.id = QStringLiteral("memorystore:") + fromStd(instance.name);
        n.kind = MeshNodeKind::Memorystore;
        n.name = fromStd(instance.name);
        n.instanceName = n.name;
        n.address = fromStd(instance.host);
        n.detail = n.address.isEmpty()
                       ? QString::fromUtf8(core::cloud::instanceStateName(instance.state))
                       : n.address + QLatin1Char(':') + QString::number(instance.port);
        fresh.push_back(n);
    }
    for (const std::string &entry : topology->serviceEntryHosts) {
        // "redis.domain (10.59.118.59/32)"
        const QString text = fromStd(entry);
        const qsizetype paren = text.indexOf(QStringLiteral(" ("));
        MeshNode n;
        n.name = paren < 0 ? text : text.left(paren);
        n.id = QStringLiteral("se:") + n.name;
        n.kind = MeshNodeKind::ServiceEntry;
        n.detail = paren < 0 ? QString() : text.mid(paren + 2).chopped(1);
        n.address = n.detail.section(QLatin1Char('/'), 0, 0).section(QLatin1Char(','), 0, 0);
        if (!node(n.id) || std::none_of(fresh.begin(), fresh.end(),
                                        [&](const MeshNode &f) { return f.id == n.id; })) {
            if (std::none_of(fresh.begin(), fresh.end(),
                             [&](const MeshNode &f) { return f.id == n.id; })) {
                fresh.push_back(n);
            }
        }
    }
    for (const MeshNode &n : m_nodes) {
        if (n.kind == MeshNodeKind::External) {
            fresh.push_back(n);
        }
    }

    // Existing nodes keep their place and their stop; new ones follow, sorted by id, so the
    // order (and so the layout) depends only on what appeared when.
    std::vector<MeshNode> ordered;
    for (const MeshNode &old : m_nodes) {
        const auto it = std::find_if(fresh.begin(), fresh.end(),
                                     [&](const MeshNode &f) { return f.id == old.id; });
        if (it != fresh.end()) {
            MeshNode kept = *it;
            kept.stop = old.stop;
            kept.stopDetail = old.stopDetail;
            kept.stopTraceId = old.stopTraceId;
            ordered.push_back(kept);
            fresh.erase(it);
        }
    }
    std::sort(fresh.begin(), fresh.end(),
              [](const MeshNode &a, const MeshNode &b) { return a.id < b.id; });
    ordered.insert(ordered.end(), fresh.begin(), fresh.end());
    m_nodes = std::move(ordered);

    // A pod that is gone (a rollout replaced it) closes what its proxy still had open: no close
    // event will come for it.
    QHash<QString, bool> liveProxies;
    for (const MeshNode &n : m_nodes) {
        if (!n.proxyId.isEmpty()) {
            liveProxies.insert(n.proxyId, true);
        }
    }
    bool closedAny = false;
    for (auto &[id, flow] : m_flows) {
        for (MeshFlow::Hop &hop : flow.hops) {
            if (!hop.closed && !hop.proxyId.isEmpty() && !liveProxies.contains(hop.proxyId)) {
                hop.closed = true;
                hop.detail = tr("pod gone");
                closedAny = true;
            }
        }
        flow.closed = std::all_of(flow.hops.begin(), flow.hops.end(),
                                  [](const MeshFlow::Hop &h) { return h.closed; });
    }
    if (closedAny) {
        recountEdges();
    }

    // Structural edges: a Service selects its workload (by name, as the lab's manifests do), a
    // ServiceEntry declares the address of an instance.
    m_edges.erase(std::remove_if(m_edges.begin(), m_edges.end(),
                                 [](const MeshEdge &e) { return e.structural; }),
                  m_edges.end());
    for (const MeshNode &n : m_nodes) {
        if (n.kind == MeshNodeKind::Service) {
            const QString target = n.nameSpace + QLatin1Char('/') + n.name;
            if (workloads.contains(target)) {
                MeshEdge &e = edgeRef(n.id, target);
                e.structural = true;
                e.cluster = tr("selects");
            }
        } else if (n.kind == MeshNodeKind::ServiceEntry && !n.address.isEmpty()) {
            for (const MeshNode &other : m_nodes) {
                if ((other.kind == MeshNodeKind::Memorystore ||
                     other.kind == MeshNodeKind::External) &&
                    hostOf(other.address) == n.address) {
                    MeshEdge &e = edgeRef(n.id, other.id);
                    e.structural = true;
                    e.cluster = tr("declares %1").arg(n.detail);
                }
            }
        }
    }
    emit nodesChanged();
}

QString MeshModel::ensureExternal(const QString &address)
{
    const QString id = QStringLiteral("ext:") + address;
    if (!node(id)) {
        MeshNode n;
        n.id = id;
        n.kind = MeshNodeKind::External;
        n.name = address;
        n.address = hostOf(address);
        n.detail = tr("not in the mesh's registry");
        m_nodes.push_back(n);
        emit nodesChanged();
    }
    return id;
}

QString MeshModel::resolveAddress(const QString &address, const QString &exclude)
{
    const QString host = hostOf(address);
    if (host.isEmpty() || host == QLatin1String("0.0.0.0")) {
        return {};
    }
    // Where the bytes end up wins over what declares the address: an instance, then a Service,
    // a pod, and only then the ServiceEntry that names it.
    for (MeshNodeKind kind :
         {MeshNodeKind::Memorystore, MeshNodeKind::Service, MeshNodeKind::Workload,
          MeshNodeKind::Gateway, MeshNodeKind::External, MeshNodeKind::ServiceEntry}) {
        for (const MeshNode &n : m_nodes) {
            if (n.kind == kind && n.address == host && n.id != exclude) {
                return n.id;
            }
        }
    }
    return {};
}

QString MeshModel::resolveCluster(const QString &cluster, const QString &exclude)
{
    // "outbound|6379|redis|istio-egressgateway.istio-system.svc.cluster.local"
    const QStringList parts = cluster.split(QLatin1Char('|'));
    if (parts.size() != 4) {
        return {};
    }
    const QString host = parts.at(3);
    const QString suffix = QStringLiteral(".svc.cluster.local");
    if (host.endsWith(suffix)) {
        const QStringList nameNs = host.chopped(suffix.size()).split(QLatin1Char('.'));
        if (nameNs.size() == 2) {
            const QString workload = nameNs.at(1) + QLatin1Char('/') + nameNs.at(0);
            if (const MeshNode *n = node(workload);
                n && n->kind == MeshNodeKind::Gateway && n->id != exclude) {
                return n->id;
            }
            const QString service = QStringLiteral("svc:") + workload;
            if (node(service)) {
                return service;
            }
        }
        return {};
    }
    // A ServiceEntry host: where its address goes.
    if (const MeshNode *entry = node(QStringLiteral("se:") + host)) {
        const QString target = resolveAddress(entry->address, exclude);
        return target.isEmpty() ? entry->id : target;
    }
    return {};
}

void MeshModel::setStop(const QString &nodeId, MeshOutcome outcome, const QString &detail,
                        std::uint64_t traceId)
{
    if (MeshNode *n = nodeRef(nodeId)) {
        n->stop = outcome;
        n->stopDetail = detail;
        n->stopTraceId = traceId;
    }
}

void MeshModel::applyConnection(const events::Connection &event)
{
    const std::uint64_t traceId = event.traceId ? event.traceId : event.connectionId;
    auto [it, inserted] = m_flows.try_emplace(traceId);
    MeshFlow &flow = it->second;
    if (inserted) {
        flow.traceId = traceId;
        flow.startedMs = nowMs();
        m_lastTraceId = traceId;
        if (m_flows.size() > MaxFlows) {
            // The oldest closed flow goes; its contributions stay counted on the edges.
            for (auto old = m_flows.begin(); old != m_flows.end(); ++old) {
                if (old->second.closed && old->first != traceId) {
                    retire(old->second);
                    m_flows.erase(old);
                    break;
                }
            }
        }
    }
    auto hop = std::find_if(flow.hops.begin(), flow.hops.end(), [&](const MeshFlow::Hop &h) {
        return h.connectionId == event.connectionId;
    });
    if (hop == flow.hops.end()) {
        MeshFlow::Hop fresh;
        fresh.connectionId = event.connectionId;
        flow.hops.push_back(fresh);
        hop = flow.hops.end() - 1;
    }
    hop->parentId = event.parentId;
    if (!event.proxyId.empty()) {
        hop->proxyId = fromStd(event.proxyId);
    }
    if (!event.downstream.empty()) {
        hop->downstream = fromStd(event.downstream);
    }
    if (!event.originalDestination.empty()) {
        hop->originalDestination = fromStd(event.originalDestination);
    }
    if (!event.cluster.empty()) {
        hop->cluster = fromStd(event.cluster);
        hop->decided = true;
    }
    hop->bytesReceived = std::max(hop->bytesReceived, event.bytesReceived);
    hop->bytesSent = std::max(hop->bytesSent, event.bytesSent);
    switch (event.kind) {
    case events::Connection::Kind::Opened:
    case events::Connection::Kind::Bytes:
        break;
    case events::Connection::Kind::Decided:
        hop->decided = true;
        break;
    case events::Connection::Kind::Closed:
        hop->closed = true;
        hop->flags = fromStd(event.flags);
        hop->detail = fromStd(event.detail);
        break;
    }
    m_traceOfConnection[event.connectionId] = traceId;
    route(flow);
}

void MeshModel::route(MeshFlow &flow)
{
    const auto childOf = [&](const MeshFlow::Hop &hop) -> MeshFlow::Hop * {
        for (MeshFlow::Hop &h : flow.hops) {
            if (h.parentId == hop.connectionId && h.connectionId != hop.connectionId) {
                return &h;
            }
        }
        return nullptr;
    };
    MeshFlow::Hop *root = nullptr;
    for (MeshFlow::Hop &h : flow.hops) {
        if (h.parentId == 0) {
            root = &h;
        }
    }
    if (!root) {
        return;
    }
    const QString rootDestination = root->originalDestination;
    // Where one hop's bytes went: the next proxy, or what its cluster or address names.
    const auto targetOf = [&](MeshFlow::Hop &hop, const QString &self) -> QString {
        if (MeshFlow::Hop *child = childOf(hop)) {
            return nodeOfProxy(child->proxyId);
        }
        if (!hop.decided && !hop.closed) {
            return {};
        }
        if (hop.cluster.startsWith(QLatin1String("inbound|"))) {
            return {}; // delivered to its own pod: the path ends here
        }
        QString target = resolveCluster(hop.cluster, self);
        if (target.isEmpty()) {
            target = resolveAddress(hop.originalDestination, self);
        }
        if (target.isEmpty()) {
            target = resolveAddress(rootDestination, self);
        }
        if (target.isEmpty() && !rootDestination.isEmpty()) {
            target = ensureExternal(rootDestination);
        }
        return target;
    };

    QStringList path;
    QString attempted;
    QString stopNode;
    MeshOutcome outcome = MeshOutcome::None;
    MeshFlow::Hop *cur = root;
    QString curNode = nodeOfProxy(root->proxyId);
    if (curNode.isEmpty()) {
        return;
    }
    path << curNode;
    // Each hop's edge: its bytes and its open count go there.
    std::vector<std::pair<MeshFlow::Hop *, QString>> hopEdges;
    for (int guard = 0; guard < 16; ++guard) {
        const bool blackHole =
            cur->cluster == QLatin1String("BlackHoleCluster") || hasFlag(cur->flags, "UH");
        const bool noRoute = hasFlag(cur->flags, "NR");
        if (blackHole || noRoute) {
            outcome = blackHole ? MeshOutcome::BlackHole : MeshOutcome::NoRoute;
            stopNode = curNode;
            attempted =
                resolveAddress(cur == root ? rootDestination : cur->originalDestination, curNode);
            if (attempted.isEmpty()) {
                attempted = resolveAddress(rootDestination, curNode);
            }
            if (!attempted.isEmpty()) {
                hopEdges.emplace_back(cur, curNode + QStringLiteral("->") + attempted);
            }
            break;
        }
        const QString target = targetOf(*cur, curNode);
        if (target.isEmpty()) {
            if (cur != root && cur->cluster.startsWith(QLatin1String("inbound|"))) {
                outcome = cur->closed ? MeshOutcome::Connected : MeshOutcome::Open;
            }
            break;
        }
        hopEdges.emplace_back(cur, curNode + QStringLiteral("->") + target);
        if (hasFlag(cur->flags, "UF")) {
            outcome = MeshOutcome::UpstreamFailure;
            attempted = target;
            break;
        }
        path << target;
        MeshFlow::Hop *child = childOf(*cur);
        if (!child) {
            outcome = cur->closed ? MeshOutcome::Connected : MeshOutcome::Open;
            break;
        }
        cur = child;
        curNode = target;
    }

    // Each hop counts on its edge (a hop's edge can change once it is decided).
    for (MeshFlow::Hop &hop : flow.hops) {
        hop.edgeKey.clear();
        for (const auto &[h, k] : hopEdges) {
            if (h == &hop) {
                hop.edgeKey = k;
                MeshEdge &e = edgeRef(k.section(QStringLiteral("->"), 0, 0),
                                      k.section(QStringLiteral("->"), 1));
                e.cluster = hop.cluster.isEmpty() ? e.cluster : hop.cluster;
            }
        }
    }
    recountEdges();

    const bool changed = outcome != flow.outcome || path != flow.path;
    const bool nowClosed = std::all_of(flow.hops.begin(), flow.hops.end(),
                                       [](const MeshFlow::Hop &h) { return h.closed; });
    flow.path = path;
    flow.attempted = attempted;
    flow.stopNode = stopNode;
    flow.outcome = outcome;
    flow.closed = nowClosed;
    if (changed && outcome != MeshOutcome::None) {
        const qint64 now = nowMs();
        for (qsizetype i = 0; i + 1 < path.size(); ++i) {
            MeshEdge &e = edgeRef(path.at(i), path.at(i + 1));
            e.lastOutcome =
                outcome == MeshOutcome::UpstreamFailure ? MeshOutcome::Connected : outcome;
            e.lastTraceId = flow.traceId;
            e.litAtMs = now;
            // A flow that went on from a node lifts its earlier stop.
            setStop(path.at(i), MeshOutcome::None, {}, 0);
        }
        if (!attempted.isEmpty()) {
            MeshEdge &e = edgeRef(path.constLast(), attempted);
            e.lastOutcome = outcome;
            e.lastTraceId = flow.traceId;
            e.litAtMs = now;
        }
        if (!stopNode.isEmpty()) {
            setStop(stopNode, outcome,
                    outcome == MeshOutcome::BlackHole ? QStringLiteral("BlackHoleCluster")
                                                      : tr("no route"),
                    flow.traceId);
        }
        m_lastFlowFrom.insert(path.constFirst(), flow.traceId);
        emit flowLit(flow.traceId);
    }
    emit trafficChanged(flow.traceId);
}

void MeshModel::retire(const MeshFlow &flow)
{
    for (const MeshFlow::Hop &hop : flow.hops) {
        if (hop.edgeKey.isEmpty()) {
            continue;
        }
        MeshEdge &e = edgeRef(hop.edgeKey.section(QStringLiteral("->"), 0, 0),
                              hop.edgeKey.section(QStringLiteral("->"), 1));
        e.retiredConnections += 1;
        e.retiredOut += hop.bytesReceived;
        e.retiredIn += hop.bytesSent;
    }
}

void MeshModel::recountEdges()
{
    QHash<QString, MeshEdge *> byKey;
    for (MeshEdge &e : m_edges) {
        if (!e.structural) {
            e.active = 0;
            e.connections = e.retiredConnections;
            e.bytesOut = e.retiredOut;
            e.bytesIn = e.retiredIn;
            byKey.insert(e.key(), &e);
        }
    }
    for (const auto &[id, flow] : m_flows) {
        for (const MeshFlow::Hop &hop : flow.hops) {
            MeshEdge *e = hop.edgeKey.isEmpty() ? nullptr : byKey.value(hop.edgeKey);
            if (!e) {
                continue;
            }
            e->connections += 1;
            e->active += hop.closed ? 0 : 1;
            e->bytesOut += hop.bytesReceived;
            e->bytesIn += hop.bytesSent;
        }
    }
}

void MeshModel::applyCartStats(const events::CartStatsChanged &event)
{
    const QString pod = fromStd(event.pod);
    const MeshNode *cart = findNode(pod);
    if (!cart) {
        return;
    }
    const QString cartId = cart->id;
    const bool measured = event.stats.successes + event.stats.failures > 0;
    // The cart's Redis: the first node its last flow reached (or was stopped before).
    QString target;
    if (const MeshFlow *last = lastFlowFrom(cartId)) {
        target = last->path.size() > 1 ? last->path.at(1) : last->attempted;
    }
    if (target.isEmpty()) {
        const QString host = hostOf(fromStd(event.stats.target));
        target = resolveAddress(host, cartId);
        if (target.isEmpty() &&
            node(QStringLiteral("svc:") + cart->nameSpace + QLatin1Char('/') + host)) {
            target = QStringLiteral("svc:") + cart->nameSpace + QLatin1Char('/') + host;
        }
    }
    for (MeshEdge &e : m_edges) {
        if (e.from == cartId && e.to != target) {
            e.successRate.reset();
        }
    }
    if (!target.isEmpty() && measured) {
        edgeRef(cartId, target).successRate = event.recentSuccessRate;
    }
    emit trafficChanged(0);
}

void MeshModel::clearTraffic()
{
    m_flows.clear();
    m_traceOfConnection.clear();
    m_lastFlowFrom.clear();
    m_edges.erase(std::remove_if(m_edges.begin(), m_edges.end(),
                                 [](const MeshEdge &e) { return !e.structural; }),
                  m_edges.end());
    for (MeshNode &n : m_nodes) {
        n.stop = MeshOutcome::None;
        n.stopDetail.clear();
        n.stopTraceId = 0;
    }
    emit trafficChanged(0);
}

} // namespace meshcraft::app
